import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { envVariableFor, listDeclarations } from '../../config/load.ts';
import { coreConfigDecl } from '../../config/schema.ts';
import { availablePlugins, loadPlugins } from '../../plugins/loader.ts';

export function registerConfig(program: Command, _cli: CliContext) {
  const config = program.command('config').description('Configuration');
  config
    .command('declaration')
    .description('Print every configuration key with its type, default and description (core and shipped plugins)')
    .action(async () => {
      const sections: Array<[string, Record<string, any>]> = [['core', coreConfigDecl]];
      for (const plugin of await loadPlugins(availablePlugins())) if (plugin.config) sections.push([plugin.name, { [plugin.name]: plugin.config }]);
      for (const [owner, decl] of sections) {
        process.stdout.write(`# ${owner}\n`);
        for (const { key, decl: d } of listDeclarations(decl)) {
          const env = envVariableFor(key);
          process.stdout.write(`${key}  (${d.type}${d.values ? `: ${d.values.join('|')}` : ''}, default ${JSON.stringify(d.default)}, env ${d.env && d.env !== env ? `${env} or ${d.env}` : env})\n    ${d.description}\n`);
        }
      }
    });
}
