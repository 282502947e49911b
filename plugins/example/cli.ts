import type { Command } from 'commander';
import type { CliTools } from '../../core/plugins/interfaces.ts';

export function mountCli(program: Command, tools: CliTools) {
  program
    .command('example')
    .description('Example plugin: print how many dataset events were recorded')
    .command('events')
    .action(async () => {
      const kernel = await tools.kernel();
      const rows = await kernel.database.knex('example_event').select('event').count('* as count').groupBy('event').orderBy('event');
      for (const row of rows) process.stdout.write(`${row.event}\t${row.count}\n`);
    });
}
