// `kho compliance …`: the rules in force, a deadline, the link check and the reminders from the
// command line, through the same actions as the API.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliTools } from '../../core/plugins/interfaces.ts';
import { reportCsv, reportXlsx } from './services/reports.ts';

function print(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function mountCli(program: Command, tools: CliTools) {
  const compliance = program.command('compliance').description('Compliance plugin: rules, deadlines, link checks, reminders, reports');
  compliance
    .command('rules')
    .description('List the rules in force (or all versions with --all)')
    .option('--date <date>', 'YYYY-MM-DD (default today)')
    .option('--all', 'every version')
    .action(async (options: { date?: string; all?: boolean }) => {
      const kernel = await tools.kernel();
      const result = await kernel.context().action('compliance_rules_list', { date: options.date, all: !!options.all });
      for (const rule of result.rules) {
        process.stdout.write(`${rule.id} v${rule.version}\t${rule.effective_from} → ${rule.effective_to ?? '…'}\t${rule.legal_basis.instrument_short}, ${rule.legal_basis.article}\t${rule.title.vi ?? rule.title}\n`);
      }
    });
  compliance
    .command('deadline <rule_id>')
    .description('Compute a deadline: --period 2026-Q1 for windows and reports, --start YYYY-MM-DD for counted limits')
    .option('--period <period>')
    .option('--start <date>')
    .action(async (ruleId: string, options: { period?: string; start?: string }) => {
      const kernel = await tools.kernel();
      print(await kernel.context().action('compliance_deadline', { rule_id: ruleId, ...options }));
    });
  compliance
    .command('check-links')
    .description('Check every resource URL now and print the summary')
    .option('--force', 'also URLs checked recently')
    .action(async (options: { force?: boolean }) => {
      const kernel = await tools.kernel();
      print(await kernel.context().action('compliance_link_check_run', { wait: true, force: !!options.force }));
    });
  compliance
    .command('remind')
    .description('Send the reminders due now (each duty and period once)')
    .option('--force', 'even when reminders.enabled is false')
    .action(async (options: { force?: boolean }) => {
      const kernel = await tools.kernel();
      print(await kernel.context().action('compliance_reminders_run', { force: !!options.force }));
    });
  compliance
    .command('report <type> [period]')
    .description('Generate a report: quarterly_open_data [2026-Q1] or annual_self_assessment <year> --organization <name>; --out file.json|.csv|.xlsx')
    .option('--organization <name>')
    .option('--out <file>')
    .action(async (type: string, period: string | undefined, options: { organization?: string; out?: string }) => {
      const kernel = await tools.kernel();
      const report = await kernel.context().action('compliance_report_generate', { type, period, organization: options.organization });
      if (!options.out) return print({ id: report.id, period: report.period, totals: report.result.totals, downloads: report.downloads });
      if (options.out.endsWith('.xlsx')) await writeFile(options.out, await reportXlsx(report.result));
      else if (options.out.endsWith('.csv')) await writeFile(options.out, reportCsv(report.result));
      else await writeFile(options.out, JSON.stringify(report.result, null, 2));
      process.stdout.write(`${report.id}\t${options.out}\n`);
    });
}
