// A harvest source as the runner and the actions see it: the harvest_source row joined with its
// dataset of type "harvest" (name, organization), and its parsed config.
import type { Cradle } from '../../../core/container.ts';
import type { SourceView } from '../harvesters/types.ts';
import { sources, type Db, type SourceRow } from '../model/repo.ts';

export function parseConfig(text: string | null | undefined): Record<string, any> {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

export interface LoadedSource {
  row: SourceRow;
  view: SourceView;
  /** The dataset of type harvest, as package_show prints it. */
  pkg: Record<string, any> | null;
}

export async function loadSource(services: Cradle, db: Db, ref: string): Promise<LoadedSource | null> {
  let row = await sources.get(db, ref);
  let pkgRow = row ? await services.repos.packages.get(db, row.id) : await services.repos.packages.get(db, ref);
  if (!row && pkgRow?.type === 'harvest') row = await sources.get(db, pkgRow.id);
  if (!row) return null;
  if (!pkgRow) pkgRow = await services.repos.packages.get(db, row.id);
  const pkg = pkgRow ? JSON.parse(pkgRow.data) : null;
  return {
    row,
    pkg,
    view: {
      id: row.id,
      name: pkg?.name ?? row.id,
      title: row.title ?? pkg?.title ?? row.url,
      url: row.url,
      type: row.type,
      owner_org: pkg?.owner_org ?? row.publisher_id ?? null,
      frequency: row.frequency,
      config: parseConfig(row.config),
    },
  };
}
