// Pages of other plugins, shown only while that plugin is enabled and built on its actions called by
// name (no import of its code): harvest sources, jobs and reports (run now, abort); the compliance
// dashboard; federation status. A plugin that is off leaves these URLs to answer 404.
import type { DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import { type PageRequest, PageNotFound, first } from './page.ts';
import { flattenErrors } from './forms.ts';
import type { Route } from './index.ts';
import { lookupTable } from '../../../core/lookup-table.ts';

function requirePlugin(page: PageRequest, plugin: string, action: string): void {
  if (!page.portal.pluginProvides(plugin, action)) throw new PageNotFound();
}

// -------------------------------------------------------------------------------------------------
// harvest (ckanext-harvest's actions: harvest_source_list/show, harvest_job_list/create/abort/report)

const STATS = ['added', 'updated', 'not modified', 'deleted', 'errored'];

function statusClass(status: string | undefined): string {
  switch (status) {
    case 'Finished':
      return 'ok';
    case 'Running':
    case 'New':
      return 'warn';
    case 'Aborted':
      return 'bad';
    default:
      return 'none';
  }
}

function jobView(page: PageRequest, job: DataDict | null | undefined) {
  if (!job || !job.id) return null;
  const stats = job.stats ?? {};
  return {
    ...job,
    statusLabel: page.tr.has(`harvest.status_${job.status}`) ? page.t(`harvest.status_${job.status}`) : String(job.status ?? ''),
    statusClass: statusClass(job.status) === 'ok' && Number(stats.errored) > 0 ? 'warn' : statusClass(job.status),
    statList: STATS.map((key) => ({ key, label: page.t(`harvest.stat_${key.replace(' ', '_')}`), value: Number(stats[key] ?? 0) })),
    active: job.status === 'New' || job.status === 'Running',
  };
}

function frequencyLabel(page: PageRequest, frequency: unknown): string {
  const key = `harvest.freq_${String(frequency ?? '')}`;
  return page.tr.has(key) ? page.t(key) : String(frequency ?? '');
}

async function harvesterTitles(page: PageRequest): Promise<Record<string, string>> {
  const infos = await page.tryAct<DataDict[]>('harvesters_info_show', {}, []);
  return Object.fromEntries(infos.map((info) => [info.name, info.title ?? info.name]));
}

async function harvestList(page: PageRequest) {
  requirePlugin(page, 'harvest', 'harvest_source_list');
  const [list, titles] = await Promise.all([page.act<DataDict[]>('harvest_source_list', { return_last_job_status: true, limit: 1000 }), harvesterTitles(page)]);
  page.render('harvest/list.njk', {
    nav: 'harvest',
    sources: list.map((source) => ({
      ...source,
      typeLabel: titles[source.type] ?? source.type,
      frequencyLabel: frequencyLabel(page, source.frequency),
      lastJob: jobView(page, source.last_job_status),
    })),
  });
}

async function harvestSource(page: PageRequest, errors: string[] = [], status = 200) {
  requirePlugin(page, 'harvest', 'harvest_source_show');
  const source = await page.act('harvest_source_show', { id: String(page.ctx.params.id) });
  const canManage = await page.allowed('harvest_job_create', { __source_id: source.id, source_id: source.id });
  const [jobs, titles] = await Promise.all([
    canManage ? page.act<DataDict[]>('harvest_job_list', { source_id: source.id, limit: 20 }) : Promise.resolve([] as DataDict[]),
    harvesterTitles(page),
  ]);
  const views = jobs.map((job) => jobView(page, job)!);
  page.render('harvest/source.njk', {
    nav: 'harvest',
    source: { ...source, typeLabel: titles[source.source_type] ?? source.source_type, frequencyLabel: frequencyLabel(page, source.frequency) },
    jobs: views,
    running: views.find((job) => job.active) ?? null,
    canManage,
    errors,
  }, status);
}

async function harvestRun(page: PageRequest) {
  requirePlugin(page, 'harvest', 'harvest_job_create');
  await page.form();
  const id = String(page.ctx.params.id);
  try {
    await page.act('harvest_job_create', { source_id: id });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return harvestSource(page, Object.values(flattenErrors(err.errors, page.tr)).flat(), 409);
  }
  page.flash('harvest_started');
  page.redirect(`/harvest/${encodeURIComponent(id)}`);
}

async function harvestAbort(page: PageRequest) {
  requirePlugin(page, 'harvest', 'harvest_job_abort');
  const { fields } = await page.form();
  const id = String(page.ctx.params.id);
  const job = first(fields.job);
  await page.act('harvest_job_abort', job ? { id: job } : { source_id: id });
  page.flash('harvest_aborted');
  page.redirect(`/harvest/${encodeURIComponent(id)}`);
}

async function harvestJob(page: PageRequest) {
  requirePlugin(page, 'harvest', 'harvest_job_report');
  const source = await page.act('harvest_source_show', { id: String(page.ctx.params.id) });
  const jobId = String(page.ctx.params.job);
  const filter = first(page.ctx.query.status as string | undefined);
  const reportStatus = filter && STATS.includes(filter) ? filter : undefined;
  const report = await page.act('harvest_job_report', { id: jobId, limit: 500, ...(reportStatus ? { report_status: reportStatus } : {}) });
  if (report.job?.source_id && report.job.source_id !== source.id) throw new PageNotFound();
  const vi = page.locale === 'vi';
  const message = (error: DataDict) => (vi && error.message_vi ? error.message_vi : error.message);
  const objectErrors = Object.entries((report.object_errors ?? {}) as Record<string, DataDict>).map(([id, entry]) => ({
    id,
    guid: entry.guid,
    original_url: entry.original_url,
    package_id: entry.package_id,
    errors: (entry.errors ?? []).map((error: DataDict) => ({
      stage: page.tr.has(`harvest.stage_${String(error.type ?? '').toLowerCase()}`) ? page.t(`harvest.stage_${String(error.type).toLowerCase()}`) : String(error.type ?? ''),
      message: message(error),
      line: error.line,
      level: error.level,
    })),
  }));
  page.render('harvest/job.njk', {
    nav: 'harvest',
    source,
    job: jobView(page, report.job),
    gatherErrors: (report.gather_errors ?? []).map((error: DataDict) => ({ ...error, text: message(error) })),
    objectErrors,
    objects: (report.objects ?? []).map((object: DataDict) => ({ ...object, statusLabel: object.report_status ? page.t(`harvest.stat_${String(object.report_status).replace(' ', '_')}`) : '' })),
    filter: reportStatus ?? '',
    filters: STATS.map((key) => ({ key, label: page.t(`harvest.stat_${key.replace(' ', '_')}`) })),
  });
}

export const harvestRoutes: Route[] = [
  ['get', '/harvest', harvestList],
  ['get', '/harvest/:id', (page) => harvestSource(page)],
  ['post', '/harvest/:id/run', harvestRun],
  ['post', '/harvest/:id/abort', harvestAbort],
  ['get', '/harvest/:id/job/:job', harvestJob],
];

// -------------------------------------------------------------------------------------------------
// compliance (compliance_overview, compliance_organization_show, compliance_report_generate/list,
// compliance_rules_list)

/** Rule kinds whose duties fall on each organization (the rest are per dataset or province). */
const ORG_DUTY_KINDS = new Set(['organization_code', 'focal_point', 'min_open_datasets', 'classification', 'quarterly_update_window', 'update_within', 'catalogue_review']);

const STATUS_CLASS = lookupTable({
  met: 'ok', met_late: 'warn', due_soon: 'warn', pending: 'warn',
  not_met: 'bad', overdue: 'bad', missed: 'bad', not_applicable: 'none',
});

function statusView(page: PageRequest, status: unknown) {
  const key = String(status ?? 'not_applicable');
  return { key, cls: STATUS_CLASS[key] ?? 'none', label: page.tr.has(`compliance.status_${key}`) ? page.t(`compliance.status_${key}`) : key };
}

function basisText(page: PageRequest, basis: DataDict | undefined | null): string {
  if (!basis) return '';
  return [basis.instrument_short ?? basis.instrument, basis.article].filter(Boolean).map(String).join(', ');
}

function percent(page: PageRequest, value: unknown): string {
  return typeof value === 'number' ? `${page.tr.number(Math.round(value * 1000) / 10)} %` : '—';
}

const KPI_KEYS = ['agencies_with_open_data', 'on_time_quarterly_updates', 'update_within_compliance', 'catalogue_review', 'self_assessments_on_time', 'machine_readable_open_licence'];

async function complianceOverview(page: PageRequest) {
  requirePlugin(page, 'compliance', 'compliance_overview');
  const [overview, rules] = await Promise.all([
    page.act('compliance_overview', { quarters: 4 }),
    page.tryAct<DataDict>('compliance_rules_list', {}, { rules: [] }),
  ]);
  const columns = ((rules.rules ?? []) as DataDict[])
    .filter((rule) => rule.evaluated !== false && (ORG_DUTY_KINDS.has(rule.kind) || (rule.kind === 'periodic_report' && rule.scope === 'organization')))
    .map((rule) => ({ id: rule.id as string, title: page.tr.label(rule.title), basis: basisText(page, rule.legal_basis) }));
  const organizations = ((overview.organizations ?? []) as DataDict[]).map((org): DataDict => ({
    ...org,
    row: statusView(page, org.compliant ? 'met' : 'not_met'),
    cells: columns.map((column) => statusView(page, (org.failing ?? []).includes(column.id) ? 'not_met' : (org.due_soon ?? []).includes(column.id) ? 'due_soon' : 'met')),
  }));
  const kpis = overview.kpis ?? {};
  const cards = KPI_KEYS.filter((key) => kpis[key]).map((key) => ({
    key,
    label: page.t(`compliance.kpi_${key}`),
    value: percent(page, kpis[key].value),
    detail: kpis[key].denominator ? `${page.tr.number(kpis[key].numerator)}/${page.tr.number(kpis[key].denominator)}` : '',
    basis: basisText(page, kpis[key].rules?.[0]?.legal_basis),
  }));
  if (kpis.quality_score) cards.push({ key: 'quality_score', label: page.t('compliance.kpi_quality_score'), value: kpis.quality_score.mean === null ? '—' : `${page.tr.number(kpis.quality_score.mean)}/${page.tr.number(kpis.quality_score.max ?? 505)}`, detail: page.t('count.datasets', { count: kpis.quality_score.datasets ?? 0 }), basis: '' });
  if (kpis.catalogue_growth_pct) cards.push({ key: 'catalogue_growth_pct', label: page.t('compliance.kpi_catalogue_growth_pct'), value: kpis.catalogue_growth_pct.value === null ? '—' : `${page.tr.number(kpis.catalogue_growth_pct.value)} %`, detail: page.t('compliance.since', { period: kpis.catalogue_growth_pct.previous_period ?? '' }), basis: '' });
  const trend = ((overview.trend ?? []) as DataDict[]).map((item) => ({ period: String(item.period), open: Number(item.open_datasets ?? 0), share: item.agencies_with_open_data?.value ?? null }));
  const isSysadmin = !!page.user?.sysadmin;
  const reports = isSysadmin ? await page.tryAct<DataDict[]>('compliance_report_list', { limit: 10 }, []) : [];
  page.render('compliance/overview.njk', {
    nav: 'compliance',
    overview,
    cards,
    columns,
    organizations,
    lateCount: organizations.filter((org) => !org.compliant).length,
    duties: ((overview.duties ?? []) as DataDict[]).map((duty) => ({ ...duty, title: page.tr.label(duty.rule?.title), basis: basisText(page, duty.rule?.legal_basis), state: statusView(page, duty.status), text: page.tr.label(duty.explanation) })),
    chart: trendChart(trend),
    trend,
    isSysadmin,
    reports: reports.map((report) => ({ ...report, links: localDownloads(page, report.downloads) })),
    period: overview.period,
  });
}

/** A bar chart of open datasets per quarter as SVG (no script, no inline style: the CSP allows it). */
function trendChart(trend: Array<{ period: string; open: number }>) {
  const width = 560;
  const height = 200;
  const max = Math.max(1, ...trend.map((item) => item.open));
  const slot = trend.length ? (width - 40) / trend.length : 0;
  const bars = trend.map((item, i) => {
    const h = Math.round((item.open / max) * (height - 50));
    return { x: 30 + i * slot + slot * 0.2, y: height - 25 - h, w: Math.max(4, slot * 0.6), h, label: item.period, value: item.open, tx: 30 + i * slot + slot / 2 };
  });
  return { width, height, bars, baseline: height - 25 };
}

function localDownloads(page: PageRequest, links: DataDict | undefined): Array<{ label: string; href: string }> {
  const base = page.portal.cradle.config.site.url.replace(/\/+$/, '');
  return Object.entries(links ?? {}).map(([label, href]) => ({ label: label.toUpperCase(), href: String(href).startsWith(base) ? String(href).slice(base.length) : String(href) }));
}

async function complianceOrganization(page: PageRequest) {
  requirePlugin(page, 'compliance', 'compliance_organization_show');
  const result = await page.act('compliance_organization_show', { id: String(page.ctx.params.id), history: 4 });
  const current = result.current ?? {};
  const duties = ((current.duties ?? []) as DataDict[]).map((duty): DataDict => ({
    ...duty,
    title: page.tr.label(duty.rule?.title),
    basis: basisText(page, duty.rule?.legal_basis),
    state: statusView(page, duty.status),
    text: page.tr.label(duty.explanation),
    openItems: ((duty.items ?? []) as DataDict[]).filter((item) => !['met', 'met_late', 'not_applicable'].includes(String(item.status))).slice(0, 10).map((item) => ({ ...item, state: statusView(page, item.status) })),
  }));
  const fixes = ((result.fix_this_first ?? []) as DataDict[]).slice(0, 12).map((fix) => ({
    ...fix,
    title: fix.kind === 'score' ? page.tr.label(fix.label) : page.tr.label(duties.find((duty) => duty.rule?.id === fix.rule_id)?.rule?.title ?? fix.rule_id),
    what: page.tr.label(fix.action),
    state: fix.status ? statusView(page, fix.status) : null,
  }));
  const orgId = result.organization?.id;
  const canReport = orgId ? await page.allowed('package_create', { owner_org: orgId }) : false;
  const reports = canReport ? (await page.tryAct<DataDict[]>('compliance_report_list', { type: 'annual_self_assessment', limit: 50 }, [])).filter((report) => report.org_id === orgId) : [];
  page.render('compliance/organization.njk', {
    nav: 'compliance',
    result,
    canReport,
    reports: reports.map((report) => ({ ...report, links: localDownloads(page, report.downloads) })),
    year: String(new Date().getFullYear()),
    org: result.organization ?? {},
    current,
    duties,
    fixes,
    previous: ((result.previous ?? []) as DataDict[]).map((report) => ({ ...report, state: statusView(page, report.compliant ? 'met' : 'not_met') })),
    overdue: result.overdue ?? [],
  });
}

async function complianceReport(page: PageRequest) {
  requirePlugin(page, 'compliance', 'compliance_report_generate');
  const { fields } = await page.form();
  const type = first(fields.type) === 'annual_self_assessment' ? 'annual_self_assessment' : 'quarterly_open_data';
  const data: DataDict = { type };
  const period = (first(fields.period) ?? '').trim();
  if (period) data.period = period;
  if (type === 'annual_self_assessment') data.organization = first(fields.organization) ?? '';
  try {
    await page.act('compliance_report_generate', data);
    page.flash('report_generated');
    page.redirect(type === 'annual_self_assessment' ? `/compliance/organization/${encodeURIComponent(String(data.organization))}#reports` : '/compliance#reports');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return page.errorPage(400, Object.values(flattenErrors(err.errors, page.tr)).flat().join(' '));
  }
}

export const complianceRoutes: Route[] = [
  ['get', '/compliance', complianceOverview],
  ['get', '/compliance/organization/:id', complianceOrganization],
  ['post', '/compliance/report', complianceReport],
];

// -------------------------------------------------------------------------------------------------
// federation (national mode: the members a national portal pulls, from federation_status)

async function federationStatus(page: PageRequest) {
  requirePlugin(page, 'federation', 'federation_status');
  const members: DataDict[] = await page.act('federation_status', {});
  page.render('federation/status.njk', {
    nav: 'federation',
    members: members.map((member) => {
      const errors: string[] = (page.locale === 'vi' ? member.last_errors_vi : member.last_errors) ?? [];
      return { ...member, errors, state: statusView(page, member.stale ? 'overdue' : errors.length ? 'due_soon' : 'met') };
    }),
  });
}

export const federationRoutes: Route[] = [['get', '/federation', federationStatus]];

export const pluginRoutes: Route[] = [...harvestRoutes, ...complianceRoutes, ...federationRoutes];
