// Shared tools for the federation tests: Kho instances with the federation plugin on loopback, and
// small dataset helpers that go through the Action API as any client would.
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { FAST_HARVEST } from '../harvest/helpers.ts';

export async function startFederated(options: { federation?: Record<string, unknown>; harvest?: Record<string, unknown>; siteUrl?: string; workers?: boolean; plugins?: string[] } = {}): Promise<TestServer> {
  return startTestServer({
    plugins: options.plugins ?? ['harvest', 'federation'],
    workers: options.workers ?? false,
    config: {
      ...(options.siteUrl ? { site: { url: options.siteUrl } } : {}),
      net: { allow_private_hosts: ['127.0.0.1', 'localhost'] },
      harvest: { ...FAST_HARVEST, ...(options.harvest ?? {}) },
      federation: { ...(options.federation ?? {}) },
    },
  });
}

/** Read the whole feed from `cursor` to its end; returns the changes and the resume cursor. */
export async function drainFeed(server: TestServer, cursor?: string, limit?: number): Promise<{ changes: any[]; cursor: string; pages: number }> {
  const changes: any[] = [];
  let pages = 0;
  for (;;) {
    const page = await server.anon.call('federation_changes', { ...(cursor ? { cursor } : {}), ...(limit ? { limit } : {}) });
    pages++;
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.has_more) return { changes, cursor: page.cursor, pages };
  }
}
