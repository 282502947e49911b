// Core migrations live in migrations/, each plugin's in its own folder; all are knex migration
// modules (export up/down). They run in that order at start-up and with `kho db upgrade`. A
// plugin's migrations are listed only while it is enabled, so disabling a plugin never fails boot.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { PROJECT_ROOT } from '../config/load.ts';

export interface MigrationFolder {
  /** "core" or the plugin name; prefixes each migration's recorded name. */
  owner: string;
  directory: string;
}

export const CORE_MIGRATIONS: MigrationFolder = { owner: 'core', directory: path.join(PROJECT_ROOT, 'migrations') };

interface Entry {
  name: string;
  file: string;
}

class FolderMigrationSource implements Knex.MigrationSource<Entry> {
  private readonly folders: MigrationFolder[];
  constructor(folders: MigrationFolder[]) {
    this.folders = folders;
  }

  async getMigrations(): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const folder of this.folders) {
      let files: string[];
      try {
        files = readdirSync(folder.directory);
      } catch {
        continue;
      }
      for (const file of files.filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
        entries.push({ name: `${folder.owner}/${file.replace(/\.(ts|js)$/, '')}`, file: path.join(folder.directory, file) });
      }
    }
    return entries;
  }

  getMigrationName(entry: Entry): string {
    return entry.name;
  }

  async getMigration(entry: Entry): Promise<Knex.Migration> {
    return import(pathToFileURL(entry.file).href);
  }
}

export function migrationFolder(owner: string, directory: string | URL): MigrationFolder {
  return { owner, directory: directory instanceof URL ? fileURLToPath(directory) : directory };
}

const config = (folders: MigrationFolder[]): Knex.MigratorConfig => ({
  migrationSource: new FolderMigrationSource(folders),
  tableName: 'kho_migrations',
  // Disabled plugins leave recorded migrations that are no longer listed; that is expected.
  disableMigrationsListValidation: true,
});

/** Apply pending migrations; returns the names applied. */
export async function migrateLatest(knex: Knex, folders: MigrationFolder[]): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config(folders))) as [number, string[]];
  return applied;
}

export async function pendingMigrations(knex: Knex, folders: MigrationFolder[]): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config(folders))) as [unknown[], Entry[]];
  return pending.map((entry) => entry.name);
}
