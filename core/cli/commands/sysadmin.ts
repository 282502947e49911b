import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { keyValues } from '../args.ts';

export function registerSysadmin(program: Command, cli: CliContext) {
  const sysadmin = program.command('sysadmin').description('Manage sysadmins');

  sysadmin
    .command('add <name> [fields...]')
    .description('Make a user a sysadmin; with email=… password=… a missing user is created first')
    .action(async (name: string, fields: string[]) => {
      const values = keyValues(fields);
      const kernel = await cli.kernel('sysadmin add');
      const { repos, knex } = kernel.container.cradle;
      let user = await repos.users.get(knex, name);
      if (!user) {
        if (!values.email) throw new Error(`User "${name}" does not exist; run kho sysadmin add ${name} email=… password=… to create it`);
        await kernel.context().action('user_create', { ...values, name });
        user = await repos.users.get(knex, name);
      }
      await repos.users.update(knex, user!.id, { sysadmin: true });
      process.stdout.write(`"${user!.name}" is now a sysadmin.\n`);
    });

  sysadmin
    .command('remove <name>')
    .description('Take sysadmin rights away from a user')
    .action(async (name: string) => {
      const kernel = await cli.kernel('sysadmin remove');
      const { repos, knex } = kernel.container.cradle;
      const user = await repos.users.get(knex, name);
      if (!user) throw new Error(`User "${name}" does not exist`);
      await repos.users.update(knex, user.id, { sysadmin: false });
      process.stdout.write(`"${user.name}" is no longer a sysadmin.\n`);
    });

  sysadmin
    .command('list')
    .description('List sysadmins')
    .action(async () => {
      const kernel = await cli.kernel('sysadmin list');
      const rows = await kernel.database.knex('user').where({ sysadmin: true }).whereNot('state', 'deleted').orderBy('name').select('name');
      for (const row of rows) process.stdout.write(`${row.name}\n`);
    });
}
