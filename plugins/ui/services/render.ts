// The template engine: Nunjucks (Jinja's syntax, so CKAN theme authors feel at home) with
// autoescaping on, so every value a template prints is HTML-escaped unless a helper returns
// SafeString (only the Markdown renderer and the form helpers, which escape what they embed).
// Filters read the request's translator from the template context (`tr`).
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { createMarkdown, plainSnippet } from './markdown.ts';
import type { Translator } from './i18n.ts';
import { storedImagePath } from '../../../core/storage/image-upload.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates', import.meta.url));

type FilterThis = { ctx: { tr: Translator } };

export function createTemplateEnvironment(options: { watch?: boolean } = {}): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(TEMPLATES_DIR, { noCache: !!options.watch, watch: false });
  const env = new nunjucks.Environment(loader, { autoescape: true, trimBlocks: true, lstripBlocks: true, throwOnUndefined: false });
  const markdown = createMarkdown();

  env.addFilter('markdown', (text: unknown) => new nunjucks.runtime.SafeString(markdown(text)));
  env.addFilter('snippet', (text: unknown, max?: number) => plainSnippet(text, max));
  env.addFilter('number', function (this: FilterThis, value: unknown) {
    return this.ctx.tr.number(value);
  });
  env.addFilter('bytes', function (this: FilterThis, value: unknown) {
    return this.ctx.tr.bytes(value);
  });
  env.addFilter('date', function (this: FilterThis, value: unknown) {
    return this.ctx.tr.date(value);
  });
  env.addFilter('datetime', function (this: FilterThis, value: unknown) {
    return this.ctx.tr.dateTime(value);
  });
  env.addFilter('loc', function (this: FilterThis, value: unknown) {
    return this.ctx.tr.label(value as never);
  });
  // Only http(s) URLs become links; anything else ("javascript:", "data:") is shown as text.
  env.addFilter('httpUrl', (value: unknown) => (typeof value === 'string' && /^https?:\/\/[^\s]+$/i.test(value.trim()) ? value.trim() : ''));
  env.addFilter('shortHash', (value: unknown) => {
    if (typeof value !== 'string') return '';
    const hex = value.replace(/^sha256:/i, '');
    return hex.length > 16 ? `${hex.slice(0, 12)}…` : hex;
  });
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2));
  // Only a logo stored here: the Content-Security-Policy keeps images to this site.
  env.addFilter('groupLogo', (imageUrl: unknown) => storedImagePath('group', imageUrl) ?? '');
  env.addFilter('urlencode_path', (value: unknown) => encodeURIComponent(String(value ?? '')));
  return env;
}
