// `kho serve` in a process of its own for a benchmark: the server measured shares nothing with the
// process that seeds, drives or measures it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stopping = new WeakSet<ChildProcess>();

/** What every benchmarked Kho gets: an ephemeral port on loopback, quiet logs, no config file and no
 *  first-start admin; each bench adds its data folder, database and plugins. */
export const BENCH_SERVER_ENV: Readonly<Record<string, string>> = {
  KHO_PORT: '0',
  KHO_HOST: '127.0.0.1',
  KHO_LOG_LEVEL: 'warn',
  KHO_LOG_REQUESTS: 'false',
  KHO_PLUGINS: '',
  KHO_CONFIG: '',
  KHO_AUTH_CREATE_INITIAL_ADMIN: 'false',
};

export interface KhoProcess {
  child: ChildProcess;
  /** Where it listens, as it printed it. */
  url: string;
}

export interface ServeOptions {
  /** Node options before the script, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Called when the process ends without stopKho having asked it to (a crash worth reporting). */
  onUnexpectedExit?(code: number | null, signal: NodeJS.Signals | null): void;
}

/** Resolves once the server says where it listens; rejects if it exits before. */
export function serveKho(env: Record<string, string>, options: ServeOptions = {}): Promise<KhoProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(PROJECT_ROOT, 'core/cli/bin.js'), 'serve'], { env: { ...process.env, ...env }, cwd: PROJECT_ROOT });
    let out = '';
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+?),/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('close', (code, signal) => {
      if (!stopping.has(child)) options.onUnexpectedExit?.(code, signal);
      reject(new Error(`kho serve exited with ${code ?? signal}`));
    });
  });
}

/** SIGTERM (a graceful shutdown, as in production) and wait until the process has gone. */
export async function stopKho(child: ChildProcess | null | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  stopping.add(child);
  child.kill('SIGTERM');
  await closed;
}

/** Resolves when the process prints a line matching `pattern` (from now on). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kho serve did not print ${pattern} in ${timeoutMs / 1000} s`)), timeoutMs);
    const listen = (chunk: Buffer) => {
      out += chunk;
      if (!pattern.test(out)) return;
      clearTimeout(timer);
      child.stdout?.off('data', listen);
      resolve();
    };
    child.stdout?.on('data', listen);
  });
}
