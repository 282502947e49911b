// `kho seed demo`: the demo province, created through the actions (so it is validated and indexed
// exactly as real data). Running it again creates only what is missing.
import { Readable } from 'node:stream';
import type { ActionContext, DataDict } from '../../actions/types.ts';
import { NotFound } from '../../errors.ts';
import { slugify } from '../../text/vietnamese.ts';
import { DEMO_AGENCIES, DEMO_GROUPS, type DemoDataset } from './demo-data.ts';

const EXTENSIONS: Record<string, string> = { CSV: 'csv', XLSX: 'xlsx', JSON: 'json', PDF: 'pdf', GeoJSON: 'geojson', API: '' };
const PORTAL = 'https://opendata.binhan.gov.vn';

async function exists(context: ActionContext, action: string, id: string): Promise<boolean> {
  try {
    await context.action(action, { id });
    return true;
  } catch (err) {
    if (err instanceof NotFound) return false;
    throw err;
  }
}

/** Each agency's first yearly dataset also gets two earlier editions, as real portals have. */
function withEditions(datasets: DemoDataset[]): DemoDataset[] {
  const out: DemoDataset[] = [];
  let editions = 0;
  for (const dataset of datasets) {
    out.push(dataset);
    if (editions < 1 && dataset.frequency === 'Hằng năm' && !/\d{4}/.test(dataset.title)) {
      editions++;
      for (const year of ['2022', '2023']) {
        out.push({ ...dataset, title: `${dataset.title} năm ${year}`, notes: `${dataset.notes} Số liệu năm ${year}.`, resources: dataset.resources.map((r) => ({ ...r, name: `${r.name} ${year}` })) });
      }
    }
  }
  return out;
}

function csvText(rows: string[][]): string {
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

export async function seedDemo(context: ActionContext): Promise<{ organizations: number; datasets: number; created: number }> {
  const { fileStore } = context.services;
  for (const group of DEMO_GROUPS) {
    const name = slugify(group.title);
    if (!(await exists(context, 'group_show', name))) await context.action('group_create', { name, title: group.title, description: group.description });
  }

  let datasets = 0;
  let created = 0;
  for (const agency of DEMO_AGENCIES) {
    const orgName = slugify(agency.title);
    if (!(await exists(context, 'organization_show', orgName))) {
      await context.action('organization_create', { name: orgName, title: agency.title, description: agency.description });
    }
    for (const dataset of withEditions(agency.datasets)) {
      datasets++;
      const name = slugify(dataset.title);
      if (await exists(context, 'package_show', name)) continue;
      const resources: DataDict[] = [];
      for (const resource of dataset.resources) {
        const ext = EXTENSIONS[resource.format];
        const file = `${slugify(resource.name)}${ext ? `.${ext}` : ''}`;
        if (resource.csv) {
          const upload = await fileStore.receive(Readable.from([Buffer.from(csvText(resource.csv), 'utf8')]), { fieldName: 'upload', filename: file, maxBytes: 1 << 20 });
          resources.push({ name: resource.name, format: 'CSV', description: `${resource.name} — ${agency.title}`, upload });
        } else {
          const url = resource.format === 'API' ? `${PORTAL}/api/${name}` : `${PORTAL}/files/${name}/${file}`;
          resources.push({ name: resource.name, format: resource.format, url, description: `${resource.name} — ${agency.title}` });
        }
      }
      try {
        await context.action('package_create', {
          name,
          title: dataset.title,
          notes: dataset.notes,
          owner_org: orgName,
          license_id: 'vn-let-43',
          author: agency.title,
          maintainer: `Bộ phận dữ liệu, ${agency.title}`,
          maintainer_email: `dulieu.${orgName.replace(/^so-/, '')}@binhan.gov.vn`,
          tags: dataset.tags.map((tag) => ({ name: tag })),
          groups: [{ name: slugify(dataset.group) }],
          extras: [{ key: 'tan_suat_cap_nhat', value: dataset.frequency }],
          resources,
        });
        created++;
      } finally {
        for (const resource of resources) if (resource.upload) await fileStore.discard(resource.upload);
      }
    }
  }
  return { organizations: DEMO_AGENCIES.length, datasets, created };
}
