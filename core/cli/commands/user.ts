import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { keyValues } from '../args.ts';

export function registerUser(program: Command, cli: CliContext) {
  const user = program.command('user').description('Manage users and their API tokens');

  user
    .command('add <name> [fields...]')
    .description('Create a user: kho user add NAME email=… password=… [fullname=…] (a password is generated and printed when omitted)')
    .action(async (name: string, fields: string[]) => {
      const values = keyValues(fields);
      const kernel = await cli.kernel('user add');
      const generated = values.password ? null : randomBytes(12).toString('base64url');
      const created = await kernel.context().action('user_create', { ...values, name, password: values.password ?? generated });
      process.stdout.write(`Created user "${created.name}" (${created.id}).\n`);
      if (generated) process.stdout.write(`Password (shown once): ${generated}\n`);
    });

  user
    .command('list')
    .description('List users')
    .action(async () => {
      const kernel = await cli.kernel('user list');
      const users = await kernel.context().action<Array<Record<string, any>>>('user_list', { all_fields: true });
      for (const u of users) process.stdout.write(`${u.name}\t${u.sysadmin ? 'sysadmin' : ''}\t${u.fullname ?? ''}\n`);
    });

  user
    .command('remove <name>')
    .description('Delete a user (their tokens stop working)')
    .action(async (name: string) => {
      const kernel = await cli.kernel('user remove');
      await kernel.context().action('user_delete', { id: name });
      process.stdout.write(`Deleted user "${name}".\n`);
    });

  const token = user.command('token').description('API tokens');
  token
    .command('add <username> <tokenName>')
    .description('Create an API token and print only the token (so scripts can capture it)')
    .option('--expires-in <n>', 'expire after n units')
    .option('--unit <seconds>', 'length of one unit in seconds (default 86400, a day)')
    .action(async (username: string, tokenName: string, options: { expiresIn?: string; unit?: string }) => {
      const kernel = await cli.kernel('user token add');
      const data: Record<string, unknown> = { user: username, name: tokenName };
      if (options.expiresIn) {
        data.expires_in = Number(options.expiresIn);
        data.unit = Number(options.unit ?? 86400);
      }
      const result = await kernel.context().action<{ token: string }>('api_token_create', data);
      process.stdout.write(result.token + '\n');
    });
  token
    .command('list <username>')
    .description("List a user's API tokens (ids, names, last use)")
    .action(async (username: string) => {
      const kernel = await cli.kernel('user token list');
      const tokens = await kernel.context().action<Array<Record<string, any>>>('api_token_list', { user_id: username });
      for (const t of tokens) process.stdout.write(`${t.id}\t${t.name}\tcreated ${t.created_at}\tlast used ${t.last_access ?? 'never'}\n`);
    });
  token
    .command('revoke <id>')
    .description('Revoke an API token by its id')
    .action(async (id: string) => {
      const kernel = await cli.kernel('user token revoke');
      await kernel.context().action('api_token_revoke', { jti: id });
      process.stdout.write(`Revoked token ${id}.\n`);
    });
}
