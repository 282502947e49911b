// IPackageController hooks: harvest sources (datasets of type "harvest") stay out of normal search,
// as in ckanext-harvest; the harvest_source row follows its dataset (edited, deleted, purged); a
// purged harvested dataset releases its identity so the next run may create it again.
import type { IPackageController } from '../../../core/plugins/interfaces.ts';
import { M } from '../i18n/messages.ts';
import { jobs, records, sources } from '../model/repo.ts';
import { abortJob } from '../services/jobs.ts';

export const packageHooks: IPackageController = {
  before_dataset_search(params) {
    const fq = typeof params.fq === 'string' ? params.fq : '';
    if (!fq.includes('dataset_type:harvest')) params.fq = `${fq} -dataset_type:harvest`;
    return params;
  },

  async after_dataset_update(context, pkg) {
    if (pkg.type !== 'harvest') return;
    const db = context.db();
    const row = await sources.get(db, pkg.id);
    if (!row) return;
    await sources.update(db, pkg.id, {
      url: typeof pkg.url === 'string' && pkg.url ? pkg.url : row.url,
      title: pkg.title ?? row.title,
      description: pkg.notes ?? null,
      publisher_id: pkg.owner_org ?? row.publisher_id,
    });
  },

  async after_dataset_delete(context, pkg) {
    if (pkg.type !== 'harvest') return;
    const db = context.db();
    if (!(await sources.get(db, pkg.id))) return;
    await sources.update(db, pkg.id, { active: false });
    const now = context.services.clock.nowIso();
    for (const job of await jobs.list(db, { sourceId: pkg.id })) {
      if (job.status === 'New' || job.status === 'Running') await abortJob(db, job.id, M.sourceDeactivated, now);
    }
  },

  async after_dataset_purge(context, pkg) {
    const db = context.db();
    if (pkg.type === 'harvest') await sources.remove(db, pkg.id);
    else await records.removeForPackage(db, pkg.id);
  },
};
