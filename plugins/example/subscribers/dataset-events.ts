// IPackageController hooks. They run inside the dataset's transaction, so an event row exists if and
// only if the dataset change it records was committed.
import type { IPackageController } from '../../../core/plugins/interfaces.ts';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';

async function record(context: ActionContext, pkg: DataDict, event: string) {
  await context.db()('example_event').insert({ package_id: pkg.id, name: pkg.name, event });
}

export const datasetEvents: IPackageController = {
  before_dataset_create(_context, pkg) {
    // A dataset with a theme and no tags gets the theme as its first tag.
    if (pkg.example_theme && pkg.tags.length === 0) pkg.tags.push({ name: pkg.example_theme, vocabulary_id: null });
  },
  after_dataset_create: (context, pkg) => record(context, pkg, 'created'),
  after_dataset_update: (context, pkg) => record(context, pkg, 'updated'),
  after_dataset_delete: (context, pkg) => record(context, pkg, 'deleted'),
  before_dataset_index(doc, pkg) {
    return { ...doc, example_has_theme: pkg.example_theme ? 'yes' : 'no' };
  },
};
