// The database a benchmark runs on: the PostgreSQL server of $KHO_BENCH_DATABASE_URL if set;
// otherwise a throwaway PostgreSQL cluster when Debian's initdb is installed (run as the postgres
// user when we are root, since initdb refuses root); otherwise the embedded PGlite, with a label
// saying so, because the goals are stated for PostgreSQL.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';

export interface BenchDatabase {
  /** What the figures were measured on, for the report's first line. */
  label: string;
  /** A fresh, empty database called `name` on the server and its URL; null on the embedded database. */
  create(name: string): Promise<string | null>;
  stop(): void;
}

function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  for (const version of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
    const bin = path.join(base, version, 'bin');
    if (existsSync(path.join(bin, 'initdb'))) return bin;
  }
  return null;
}

function onServer(adminUrl: string, label: string, stop: () => void): BenchDatabase {
  return {
    label,
    async create(name) {
      const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      try {
        await admin.raw(`drop database if exists ${name}`);
        await admin.raw(`create database ${name}`);
      } finally {
        await admin.destroy();
      }
      return Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
    },
    stop,
  };
}

function throwawayCluster(bin: string): BenchDatabase {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-pg-'));
  const root = process.getuid?.() === 0;
  const run = (command: string) => {
    const result = root ? spawnSync('su', ['postgres', '-c', command], { stdio: 'pipe' }) : spawnSync('bash', ['-c', command], { stdio: 'pipe' });
    if (result.status !== 0) throw new Error(`${command}: ${result.stderr}`);
  };
  if (root) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()), Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim()));
  run(`'${bin}/initdb' -D '${dir}/data' -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null`);
  // A random port may be taken (another cluster, a test run): try a few.
  let port = 0;
  for (let attempt = 1; !port; attempt++) {
    const candidate = 54000 + Math.floor(Math.random() * 1900);
    try {
      // Durability is not what is measured: synchronous_commit=off keeps fsync waits out of the figures.
      run(`'${bin}/pg_ctl' -D '${dir}/data' -o "-p ${candidate} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c synchronous_commit=off -c max_connections=100" -l '${dir}/log' -w start >/dev/null`);
      port = candidate;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
  return onServer(`postgres://postgres@127.0.0.1:${port}/postgres`, `PostgreSQL ${path.basename(path.dirname(bin))} (throwaway cluster, shared_buffers=256MB)`, () => {
    try {
      run(`'${bin}/pg_ctl' -D '${dir}/data' -m fast stop >/dev/null`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

export function benchDatabase(): BenchDatabase {
  const given = process.env.KHO_BENCH_DATABASE_URL;
  if (given) return onServer(given, 'PostgreSQL (KHO_BENCH_DATABASE_URL)', () => {});
  const bin = findPostgresBin();
  if (bin) return throwawayCluster(bin);
  return { label: 'embedded PGlite (no PostgreSQL found: the goals are stated for PostgreSQL)', create: async () => null, stop() {} };
}
