// Only one process may open an embedded PGlite data folder: two writers would corrupt it. The lock
// is a file holding the owner's pid, so a lock left by a crashed process is detected and replaced.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';

export interface DataDirLock {
  release(): void;
}

interface LockInfo {
  pid: number;
  command: string;
  started: string;
}

export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'kho.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      const info: LockInfo = { pid: process.pid, command, started: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const current = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
          if (current.pid === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new ConfigError(
          `The embedded database in ${path.resolve(dataDir)} is in use by "kho ${holder.command}" (pid ${holder.pid}); stop it first, or use a PostgreSQL server (database.url) to run commands alongside the server.`,
        );
      }
      if (holder && holder.pid === process.pid) {
        throw new ConfigError(`The embedded database in ${path.resolve(dataDir)} is already open in this process.`);
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new ConfigError(`Could not lock ${path.resolve(dataDir)}.`);
}

function readHolder(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
