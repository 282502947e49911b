import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { seedDemo } from '../seed/demo.ts';

export function registerSeed(program: Command, cli: CliContext) {
  const seed = program.command('seed').description('Sample data');
  seed
    .command('demo')
    .description('Create a demo province: a dozen agencies with Vietnamese names and about 100 datasets with resources (safe to run again)')
    .action(async () => {
      const kernel = await cli.kernel('seed demo');
      const summary = await seedDemo(kernel.context());
      process.stdout.write(`Demo province ready: ${summary.organizations} organizations, ${summary.datasets} datasets (${summary.created} new).\n`);
    });
}
