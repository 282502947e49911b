// Group and organization actions (ckan/logic/action/*.py: group_*, organization_*, member_*).
// Groups and organizations share CKAN's "group" table and one namespace of names; the actions come
// in pairs that differ only in which kind they serve.
import type { ActionDefinition } from './types.ts';
import { readActions } from './group/read.ts';
import { writeActions } from './group/write.ts';
import { memberActions } from './group/members.ts';

export { groupAuth } from '../auth/functions/group.ts';

export const groupActions: Record<string, ActionDefinition> = {
  ...readActions,
  ...writeActions,
  ...memberActions,
};
