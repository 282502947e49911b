import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { startServer } from '../../http/server.ts';

export function registerServe(program: Command, cli: CliContext) {
  program
    .command('serve')
    .description('Run the portal (HTTP server, and job workers unless jobs.in_process is false)')
    .option('-p, --port <port>', 'port (overrides server.port)')
    .action(async (options: { port?: string }) => {
      // The flag is config (server.port), so that site.url follows it as it follows KHO_PORT.
      const port = options.port === undefined ? undefined : /^\d+$/.test(options.port.trim()) ? Number(options.port) : options.port;
      const kernel = await cli.kernel('serve', port === undefined ? undefined : { server: { port } });
      cli.keepRunning();
      const running = await startServer(kernel);
      const { logger, config } = kernel.container.cradle;
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        running.close().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      // Handlers first: a supervisor may send SIGTERM as soon as it sees the start-up line.
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      logger.info({ url: running.url, database: kernel.database.label, plugins: kernel.plugins.map((p) => p.name) }, 'Kho is serving');
      process.stdout.write(`Kho is serving ${config.site.url} (listening on ${running.url}, database: ${kernel.database.label})\n`);
    });
}
