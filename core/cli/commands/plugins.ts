import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { readConfigSources, requestedPlugins } from '../../config/load.ts';
import { availablePlugins, loadPlugins } from '../../plugins/loader.ts';

export function registerPluginsCommand(program: Command, cli: CliContext) {
  const plugins = program.command('plugins').description('Plugins');
  plugins
    .command('list')
    .description('List the plugins shipped with Kho, marking the enabled ones')
    .action(async () => {
      const file = cli.configFile();
      const enabled = requestedPlugins(readConfigSources(file ? { file } : {}));
      const all = await loadPlugins(availablePlugins());
      for (const plugin of all) {
        const mark = enabled.includes(plugin.name) ? 'enabled ' : 'disabled';
        const deps = plugin.dependsOn?.length ? ` (needs ${plugin.dependsOn.join(', ')})` : '';
        process.stdout.write(`${mark}  ${plugin.name}@${plugin.version}  ${plugin.description ?? ''}${deps}\n`);
      }
    });
}
