// `kho search rebuild` and `kho search check` (CKAN's `ckan search-index rebuild` / `check`), for
// whichever search backend is configured. `kho search-index …` is kept as another name.
import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import type { IndexCheck } from '../../search/search-index.ts';

function describeCheck(check: IndexCheck, backend: string): string {
  const lines = [`${backend}: ${check.indexed} of ${check.total} datasets indexed`];
  const list = (label: string, ids: string[], total?: number) => {
    if (!ids.length) return;
    lines.push(`${label}: ${total ?? ids.length}${total !== undefined && total > ids.length ? ` (first ${ids.length} below)` : ''}`);
    for (const id of ids) lines.push(`  ${id}`);
  };
  list('missing from the index', check.missing, check.total - check.indexed);
  list('stale in the index', check.stale);
  list('in the index but no longer datasets', check.extra);
  if (check.pending) lines.push(`changes waiting to be sent to the index: ${check.pending}`);
  if (!check.missing.length && !check.stale.length && !check.extra.length) lines.push('the index matches the datasets');
  return lines.join('\n') + '\n';
}

function mount(search: Command, cli: CliContext, name: string) {
  search
    .command('rebuild')
    .description('Re-index every dataset from the database (Elasticsearch: into a new index, then swap the alias)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (options: { quiet?: boolean }) => {
      const kernel = await cli.kernel(`${name} rebuild`);
      const { searchIndex } = kernel.container.cradle;
      if (!searchIndex.rebuild) throw new Error(`The ${searchIndex.name} search backend cannot rebuild`);
      const started = Date.now();
      let last = 0;
      const count = await searchIndex.rebuild({
        onProgress: (done) => {
          if (options.quiet || Date.now() - last < 2000) return;
          last = Date.now();
          process.stderr.write(`  ${done} datasets…\n`);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`Re-indexed ${count} datasets (${searchIndex.name}) in ${seconds.toFixed(1)} s.\n`);
    });
  search
    .command('check')
    .description('Report datasets missing from the search index, stale in it, or indexed but gone; exit code 1 if any')
    .option('--limit <n>', 'ids listed per kind', '20')
    .action(async (options: { limit: string }) => {
      const kernel = await cli.kernel(`${name} check`);
      const { searchIndex } = kernel.container.cradle;
      if (!searchIndex.check) throw new Error(`The ${searchIndex.name} search backend cannot check its index`);
      const check = await searchIndex.check({ limit: Math.max(0, Number.parseInt(options.limit, 10) || 20) });
      process.stdout.write(describeCheck(check, searchIndex.name));
      if (check.missing.length || check.stale.length || check.extra.length) {
        await cli.close();
        process.exitCode = 1;
      }
    });
}

export function registerSearchIndex(program: Command, cli: CliContext) {
  mount(program.command('search').description('Search index: rebuild, check'), cli, 'search');
  mount(program.command('search-index').description('Search index (the same as `kho search`)'), cli, 'search-index');
}
