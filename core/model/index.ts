// Repositories: the only code that writes SQL for the core's own tables. Each takes the query
// handle (pool or transaction) first, so callers decide the transaction.
import { apiTokens } from './api-tokens.ts';
import { collaborators } from './collaborators.ts';
import { datasetLookups } from './dataset-lookups.ts';
import { groups } from './groups.ts';
import { members } from './members.ts';
import { createPackagesRepository } from './packages.ts';
import type { PackageCache } from './package-cache.ts';
import { resources } from './resources.ts';
import { systemInfo } from './system-info.ts';
import { tags } from './tags.ts';
import { users } from './users.ts';
import { vocabularies } from './vocabularies.ts';

export interface RepositoryOptions {
  /** Cache for package reads (null: always read the database). */
  packageCache: PackageCache | null;
}

export function createRepositories(options: RepositoryOptions) {
  const packages = createPackagesRepository(options.packageCache);
  return { apiTokens, collaborators, datasetLookups, groups, members, packages, resources, systemInfo, tags, users, vocabularies };
}

export type Repositories = ReturnType<typeof createRepositories>;
export type { Db } from './db.ts';
