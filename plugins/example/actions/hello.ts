import type { ActionDefinition, ActionHandler, AuthDefinition } from '../../../core/actions/types.ts';

export function exampleActions(greeting: string): Record<string, ActionDefinition> {
  return {
    example_hello: {
      sideEffectFree: true,
      doc: 'Say hello to the caller.\n\n:rtype: {greeting, user}',
      handler: (context) => ({ greeting, user: context.user?.name ?? null }),
    },
    example_dataset_events: {
      sideEffectFree: true,
      doc: 'List what happened to a dataset, as recorded by the example plugin. Sysadmins only.\n\n:param id: dataset id',
      async handler(context, data) {
        const rows = await context.db()('example_event').where('package_id', String(data.id ?? '')).orderBy('seq').select('event', 'name');
        return rows;
      },
    },
  };
}

export const exampleAuth: Record<string, AuthDefinition> = {
  example_hello: { allowAnonymous: true, fn: () => true },
  example_dataset_events: { fn: () => ({ success: false, msg: 'Only sysadmins may list dataset events' }) },
};

/** chained_action: status_show also reports the plugin's greeting. */
export function chainStatusShow(greeting: string) {
  return (previous: ActionHandler): ActionHandler =>
    async (context, data) => ({ ...((await previous(context, data)) as object), example_greeting: greeting });
}
