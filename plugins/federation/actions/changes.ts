// federation_changes: the province's change feed, for a national portal (or any consumer) that
// wants every creation, update, deletion and purge without re-reading the whole catalogue.
import type { ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import { both, M } from '../i18n/messages.ts';
import { compactChanges, readChanges } from '../services/changes.ts';
import type { FederationSettings } from '../settings.ts';
import type { JobDefinition } from '../../../core/jobs/types.ts';

export function limitOf(data: DataDict, settings: FederationSettings): number {
  if (data.limit === undefined || data.limit === null || data.limit === '') return settings.changes_page_size;
  const limit = Number(data.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > settings.changes_max_page_size) throw new ValidationError({ limit: [both(M.limitRange(settings.changes_max_page_size))] });
  return limit;
}

export function changeActions(settings: FederationSettings): Record<string, ActionDefinition> {
  return {
    federation_changes: {
      sideEffectFree: true,
      doc:
        'Every public dataset created, updated, deleted or purged since a cursor, in commit order, a page at a time. ' +
        'Each change carries the package_show dict, or is a tombstone (package null) when the dataset was deleted, purged or made private. ' +
        'Datasets that were never public never appear.\n\n' +
        ':param cursor: the cursor a previous call returned (omit to start from the beginning)\n' +
        `:param limit: log entries read per page (default ${settings.changes_page_size}, at most ${settings.changes_max_page_size})\n` +
        ':returns: {changes: [{id, name, change: created|updated|deleted|purged, metadata_modified, package}], cursor, has_more}; ' +
        'when has_more is false, keep cursor and call again later to get what changed since\n:rtype: dictionary',
      async handler(context, data) {
        return readChanges(context.db(), data.cursor, limitOf(data, settings));
      },
    },
  };
}

export const changeAuth: Record<string, AuthDefinition> = {
  // Only public datasets are in the feed: anyone may read it, as anyone may call package_search.
  federation_changes: { allowAnonymous: true, fn: () => true },
};

/** Keeps the change log to about one entry per dataset (services/changes.ts compactChanges). */
export const COMPACT_JOB = 'federation.compact_changes';
export const compactJob: JobDefinition<unknown> = {
  timeoutMs: 30 * 60 * 1000,
  async handler(_payload, job) {
    const { knex, logger } = job.scope.cradle;
    const removed = await compactChanges(knex);
    if (removed) logger.info({ removed }, 'federation change log compacted');
    return { removed };
  },
};
