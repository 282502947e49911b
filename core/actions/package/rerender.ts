// Stored package dicts contain absolute URLs built from site.url (upload download links, group
// images). When a province moves from http://localhost:5000 to its real domain, every stored dict
// is re-rendered once at start-up so package_show never hands out the old host.
import type { ActionContext, DataDict } from '../types.ts';
import { imageDisplayUrl, resourceDisplayUrl, sortKeys } from './dictize.ts';

const KEY = 'site_url';

export async function rerenderIfSiteUrlChanged(context: ActionContext): Promise<number> {
  const { repos, config, searchIndex, logger } = context.services;
  const siteUrl = config.site.url;
  const previous = await repos.systemInfo.get<string>(context.db(), KEY);
  if (previous === siteUrl) return 0;
  let count = 0;
  if (previous !== undefined) {
    let after = '';
    for (;;) {
      const rows: Array<{ id: string; data: string }> = await context.db()('package').where('id', '>', after).orderBy('id').limit(500).select('id', 'data');
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      await context.transaction(async (trx) => {
        for (const row of rows) {
          const dict: DataDict = JSON.parse(row.data);
          for (const resource of dict.resources ?? []) {
            if (resource.url_type === 'upload') resource.url = resourceDisplayUrl({ ...resource, url: String(resource.url).split('/').pop() }, dict.id, siteUrl);
          }
          for (const group of dict.groups ?? []) {
            if (typeof group.image_display_url === 'string' && group.image_display_url.startsWith(previous)) {
              group.image_display_url = imageDisplayUrl(group.image_display_url.split('/').pop() ?? '', siteUrl);
            }
          }
          const text = JSON.stringify(sortKeys(dict));
          if (text === row.data) continue;
          await repos.packages.update(trx, row.id, { data: text });
          await searchIndex.index(trx, JSON.parse(text));
          count++;
        }
      });
    }
    logger.info({ from: previous, to: siteUrl, datasets: count }, 'site.url changed: stored datasets re-rendered');
  }
  await repos.systemInfo.set(context.db(), KEY, siteUrl);
  return count;
}
