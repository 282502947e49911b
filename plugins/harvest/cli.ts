// `kho harvest …`: list and add sources, run a source in the foreground with a progress line, list
// jobs, show a job's report, abort, clear. Everything goes through the same actions and runner as
// the API and the background workers.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliTools } from '../../core/plugins/interfaces.ts';
import type { Kernel } from '../../core/app.ts';
import { ConfigError } from '../../core/errors.ts';
import { pick } from './i18n/messages.ts';
import { HARVESTERS } from './harvesters/index.ts';
import { jobs } from './model/repo.ts';
import { HarvestRunner, defaultRunnerId, type Progress } from './services/runner.ts';
import { createJob } from './services/jobs.ts';
import { loadSource } from './services/sources.ts';
import type { HarvestSettings } from './settings.ts';

const out = (line = ''): void => {
  process.stdout.write(line + '\n');
};
const pad = (text: unknown, width: number) => String(text ?? '').padEnd(width);

function readConfigArg(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    return parseYaml(text);
  }
}

function progressLine(p: Progress): string {
  const seconds = p.elapsedMs / 1000;
  const done = p.added + p.updated + p.unchanged + p.errored;
  const rate = seconds > 0 ? (done / seconds).toFixed(1) : '0.0';
  return `[${p.source}] ${p.phase} gathered=${p.gathered} added=${p.added} updated=${p.updated} unchanged=${p.unchanged} deleted=${p.deleted} errored=${p.errored} ${rate}/s ${seconds.toFixed(1)}s`;
}

export function mountCli(settings: HarvestSettings, siteLocale: string) {
  return (program: Command, tools: CliTools) => {
    const harvest = program.command('harvest').description('Harvest sources and jobs (ckanext-harvest\'s `harvester` command)');
    const locale = () => siteLocale;
    const say = (en: string, vi: string) => out(siteLocale.startsWith('vi') ? vi : en);

    harvest
      .command('sources')
      .description('List harvest sources')
      .option('--all', 'include deleted and inactive sources')
      .action(async (options: { all?: boolean }) => {
        const kernel = await tools.kernel();
        const list = await kernel.context().action<any[]>('harvest_source_list', { include_deleted: !!options.all, only_active: !options.all, limit: 1000 });
        if (!list.length) return say('No harvest sources. Add one with: kho harvest source add NAME URL TYPE --org ORGANIZATION', 'Chưa có nguồn thu thập. Thêm bằng: kho harvest source add TÊN URL LOẠI --org TỔ_CHỨC');
        out(`${pad('NAME', 28)} ${pad('TYPE', 11)} ${pad('FREQUENCY', 12)} ${pad('ACTIVE', 7)} ${pad('JOBS', 5)} URL`);
        for (const source of list) out(`${pad(source.name, 28)} ${pad(source.type, 11)} ${pad(source.frequency, 12)} ${pad(source.active ? 'yes' : 'no', 7)} ${pad(source.status.job_count, 5)} ${source.url}`);
      });

    const source = harvest.command('source').description('Add, show or remove one harvest source');
    source
      .command('add [name] [url] [type]')
      .description('Add a source: kho harvest source add NAME URL TYPE --org ORG [--frequency DAILY] [--source-config JSON|@file]; or --file source.yaml (the harvest_source_create fields, e.g. config/harvest-agency-example.yaml)')
      .option('--org <organization>', 'organization of the harvested datasets (owner_org)')
      .option('--title <title>', 'title')
      .option('--notes <notes>', 'description')
      .option('--frequency <frequency>', 'MANUAL, HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS or a cron expression')
      .option('--source-config <json>', 'the harvester options (the source\'s config), as JSON or YAML text, or @file')
      .option('--inactive', 'create it inactive')
      .option('--file <file>', 'a YAML or JSON file with the source fields')
      .action(async (name: string | undefined, url: string | undefined, type: string | undefined, options: Record<string, string | boolean | undefined>) => {
        let data: Record<string, unknown> = {};
        if (options.file) {
          const parsed = parseYaml(readFileSync(String(options.file), 'utf8'));
          if (!parsed || typeof parsed !== 'object') throw new ConfigError(`${options.file} does not hold a mapping of source fields`);
          data = { ...(parsed as Record<string, unknown>) };
        }
        if (name) data.name = name;
        if (url) data.url = url;
        if (type) data.source_type = type;
        if (options.org) data.owner_org = options.org;
        if (options.title) data.title = options.title;
        if (options.notes) data.notes = options.notes;
        if (options.frequency) data.frequency = options.frequency;
        if (options.sourceConfig !== undefined) data.config = readConfigArg(String(options.sourceConfig));
        if (options.inactive) data.active = false;
        if (data.config && typeof data.config === 'object') data.config = JSON.stringify(data.config);
        const kernel = await tools.kernel();
        const created = await kernel.context().action('harvest_source_create', data);
        say(`Created harvest source "${created.name}" (${created.id}), ${created.source_type}, ${created.frequency}.`, `Đã tạo nguồn thu thập "${created.name}" (${created.id}), ${created.source_type}, ${created.frequency}.`);
        say(`Run it now with: kho harvest run ${created.name}`, `Chạy ngay: kho harvest run ${created.name}`);
      });
    source
      .command('show <source>')
      .description('Show a source and its status (as harvest_source_show, JSON)')
      .action(async (ref: string) => {
        const kernel = await tools.kernel();
        out(JSON.stringify(await kernel.context().action('harvest_source_show', { id: ref }), null, 2));
      });
    source
      .command('remove <source>')
      .description('Delete a source (its datasets stay unless --clear)')
      .option('--clear', 'also purge the datasets harvested from it')
      .action(async (ref: string, options: { clear?: boolean }) => {
        const kernel = await tools.kernel();
        await kernel.context().action('harvest_source_delete', { id: ref, clear_source: !!options.clear });
        say(`Deleted harvest source "${ref}"${options.clear ? ' and its datasets' : ''}.`, `Đã xóa nguồn thu thập "${ref}"${options.clear ? ' và các bộ dữ liệu của nó' : ''}.`);
      });

    harvest
      .command('run <source>')
      .description('Run a harvest of SOURCE now, in this process, with a progress line (resumes its job if the process running it stopped)')
      .option('--progress-interval <ms>', 'milliseconds between progress lines when the output is not a terminal', '2000')
      .action(async (ref: string, options: { progressInterval: string }) => {
        const kernel = await tools.kernel();
        const code = await runForeground(kernel, settings, ref, Number(options.progressInterval) || 2000, locale());
        process.exitCode = code;
      });

    harvest
      .command('jobs <source>')
      .description('List the jobs of a source, newest first')
      .option('--limit <n>', 'how many', '20')
      .action(async (ref: string, options: { limit: string }) => {
        const kernel = await tools.kernel();
        const list = await kernel.context().action<any[]>('harvest_job_list', { source_id: ref, limit: Number(options.limit) || 20 });
        if (!list.length) return say('No jobs yet.', 'Chưa có lần thu thập nào.');
        out(`${pad('JOB', 36)} ${pad('STATUS', 9)} ${pad('CREATED', 26)} ${pad('FINISHED', 26)} added updated unchanged deleted errored`);
        for (const job of list) {
          const s = job.stats;
          out(`${pad(job.id, 36)} ${pad(job.status, 9)} ${pad(job.created, 26)} ${pad(job.finished ?? '', 26)} ${pad(s.added, 5)} ${pad(s.updated, 7)} ${pad(s['not modified'], 9)} ${pad(s.deleted, 7)} ${s.errored}`);
        }
      });

    const job = harvest.command('job').description('One harvest job');
    job
      .command('show <id>')
      .description('Show a job: status, stats and every error (stage, message)')
      .option('--json', 'print harvest_job_report as JSON')
      .action(async (id: string, options: { json?: boolean }) => {
        const kernel = await tools.kernel();
        const context = kernel.context();
        const report = await context.action('harvest_job_report', { id, limit: options.json ? 1000 : 0 });
        if (options.json) return out(JSON.stringify(report, null, 2));
        const j = report.job;
        out(`Job ${j.id} (source ${j.source_id}): ${j.status}`);
        out(`  created ${j.created}; gather ${j.gather_started ?? '-'} → ${j.gather_finished ?? '-'}; finished ${j.finished ?? '-'}`);
        out(`  added ${j.stats.added}, updated ${j.stats.updated}, not modified ${j.stats['not modified']}, deleted ${j.stats.deleted}, errored ${j.stats.errored}`);
        const vi = locale().startsWith('vi');
        for (const error of report.gather_errors) out(`  [Gather ${error.level}] ${vi && error.message_vi ? error.message_vi : error.message}`);
        for (const [objectId, entry] of Object.entries<any>(report.object_errors)) {
          for (const error of entry.errors) out(`  [${error.type} ${error.level}] ${entry.guid} (${objectId}): ${vi && error.message_vi ? error.message_vi : error.message}`);
        }
      });

    harvest
      .command('abort <id>')
      .description('Abort a job (a job id, or a source: its latest job)')
      .action(async (ref: string) => {
        const kernel = await tools.kernel();
        const result = await kernel.context().action('harvest_job_abort', { id: ref });
        say(`Job ${result.id}: ${result.status}.`, `Lần thu thập ${result.id}: ${result.status}.`);
      });

    harvest
      .command('clear <source>')
      .description('Purge the datasets harvested from SOURCE and its jobs (the source stays); --history-only keeps the datasets')
      .option('--history-only', 'only delete jobs, objects and errors (harvest_source_job_history_clear)')
      .action(async (ref: string, options: { historyOnly?: boolean }) => {
        const kernel = await tools.kernel();
        await kernel.context().action(options.historyOnly ? 'harvest_source_job_history_clear' : 'harvest_source_clear', { id: ref });
        if (options.historyOnly) say(`Cleared the job history of "${ref}".`, `Đã xóa lịch sử thu thập của "${ref}".`);
        else say(`Cleared "${ref}": its datasets and jobs are gone.`, `Đã làm sạch "${ref}": các bộ dữ liệu và lần thu thập đã bị xóa.`);
      });

    harvest
      .command('types')
      .description('The harvesters available (source_type) and their config options')
      .action(() => {
        for (const harvester of HARVESTERS.values()) {
          out(`${harvester.info.name}: ${harvester.info.description}`);
          for (const [key, field] of Object.entries(harvester.config)) if (!field.ignored) out(`    ${pad(key, 30)} ${field.type}  ${pick(field.description, locale())}`);
        }
      });
  };
}

async function runForeground(kernel: Kernel, settings: HarvestSettings, ref: string, intervalMs: number, locale: string): Promise<number> {
  const context = kernel.context();
  const { knex, clock } = kernel.container.cradle;
  const loaded = await loadSource(kernel.container.cradle, knex, ref);
  if (!loaded) throw new ConfigError(`Harvest source ${ref} does not exist (see: kho harvest sources)`);
  let jobId: string;
  const active = await jobs.active(knex, loaded.row.id);
  if (active) {
    const beat = active.heartbeat_at ? Date.parse(active.heartbeat_at.replace(' ', 'T') + 'Z') : null;
    const alive = active.status === 'Running' && active.runner && beat !== null && clock.now().getTime() - beat < settings.stale_after_ms;
    if (alive) throw new ConfigError(`Job ${active.id} of "${loaded.view.name}" is running (${active.runner}, last heartbeat ${active.heartbeat_at}); wait for it or abort it: kho harvest abort ${active.id}`);
    jobId = active.id;
    process.stderr.write(`${active.status === 'Running' ? 'Resuming' : 'Running'} job ${jobId} of "${loaded.view.name}"\n`);
  } else {
    const created = await createJob(context, loaded.row.id, { trigger: 'cli', userId: null, enqueue: false });
    jobId = created.id;
    process.stderr.write(`Started job ${jobId} of "${loaded.view.name}" (${loaded.row.type}, ${loaded.row.url})\n`);
  }

  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('an interrupt (Ctrl-C)'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const tty = process.stderr.isTTY;
  let last = 0;
  const runner = new HarvestRunner({ container: kernel.container, settings, harvesters: HARVESTERS });
  const result = await runner.run(jobId, {
    runnerId: defaultRunnerId('cli'),
    signal: controller.signal,
    onProgress: (progress) => {
      const now = Date.now();
      if (progress.phase !== 'done' && now - last < (tty ? 200 : intervalMs)) return;
      last = now;
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(progress)}`);
      else process.stderr.write(progressLine(progress) + '\n');
    },
  });
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  if (tty) process.stderr.write('\n');
  if (result.outcome === 'busy') throw new ConfigError(`Job ${jobId} is being run by another process (${result.job?.runner}).`);
  if (result.outcome !== 'finished' && result.outcome !== 'aborted') throw new ConfigError(`Job ${jobId}: ${result.outcome}`);
  const stats = result.stats;
  const vi = locale.startsWith('vi');
  out(
    vi
      ? `Lần thu thập ${jobId}: ${result.job.status === 'Finished' ? 'hoàn tất' : 'đã hủy'} — thêm ${stats.added}, cập nhật ${stats.updated}, không đổi ${stats['not modified']}, xóa ${stats.deleted}, lỗi ${stats.errored}.`
      : `Job ${jobId}: ${result.job.status} — added ${stats.added}, updated ${stats.updated}, not modified ${stats['not modified']}, deleted ${stats.deleted}, errored ${stats.errored}.`,
  );
  if (stats.errored) out(vi ? `Xem lỗi: kho harvest job show ${jobId}` : `See the errors: kho harvest job show ${jobId}`);
  return result.job.status === 'Aborted' ? 1 : stats.errored ? 3 : 0;
}
