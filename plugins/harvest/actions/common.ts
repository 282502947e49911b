// Helpers shared by the harvest actions: finding sources and jobs by id or name, the source dict as
// harvest_source_show prints it, and who may see secrets.
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { capacityIn } from '../../../core/auth/authz.ts';
import { HARVESTERS, fullConfigSpec } from '../harvesters/index.ts';
import { iso, jobs, records, type JobRow } from '../model/repo.ts';
import { maskSecrets } from '../schemas/config-spec.ts';
import { jobDict } from '../services/jobs.ts';
import { loadSource, type LoadedSource } from '../services/sources.ts';

export function requireParam(data: DataDict, ...keys: string[]): string {
  for (const key of keys) {
    const value = data[key];
    if (value !== undefined && value !== null && value !== '') return String(value);
  }
  throw new ValidationError({ [keys[0]]: ['Missing value'] });
}

/** The source named by id, name, or (for harvest_source_show) url; NotFound otherwise. */
export async function findSource(context: ActionContext, ref: string): Promise<LoadedSource> {
  const loaded = await loadSource(context.services, context.db(), ref);
  if (!loaded) throw new NotFound(`Harvest source ${ref} does not exist`);
  return loaded;
}

export async function findJob(context: ActionContext, id: string): Promise<JobRow> {
  const job = await jobs.get(context.db(), id);
  if (!job) throw new NotFound(`Harvest job ${id} does not exist`);
  return job;
}

/** Sysadmins and admins of the source's organization see credentials in the config. */
export async function maySeeSecrets(context: ActionContext, ownerOrg: string | null): Promise<boolean> {
  if (context.ignoreAuth || context.user?.sysadmin) return true;
  if (!context.user || !ownerOrg) return false;
  return (await capacityIn(context.db(), context.user.id, ownerOrg)) === 'admin';
}

export function configText(loaded: LoadedSource, secrets: boolean): string {
  const harvester = HARVESTERS.get(loaded.row.type);
  const config = loaded.view.config;
  if (!Object.keys(config).length) return '';
  return JSON.stringify(secrets || !harvester ? config : maskSecrets(fullConfigSpec(harvester), config));
}

/** harvest_source_show_status: job count, the last job, datasets harvested. */
export async function sourceStatus(context: ActionContext, sourceId: string): Promise<DataDict> {
  const db = context.db();
  const count = await jobs.count(db, sourceId);
  const latest = count ? await jobs.latest(db, sourceId) : undefined;
  return {
    job_count: count,
    last_job: latest ? await jobDict(db, latest) : null,
    total_datasets: await records.countActive(db, sourceId),
  };
}

/** The dataset of type harvest with the source's fields at the top level (ckanext-harvest's show schema). */
export async function sourceDict(context: ActionContext, loaded: LoadedSource): Promise<DataDict> {
  const pkg: DataDict = loaded.pkg ? { ...loaded.pkg } : { id: loaded.row.id };
  const secrets = await maySeeSecrets(context, loaded.view.owner_org);
  pkg.extras = (pkg.extras ?? []).filter((extra: DataDict) => !['source_type', 'frequency', 'config'].includes(extra.key));
  pkg.url = loaded.row.url;
  pkg.source_type = loaded.row.type;
  pkg.frequency = loaded.row.frequency;
  pkg.config = configText(loaded, secrets);
  pkg.active = loaded.row.active && pkg.state !== 'deleted';
  pkg.next_run = iso(loaded.row.next_run);
  pkg.status = await sourceStatus(context, loaded.row.id);
  return pkg;
}
