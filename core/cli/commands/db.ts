import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

export function registerDb(program: Command, cli: CliContext) {
  const db = program.command('db').description('Database commands');
  db.command('upgrade')
    .description('Apply pending migrations of the core and the enabled plugins (the server also does this at start-up)')
    .action(async () => {
      // Opening the kernel applies what is pending.
      const kernel = await cli.kernel('db upgrade');
      const applied = kernel.appliedMigrations;
      process.stdout.write(
        applied.length
          ? `Applied ${applied.length} migration(s) to ${kernel.database.label}:\n${applied.map((name) => `  ${name}`).join('\n')}\n`
          : `${kernel.database.label} is already up to date.\n`,
      );
    });
}
