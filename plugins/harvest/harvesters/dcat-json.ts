// `dcat_json`: a DCAT-US (Project Open Data 1.1) data.json catalogue — what DKAN, Socrata, ArcGIS
// Hub and US agencies publish — or the paged list of ckanext-dcat's /dcat.json. Each entry becomes a
// record identified by its `identifier`; the mapping follows ckanext-dcat's dcat_json harvester and
// the DCAT-US schema.
import type { DataDict } from '../../../core/actions/types.ts';
import { M } from '../i18n/messages.ts';
import { licenseIdFor } from '../dcat/licenses.ts';
import { HarvestFetchError, PageLoopGuard } from '../services/http.ts';
import type { GatheredRecord, IHarvester } from './types.ts';
import { createHash } from 'node:crypto';

const BATCH = 200;

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text).filter((item): item is string => !!item);
  const single = text(value);
  return single ? [single] : [];
}

/** DCAT-US publisher: {name, subOrganizationOf: {name, …}} → "Sub, Parent". */
function publisherName(value: unknown): string | null {
  if (!value || typeof value !== 'object') return text(value);
  const names: string[] = [];
  let current: any = value;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (text(current.name)) names.push(text(current.name)!);
    current = current.subOrganizationOf;
  }
  return names.join(', ') || null;
}

function toRecord(entry: unknown): GatheredRecord | null {
  if (!entry || typeof entry !== 'object') return null;
  const item = entry as DataDict;
  const guid = text(item.identifier) ?? text(item.landingPage) ?? (text(item.title) ? `title:${createHash('sha256').update(text(item.title)!).digest('hex').slice(0, 32)}` : null);
  if (!guid) return null;
  return { guid, content: item, remoteModified: text(item.modified), originalUrl: text(item.landingPage) ?? (/^https?:\/\//.test(guid) ? guid : null) };
}

export const dcatJsonHarvester: IHarvester<Record<string, never>> = {
  version: 1,
  info: {
    name: 'dcat_json',
    title: 'DCAT-US data.json',
    description: 'Harvests DCAT-US (Project Open Data) data.json catalogues',
    form_config_interface: 'Text',
  },
  config: {},

  async *gather(context) {
    const first = context.source.url;
    const guard = new PageLoopGuard((context.config as { max_pages?: number }).max_pages ?? context.defaults.maxPages);
    let url = first;
    let previous = '';
    for (let page = 1; ; page++) {
      guard.visit(url, first);
      const { data } = await context.http.json<unknown>(url);
      const datasets = Array.isArray(data) ? data : data && typeof data === 'object' ? (data as DataDict).dataset : undefined;
      if (!Array.isArray(datasets)) throw new HarvestFetchError('shape', url, M.unexpectedShape(url, 'no "dataset" list (is this a data.json catalogue?)'));
      const records = datasets.map(toRecord).filter((record): record is GatheredRecord => record !== null);
      // A bare list is ckanext-dcat's /dcat.json, paged by ?page=N until a page is empty or repeats
      // the previous one (as its dcat_json harvester reads it); a data.json document is one page.
      const guids = records.map((record) => record.guid).join('\n');
      if (Array.isArray(data) && page > 1 && (!records.length || guids === previous)) return;
      for (let i = 0; i < records.length; i += BATCH) yield records.slice(i, i + BATCH);
      if (!Array.isArray(data) || !datasets.length) return;
      previous = guids;
      const next = new URL(first);
      next.searchParams.set('page', String(page + 1));
      url = next.toString();
    }
  },

  async import(record) {
    const item = record.content as DataDict;
    const extras: Array<{ key: string; value: string }> = [];
    const add = (key: string, value: unknown) => {
      if (Array.isArray(value)) {
        if (value.length) extras.push({ key, value: JSON.stringify(value) });
      } else if (value !== null && value !== undefined && value !== '') extras.push({ key, value: String(value) });
    };
    add('identifier', text(item.identifier));
    add('modified', text(item.modified));
    add('issued', text(item.issued));
    add('access_level', text(item.accessLevel));
    add('rights', text(item.rights));
    add('frequency', text(item.accrualPeriodicity));
    add('conforms_to', text(item.conformsTo));
    add('data_dictionary', text(item.describedBy));
    add('data_quality', typeof item.dataQuality === 'boolean' ? String(item.dataQuality) : null);
    add('is_part_of', text(item.isPartOf));
    add('system_of_records', text(item.systemOfRecords));
    add('bureau_code', list(item.bureauCode));
    add('program_code', list(item.programCode));
    add('language', list(item.language));
    add('theme', list(item.theme));
    add('references', list(item.references));
    add('publisher_name', publisherName(item.publisher));
    const contact = item.contactPoint && typeof item.contactPoint === 'object' ? item.contactPoint : {};
    add('contact_name', text(contact.fn));
    add('contact_email', text(contact.hasEmail)?.replace(/^mailto:/i, '') ?? null);
    const spatial = item.spatial;
    if (spatial && typeof spatial === 'object') add('spatial', JSON.stringify(spatial));
    else add('spatial_text', text(spatial));
    const temporal = text(item.temporal);
    if (temporal && temporal.includes('/')) {
      const [start, end] = temporal.split('/');
      add('temporal_start', start);
      add('temporal_end', end);
    } else add('temporal', temporal);
    const license = text(item.license);
    const licenseId = licenseIdFor(license);
    if (license && !licenseId) add('license_url', license);

    const resources = (Array.isArray(item.distribution) ? item.distribution : [])
      .filter((d: unknown) => d && typeof d === 'object')
      .map((d: DataDict) => {
        const resource: DataDict = {
          url: text(d.downloadURL) ?? text(d.accessURL) ?? '',
          name: text(d.title) ?? undefined,
          description: text(d.description) ?? undefined,
          format: text(d.format) ?? (text(d.mediaType)?.split('/').pop()?.toUpperCase() ?? undefined),
          mimetype: text(d.mediaType) ?? undefined,
        };
        if (text(d.downloadURL)) resource.download_url = text(d.downloadURL);
        if (text(d.accessURL)) resource.access_url = text(d.accessURL);
        if (text(d.conformsTo)) resource.conforms_to = text(d.conformsTo);
        if (text(d.describedBy)) resource.described_by = text(d.describedBy);
        for (const key of Object.keys(resource)) if (resource[key] === undefined) delete resource[key];
        return resource;
      });

    return {
      title: text(item.title) ?? record.guid,
      notes: text(item.description),
      url: text(item.landingPage),
      license_id: licenseId,
      tags: list(item.keyword).map((name) => ({ name })),
      extras,
      resources,
    };
  },
};

