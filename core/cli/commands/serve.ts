import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../main.ts';
import { startServer } from '../../http/server.ts';

export function registerServe(program: Command, cli: CliContext) {
  program
    .command('serve')
    .description('Run the portal (HTTP server, and job workers unless jobs.in_process is false)')
    .option('-p, --port <port>', 'port (overrides server.port)', parsePort)
    .action(async (options: { port?: number }) => {
      // The flag is config (server.port), so that site.url follows it as it follows KHO_PORT.
      const port = options.port;
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

function parsePort(value: string): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new InvalidArgumentError('It must be a port number from 0 to 65535 (cổng phải là số từ 0 đến 65535).');
  return port;
}
