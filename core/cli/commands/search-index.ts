import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

export function registerSearchIndex(program: Command, cli: CliContext) {
  const search = program.command('search-index').description('Search index');
  search
    .command('rebuild')
    .description('Re-index every dataset from the database')
    .action(async () => {
      const kernel = await cli.kernel('search-index rebuild');
      const { searchIndex } = kernel.container.cradle;
      if (!searchIndex.rebuild) throw new Error(`The ${searchIndex.name} search backend cannot rebuild`);
      const count = await searchIndex.rebuild();
      process.stdout.write(`Re-indexed ${count} datasets (${searchIndex.name}).\n`);
    });
}
