// Repositories: the only code that writes SQL for the core's own tables. Each takes the query
// handle (pool or transaction) first, so callers decide the transaction.
import { apiTokens } from './api-tokens.ts';
import { collaborators } from './collaborators.ts';
import { groups } from './groups.ts';
import { members } from './members.ts';
import { packages } from './packages.ts';
import { resources } from './resources.ts';
import { systemInfo } from './system-info.ts';
import { tags } from './tags.ts';
import { users } from './users.ts';

export const repositories = { apiTokens, collaborators, groups, members, packages, resources, systemInfo, tags, users };

export type Repositories = typeof repositories;
export type { Db } from './db.ts';
