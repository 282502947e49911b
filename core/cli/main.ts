// `kho`: CKAN's command verbs (serve, db upgrade, user add, sysadmin add, user token add, …) over the
// same configuration and actions as the server. Every failure is one line on stderr and exit code 1.
import { Command } from 'commander';
import { ActionError, ConfigError, ValidationError } from '../errors.ts';
import { readConfigSources, requestedPlugins, resolveConfig } from '../config/load.ts';
import { availablePlugins, loadPlugins } from '../plugins/loader.ts';
import { registerPlugins } from '../plugins/register.ts';
import { ActionRegistry } from '../actions/registry.ts';
import { HookRegistry } from '../plugins/hooks.ts';
import { FieldRegistry } from '../validation/fields.ts';
import type { SectionDecl } from '../config/declare.ts';
import { createKernel, type Kernel } from '../app.ts';
import { registerServe } from './commands/serve.ts';
import { registerDb } from './commands/db.ts';
import { registerUser } from './commands/user.ts';
import { registerSysadmin } from './commands/sysadmin.ts';
import { registerPluginsCommand } from './commands/plugins.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerSeed } from './commands/seed.ts';
import { registerSearchIndex } from './commands/search-index.ts';
import { registerConfig } from './commands/config.ts';

export interface CliContext {
  /** The config file given with --config (else KHO_CONFIG). */
  configFile(): string | undefined;
  /** Boot (once) a kernel for a command that needs the database; `overrides` are its flags' config. */
  kernel(command: string, overrides?: Record<string, unknown>): Promise<Kernel>;
  /** Close the kernel if one was opened. */
  close(): Promise<void>;
  /** For commands that run until a signal (serve, jobs worker): they close the kernel themselves. */
  keepRunning(): void;
}

function configFileFromArgv(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-c' || argv[i] === '--config') return argv[i + 1];
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length);
  }
  return undefined;
}

async function main(argv: string[]): Promise<void> {
  const file = configFileFromArgv(argv);
  let kernel: Kernel | null = null;
  let running = false;
  const cli: CliContext = {
    configFile: () => file,
    async kernel(command, overrides) {
      kernel ??= await createKernel({ config: { ...(file ? { file } : {}), ...(overrides ? { overrides } : {}) }, command });
      return kernel;
    },
    async close() {
      if (kernel) await kernel.close();
      kernel = null;
    },
    keepRunning() {
      running = true;
    },
  };

  const program = new Command('kho')
    .description('Kho — open-data portal server speaking the CKAN Action API')
    .option('-c, --config <file>', 'configuration file (default: $KHO_CONFIG, on top of config/default.yaml)')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerServe(program, cli);
  registerDb(program, cli);
  registerUser(program, cli);
  registerSysadmin(program, cli);
  registerPluginsCommand(program, cli);
  registerJobs(program, cli);
  registerSeed(program, cli);
  registerSearchIndex(program, cli);
  registerConfig(program, cli);

  // Plugins add their own commands (IClick); registering them needs the config but no database.
  const sources = readConfigSources(file ? { file } : {});
  const plugins = await loadPlugins(requestedPlugins(sources));
  const decls: Record<string, SectionDecl> = {};
  for (const plugin of plugins) decls[plugin.name] = plugin.config ?? {};
  const config = resolveConfig(sources, decls, availablePlugins());
  const extensions = registerPlugins(plugins, { config, actions: new ActionRegistry(), hooks: new HookRegistry(), fields: new FieldRegistry() });
  for (const { mount } of extensions.cli) mount(program, { kernel: () => cli.kernel('plugin command') });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    // Every other command closes the kernel, whatever exit code it chose (an open database or job
    // worker would keep the process alive).
    if (!running) await cli.close();
  }
}

function describeValidation(err: ValidationError): string {
  return Object.entries(err.body())
    .map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ') : String(messages)}`)
    .join('; ');
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
  else if (err instanceof ValidationError) process.stderr.write(`Invalid: ${describeValidation(err)}\n`);
  else if (err instanceof ActionError) process.stderr.write(`${err.message}\n`);
  else if (process.env.KHO_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  else process.stderr.write(`Error: ${(err as Error).message}\n`);
  process.exit(1);
});
