// Small pieces of the portal that are easier to check directly: both languages complete, Markdown
// made safe, previews of awkward files, the message translations.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { I18n, loadMessages } from '../../../plugins/ui/services/i18n.ts';
import { createMarkdown, plainSnippet } from '../../../plugins/ui/services/markdown.ts';
import { previewCsv, previewJson } from '../../../plugins/ui/services/preview.ts';
import { translateError } from '../../../plugins/ui/routes/forms.ts';
import { safeLocalPath } from '../../../plugins/ui/routes/page.ts';

const base = (key: string) => key.replace(/\.(zero|one|two|few|many|other)$/, '');

describe('ui › units', () => {
  it('has every string in Vietnamese and English, with the same placeholders', () => {
    const vi = loadMessages('vi');
    const en = loadMessages('en');
    const viKeys = new Set(Object.keys(vi).map(base));
    const enKeys = new Set(Object.keys(en).map(base));
    expect([...viKeys].filter((key) => !enKeys.has(key)), 'missing in en').to.deep.equal([]);
    expect([...enKeys].filter((key) => !viKeys.has(key)), 'missing in vi').to.deep.equal([]);
    const params = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort().join(',');
    for (const [key, text] of Object.entries(vi)) {
      const other = en[key] ?? en[`${key}.other`];
      if (other) expect(params(other), key).to.equal(params(text));
    }
  });

  it('uses only keys that exist, in every template and route', () => {
    const vi = loadMessages('vi');
    const sources: string[] = [];
    const walk = (dir: URL) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
        if (entry.isDirectory()) walk(url);
        else if (/\.(njk|ts)$/.test(entry.name)) sources.push(readFileSync(url, 'utf8'));
      }
    };
    walk(new URL('../../../plugins/ui/templates/', import.meta.url));
    walk(new URL('../../../plugins/ui/routes/', import.meta.url));
    const used = new Set<string>();
    for (const text of sources) for (const match of text.matchAll(/\bt\('([a-z_]+\.[a-z_.0-9]+)'(?!\s*\+)/g)) used.add(match[1]);
    const known = new Set(Object.keys(vi).map(base));
    expect([...used].filter((key) => !known.has(key))).to.deep.equal([]);
  });

  it('formats numbers, sizes and dates per language, in Vietnam time', () => {
    const i18n = new I18n('vi');
    const vi = i18n.get('vi');
    const en = i18n.get('en');
    expect(vi.number(12345.5)).to.equal('12.345,5');
    expect(en.number(12345.5)).to.equal('12,345.5');
    expect(vi.bytes(1536)).to.equal('1,5 KB');
    expect(en.bytes(5 * 1048576)).to.equal('5 MB');
    expect(vi.date('2026-03-01T18:30:00.123456')).to.equal('02/03/2026'); // 01:30 on 2 March in Hà Nội
    expect(vi.date('2026-03-01')).to.equal('01/03/2026');
    expect(en.t('count.datasets', { count: 1 })).to.equal('1 dataset');
    expect(en.t('count.datasets', { count: 2000 })).to.equal('2,000 datasets');
    expect(vi.t('count.datasets', { count: 2000 })).to.equal('2.000 bộ dữ liệu');
  });

  it('renders Markdown without raw HTML, images or dangerous links', () => {
    const md = createMarkdown();
    const html = md('<script>x</script> [a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](java\tscript:x) [d](data:text/html,x) [e](vbscript:x) ![i](https://x/y.png) [ok](https://a.vn) <img src=x onerror=y>');
    expect(html).not.to.match(/<script|<img|href="(javascript|data|vbscript)/i);
    expect(html).to.include('&lt;script&gt;');
    expect(html).to.include('<a href="https://a.vn" rel="nofollow ugc noopener">ok</a>');
    expect(md('# Tiêu đề')).to.include('<h3>');
    expect(plainSnippet('**Dữ liệu** của [Sở Y tế](https://a.vn) - cập nhật_hằng_năm')).to.equal('Dữ liệu của Sở Y tế - cập nhật_hằng_năm');
  });

  it('previews CSV with ; separators, a BOM and a cut last line; JSON as a table or text', () => {
    const csv = Buffer.from('\uFEFFmã;tên;số\n01;Hà Nội;1\n02;"Đà; Nẵng";2\n03;Hu');
    const preview = previewCsv(csv, false, 10);
    expect(preview.columns).to.deep.equal(['mã', 'tên', 'số']);
    expect(preview.rows).to.deep.equal([['01', 'Hà Nội', '1'], ['02', 'Đà; Nẵng', '2']]);
    expect(preview.truncated).to.equal(true);
    const geo = previewJson(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ten: 'Huế' }, geometry: null }] }), 10);
    expect(geo.columns).to.deep.equal(['ten']);
    expect(previewJson('{"a": {"b": 1}}', 10).kind).to.equal('text');
  });

  it('translates the core\'s CKAN messages and keeps unknown ones', () => {
    const vi = new I18n('vi').get('vi');
    expect(translateError('Missing value', vi)).to.equal('Chưa nhập giá trị.');
    expect(translateError('Value must be one of: a, b', vi)).to.equal('Phải là một trong các giá trị: a, b.');
    expect(translateError('Something new', vi)).to.equal('Something new');
  });

  it('redirects only to paths on this site', () => {
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:x', '/a\nb', '']) expect(safeLocalPath(bad), bad).to.equal(null);
    expect(safeLocalPath('/dataset?q=1')).to.equal('/dataset?q=1');
  });
});

describe('ui › units › preview HTML', () => {
  it('escapes every cell of a preview table', async () => {
    const { tableHtml } = await import('../../../plugins/ui/services/preview.ts');
    const html = tableHtml({ kind: 'table', columns: ['<b>"a"</b>'], rows: [['<script>x</script>&']], truncated: false });
    expect(html).to.equal('<thead><tr><th scope="col">&lt;b&gt;&quot;a&quot;&lt;/b&gt;</th></tr></thead><tbody><tr><td>&lt;script&gt;x&lt;/script&gt;&amp;</td></tr></tbody>');
  });
});
