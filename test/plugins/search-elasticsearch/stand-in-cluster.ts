// A stand-in for an Elasticsearch cluster, for the backend's behaviour under faults that a real
// cluster cannot be made to show on demand (down, busy, an answer lost after the change was made,
// an operator deleting the index). It keeps indices, aliases and versioned documents the way
// Elasticsearch's REST API describes them, as far as the backend uses them: bulk with external
// versions (409 on an older one), require_alias, automatic index creation by a write (and by a
// delete with an external version), field names Elasticsearch refuses, alias swaps in one step.
// Searching is not modelled (no hits); that is the conformance suite's, against a real cluster.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredIndex {
  aliases: Set<string>;
  docs: Map<string, { version: number; source: Record<string, any> | null }>;
  settings: Record<string, unknown>;
  /** Made by a write to a missing name, with guessed mappings (what the backend must avoid). */
  autoCreated: boolean;
}

export interface BulkOperation {
  action: 'index' | 'delete';
  meta: Record<string, any>;
  doc?: Record<string, any>;
}

export type ItemFault = (op: BulkOperation) => { status: number; error: Record<string, unknown> } | undefined;
/** Answer a request otherwise: `hang` never answers; `after` answers so once the change is made. */
export type RequestFault = (method: string, path: string) => { status: number; body: unknown; after?: boolean } | 'hang' | undefined;

export class StandInCluster {
  readonly indices = new Map<string, StoredIndex>();
  /** Every bulk request: its size in bytes and its operations. */
  readonly bulks: Array<{ bytes: number; ops: BulkOperation[] }> = [];
  itemFault: ItemFault | undefined;
  requestFault: RequestFault | undefined;
  private server: http.Server | null = null;
  private readonly hanging = new Set<http.ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** All bulk operations, oldest first. */
  get ops(): BulkOperation[] {
    return this.bulks.flatMap((bulk) => bulk.ops);
  }

  /** The concrete indices an alias points at. */
  aliasTargets(alias: string): string[] {
    return [...this.indices].filter(([, index]) => index.aliases.has(alias)).map(([name]) => name);
  }

  /** The documents behind an alias (its single index). */
  docs(alias: string): Map<string, { version: number; source: Record<string, any> | null }> {
    const [name] = this.aliasTargets(alias);
    return name ? this.indices.get(name)!.docs : new Map();
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port || this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      const path = decodeURIComponent(url.pathname);
      res.setHeader('x-elastic-product', 'Elasticsearch');
      res.setHeader('content-type', 'application/json');
      const fault = this.requestFault?.(method, path);
      if (fault === 'hang') {
        this.hanging.add(res);
        return;
      }
      if (fault && !fault.after) return this.send(res, method, fault.status, fault.body);
      const [status, body] = this.route(method, path, raw);
      if (fault) return this.send(res, method, fault.status, fault.body);
      this.send(res, method, status, body);
    });
  }

  private send(res: http.ServerResponse, method: string, status: number, body: unknown): void {
    res.statusCode = status;
    res.end(method === 'HEAD' ? undefined : JSON.stringify(body));
  }

  private error(status: number, type: string, reason: string): [number, unknown] {
    return [status, { error: { root_cause: [{ type, reason }], type, reason }, status }];
  }

  /** The index a name means: itself, or an alias's only index. */
  private resolve(name: string): string | null {
    if (this.indices.has(name)) return name;
    const targets = this.aliasTargets(name);
    return targets.length === 1 ? targets[0] : null;
  }

  private route(method: string, path: string, raw: Buffer): [number, unknown] {
    const parts = path.split('/').filter(Boolean);
    const json = () => (raw.length ? JSON.parse(raw.toString('utf8')) : {});
    if (parts[0] === '_alias' && parts[1]) {
      const targets = this.aliasTargets(parts[1]);
      if (!targets.length) return this.error(404, 'aliases_not_found_exception', `alias [${parts[1]}] missing`);
      return [200, Object.fromEntries(targets.map((name) => [name, { aliases: { [parts[1]]: {} } }]))];
    }
    if (parts[0] === '_aliases' && method === 'POST') {
      for (const action of json().actions as Array<Record<string, { index: string; alias: string }>>) {
        const [kind, { index, alias }] = Object.entries(action)[0];
        const stored = this.indices.get(index);
        if (!stored) return this.error(404, 'index_not_found_exception', `no such index [${index}]`);
        if (kind === 'add') stored.aliases.add(alias);
        else stored.aliases.delete(alias);
      }
      return [200, { acknowledged: true }];
    }
    if (parts[0] === '_bulk' || parts[1] === '_bulk') return this.bulk(raw);
    if (parts[1] === '_search') {
      if (!this.resolve(parts[0])) return this.error(404, 'index_not_found_exception', `no such index [${parts[0]}]`);
      return [200, { took: 1, timed_out: false, hits: { total: { value: 0, relation: 'eq' }, hits: [] } }];
    }
    if (parts[1] === '_mget') {
      const docs = this.resolve(parts[0]) ? this.indices.get(this.resolve(parts[0])!)!.docs : new Map();
      return [200, { docs: (json().ids as string[]).map((id) => ({ _id: id, found: !!docs.get(id)?.source, _source: docs.get(id)?.source ?? undefined })) }];
    }
    if (parts[1] === '_settings' || parts[1] === '_refresh') {
      if (!this.resolve(parts[0])) return this.error(404, 'index_not_found_exception', `no such index [${parts[0]}]`);
      return [200, { acknowledged: true }];
    }
    if (parts.length === 1) {
      const name = parts[0];
      if (method === 'HEAD') return [this.indices.has(name) ? 200 : 404, {}];
      if (method === 'PUT') {
        if (this.indices.has(name)) return this.error(400, 'resource_already_exists_exception', `index [${name}] already exists`);
        const body = json();
        this.indices.set(name, { aliases: new Set(Object.keys(body.aliases ?? {})), docs: new Map(), settings: body.settings ?? {}, autoCreated: false });
        return [200, { acknowledged: true, index: name }];
      }
      if (method === 'DELETE') {
        if (!this.indices.delete(name)) return this.error(404, 'index_not_found_exception', `no such index [${name}]`);
        return [200, { acknowledged: true }];
      }
    }
    return this.error(400, 'illegal_argument_exception', `not in the stand-in: ${method} ${path}`);
  }

  private bulk(raw: Buffer): [number, unknown] {
    const lines = raw.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const ops: BulkOperation[] = [];
    for (let i = 0; i < lines.length; i++) {
      const [action, meta] = Object.entries(lines[i])[0] as [BulkOperation['action'], Record<string, any>];
      ops.push(action === 'index' ? { action, meta, doc: lines[++i] } : { action, meta });
    }
    this.bulks.push({ bytes: raw.length, ops });
    // A write to a missing name makes an index of that name first, as Elasticsearch does
    // (a delete only with an external version); require_alias prevents it.
    for (const op of ops) {
      const external = op.meta.version_type === 'external';
      if (!this.resolve(op.meta._index) && !op.meta.require_alias && (op.action === 'index' || external)) {
        this.indices.set(op.meta._index, { aliases: new Set(), docs: new Map(), settings: {}, autoCreated: true });
      }
    }
    const items = ops.map((op) => ({ [op.action]: { _id: op.meta._id, _index: op.meta._index, ...this.apply(op) } }));
    return [200, { took: 1, errors: items.some((item) => Object.values(item)[0].status >= 300), items }];
  }

  private apply(op: BulkOperation): { status: number; error?: Record<string, unknown> } {
    const fault = this.itemFault?.(op);
    if (fault) return fault;
    const name = this.resolve(op.meta._index);
    if (!name) {
      const reason = op.meta.require_alias ? `no such index [${op.meta._index}] and [require_alias] request flag is [true] and [${op.meta._index}] is not an alias` : `no such index [${op.meta._index}]`;
      return { status: 404, error: { type: 'index_not_found_exception', reason } };
    }
    if (op.meta.require_alias && this.indices.has(op.meta._index)) {
      return { status: 404, error: { type: 'index_not_found_exception', reason: `[${op.meta._index}] is not an alias` } };
    }
    if (op.doc) {
      for (const field of Object.keys(op.doc)) {
        if (field === '') return { status: 400, error: { type: 'document_parsing_exception', reason: 'field name cannot be an empty string' } };
        if (field.startsWith('_')) return { status: 400, error: { type: 'document_parsing_exception', reason: `Field [${field}] is a metadata field and cannot be added inside a document.` } };
      }
    }
    const docs = this.indices.get(name)!.docs;
    const current = docs.get(op.meta._id);
    const version = Number(op.meta.version);
    if (current && current.version >= version) {
      return { status: 409, error: { type: 'version_conflict_engine_exception', reason: `current version [${current.version}] is higher or equal to the one provided [${version}]` } };
    }
    if (op.action === 'delete') {
      docs.set(op.meta._id, { version, source: null });
      return { status: current?.source ? 200 : 404 };
    }
    docs.set(op.meta._id, { version, source: op.doc! });
    return { status: current?.source ? 200 : 201 };
  }
}
