// The `kho` command as an operator uses it, run as a real process against a real data folder.
// With TEST_DATABASE_URL set, the commands run against that PostgreSQL server instead.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/config/load.ts';
import { createKernel } from '../../core/app.ts';
import { freshPostgresDatabase } from '../helpers/server.ts';

const BIN = path.join(PROJECT_ROOT, 'core/cli/bin.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a `kho` child: this one's, less its KHO_* variables (a CI runner's own, which
 * name no config key, would each add a warning line to the output the tests read), plus `env`.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KHO_')));
  return { ...inherited, ...env };
}

function kho(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(env), cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start `kho serve` and resolve once it says where it listens. */
function serve(env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; url: string; stdout: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: childEnv(env), cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const timer = setTimeout(() => reject(new Error(`kho serve did not start: ${stderr}`)), 60000);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+?),/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stdout: () => stdout, exited });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`kho serve exited with ${code}: ${stderr}`));
    });
  });
}

async function post(url: string, action: string, data: unknown, token?: string) {
  const response = await fetch(`${url}/api/3/action/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: JSON.stringify(data),
  });
  return { status: response.status, body: await response.json() };
}

describe('kho CLI', function () {
  this.timeout(120000);
  let dataDir: string;
  let env: Record<string, string>;
  let dropDatabase: (() => Promise<void>) | null = null;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kho-cli-'));
    env = { KHO_DATA_DIR: dataDir, KHO_PORT: '0', KHO_HOST: '127.0.0.1', KHO_LOG_LEVEL: 'warn', KHO_CONFIG: '', KHO_PLUGINS: '' };
    if (process.env.TEST_DATABASE_URL) {
      const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL);
      env.KHO_DATABASE_URL = fresh.url;
      dropDatabase = fresh.drop;
    }
  });
  after(async () => {
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('kho db upgrade applies the migrations once, then reports the database up to date', async () => {
    const first = await kho(['db', 'upgrade'], { ...env, KHO_LOG_LEVEL: 'info' });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/Applied \d+ migration\(s\)/);
    expect(first.stdout).to.include('core/0001_core');
    // Log lines go to standard error: standard output is the command's answer.
    expect(first.stdout.split('\n').filter((line) => line.startsWith('{'))).to.deep.equal([]);
    expect(first.stderr).to.include('"msg":"database migrated"');
    const second = await kho(['db', 'upgrade'], env);
    expect(second.code).to.equal(0);
    expect(second.stdout).to.include('already up to date');
  });

  it('first start on an empty database creates sysadmin "admin" and prints its token once; SIGTERM stops it cleanly', async () => {
    const server = await serve(env);
    try {
      const token = /API token: (\S+)/.exec(server.stdout())?.[1];
      expect(token, 'the initial admin token is printed').to.be.a('string');
      // A sysadmin passes auth and reaches validation; an anonymous caller is refused.
      const asAdmin = await post(server.url, 'package_create', {}, token);
      expect(asAdmin.status, 'the token authenticates a sysadmin').to.equal(409);
      const anonymous = await post(server.url, 'package_create', {});
      expect(anonymous.status).to.equal(403);
      // It has an email, as every CKAN user does, so ckanapi can patch it (user_update requires one).
      const email = /email: +(\S+)/.exec(server.stdout())?.[1];
      const patched = await post(server.url, 'user_patch', { id: 'admin', about: 'Phòng CNTT' }, token);
      expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
      expect((patched.body as { result: Record<string, unknown> }).result).to.include({ about: 'Phòng CNTT', email });

      if (!env.KHO_DATABASE_URL) {
        // The embedded database has one writer: a second process refuses with one clear line.
        const blocked = await kho(['user', 'add', 'someone', 'email=a@b.vn', 'password=12345678'], env);
        expect(blocked.code).to.equal(1);
        expect(blocked.stderr.trim().split('\n')).to.have.length(1);
        expect(blocked.stderr).to.match(/is in use by "kho serve" \(pid \d+\)/);
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).to.equal(0);

    const again = await serve(env);
    expect(again.stdout()).not.to.include('API token');
    again.child.kill('SIGTERM');
    expect(await again.exited).to.equal(0);
  });

  it('kho serve -p serves on that port, with site.url following it', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const server = await serve(env, ['-p', String(port)]);
    try {
      expect(server.url).to.equal(`http://127.0.0.1:${port}`);
      expect(server.stdout()).to.include(`Kho is serving http://localhost:${port} `);
      // Still serving a moment later, with its database open (a closed kernel answered 500 here).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const response = await fetch(`${server.url}/api/3/action/package_list`);
      expect(response.status).to.equal(200);
      expect(((await response.json()) as { help: string }).help).to.equal(`http://localhost:${port}/api/3/action/help_show?name=package_list`);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).to.equal(0);
    // A port that is no number is refused by the flag's name, not as some config layer's value.
    const refused = await kho(['serve', '-p', 'abc'], env);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("option '-p, --port <port>' argument 'abc' is invalid. It must be a port number from 0 to 65535");
  });

  it('kho user add / sysadmin add / user token add (which prints only the token)', async () => {
    const added = await kho(['user', 'add', 'so-tai-chinh', 'email=stc@binhdinh.gov.vn', 'password=mat-khau-du-dai', 'fullname=Sở Tài chính'], env);
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.include('Created user "so-tai-chinh"');

    const duplicate = await kho(['user', 'add', 'so-tai-chinh', 'email=x@binhdinh.gov.vn', 'password=mat-khau-du-dai'], env);
    expect(duplicate.code).to.equal(1);
    expect(duplicate.stderr).to.match(/^Invalid: name: /);

    const token = await kho(['user', 'token', 'add', 'so-tai-chinh', 'script'], env);
    expect(token.code, token.stderr).to.equal(0);
    expect(token.stdout).to.match(/^kho_[A-Za-z0-9_-]+\n$/);

    const promoted = await kho(['sysadmin', 'add', 'so-tai-chinh'], env);
    expect(promoted.code, promoted.stderr).to.equal(0);
    const list = await kho(['sysadmin', 'list'], env);
    expect(list.stdout.split('\n')).to.include.members(['admin', 'so-tai-chinh']);

    const server = await serve(env);
    try {
      const create = await post(server.url, 'package_create', {}, token.stdout.trim());
      expect(create.status, 'the new sysadmin token works').to.equal(409);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('kho jobs worker runs queued jobs in its own process and stops cleanly on SIGTERM', async () => {
    const withPlugin = { ...env, KHO_PLUGINS: 'example' };
    const kernel = await createKernel({ config: { file: null, env: withPlugin }, command: 'test' });
    const jobId = await kernel.jobs.queue.enqueue(kernel.database.knex, 'example.tally', {});
    await kernel.close();

    const worker = spawn(process.execPath, [BIN, 'jobs', 'worker'], { env: childEnv(withPlugin), cwd: PROJECT_ROOT });
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    let out = '';
    worker.stdout.on('data', (chunk) => (out += chunk));
    for (let i = 0; i < 300 && !out.includes('running'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out).to.match(/Job worker \S+ running/);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    worker.kill('SIGTERM');
    expect(await exited).to.equal(0);

    const check = await createKernel({ config: { file: null, env: withPlugin }, command: 'test' });
    try {
      const job = await check.jobs.queue.get(jobId!);
      expect(job?.state).to.equal('succeeded');
    } finally {
      await check.close();
    }
  });

  it('kho plugins list shows the shipped plugins and whether they are enabled', async () => {
    const listed = await kho(['plugins', 'list'], { ...env, KHO_PLUGINS: 'example' });
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/^enabled +example@1\.0\.0 /m);
    const disabled = await kho(['plugins', 'list'], env);
    expect(disabled.stdout).to.match(/^disabled +example@/m);
  });

  it('plugins add their own commands (IClick)', async () => {
    const result = await kho(['example', 'events'], { ...env, KHO_PLUGINS: 'example' });
    expect(result.code, result.stderr).to.equal(0);
  });

  it('a configuration error stops with one line on stderr and exit code 1', async () => {
    const result = await kho(['db', 'upgrade'], { ...env, KHO_PORT: 'abc' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal('Config: "server.port" must be an integer (got "abc") in environment variable KHO_PORT\n');
    const unknown = await kho(['db', 'upgrade'], { ...env, KHO_PLUGINS: 'nope' });
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^Config: unknown plugin "nope" in plugins \(available: .*\)\n$/);
  });

  it('kho config declaration documents every key with its environment variable', async () => {
    const result = await kho(['config', 'declaration'], env);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('server.port  (integer, default 5000, env KHO_SERVER_PORT or KHO_PORT)');
    expect(result.stdout).to.include('example.greeting');
  });
});
