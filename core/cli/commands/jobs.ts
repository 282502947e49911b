import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

export function registerJobs(program: Command, cli: CliContext) {
  const jobs = program.command('jobs').description('Background jobs');
  jobs
    .command('worker')
    .description('Run job workers and the scheduler in this process (use with jobs.in_process: false on the server)')
    .action(async () => {
      const kernel = await cli.kernel('jobs worker');
      cli.keepRunning();
      await kernel.start({ serving: false });
      const worker = kernel.jobs.newWorker();
      worker.start();
      kernel.jobs.scheduler.start();
      const { logger } = kernel.container.cradle;
      logger.info({ worker: worker.id, types: kernel.jobs.queue.types() }, 'job worker started');
      process.stdout.write(`Job worker ${worker.id} running (${kernel.database.label}); stop with Ctrl-C.\n`);
      const stop = () => {
        kernel.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  jobs
    .command('list')
    .description('Show queued, running and recently finished jobs')
    .option('--state <state>', 'only jobs in this state')
    .action(async (options: { state?: string }) => {
      const kernel = await cli.kernel('jobs list');
      const rows = await kernel.jobs.queue.list({ state: options.state as never, limit: 100 });
      if (!rows.length) process.stderr.write(options.state ? `No ${options.state} jobs.\n` : 'No jobs.\n');
      for (const job of rows) process.stdout.write(`${job.id}\t${job.type}\t${job.state}\tattempts ${job.attempts}\t${job.lastError ?? ''}\n`);
    });
}
