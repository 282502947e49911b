import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createKernel } from '../../core/app.ts';
import { freshPostgresDatabase } from '../helpers/server.ts';

describe('moving the portal to its real domain (site.url changes)', function () {
  this.timeout(120000);

  it('re-renders stored datasets at the next start, so download links use the new host', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kho-site-url-'));
    let databaseUrl: string | null = null;
    let drop: (() => Promise<void>) | null = null;
    if (process.env.TEST_DATABASE_URL) {
      const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL);
      databaseUrl = fresh.url;
      drop = fresh.drop;
    }
    const boot = (siteUrl: string) =>
      createKernel({ config: { file: null, env: {}, overrides: { data_dir: dataDir, database: { url: databaseUrl }, site: { url: siteUrl }, log: { level: 'silent' } } }, command: 'test' });
    try {
      const first = await boot('http://localhost:5000');
      await first.start();
      const context = first.context();
      await context.action('organization_create', { name: 'so-xay-dung' });
      const upload = await first.container.cradle.fileStore.receive(Readable.from([Buffer.from('a,b\n1,2\n')]), { fieldName: 'upload', filename: 'gia.csv', maxBytes: 1000 });
      await context.action('package_create', { name: 'gia-vat-lieu', owner_org: 'so-xay-dung', resources: [{ name: 'Giá', upload }, { name: 'Liên kết', url: 'https://example.org/x.csv' }] });
      const before = await context.action('package_show', { id: 'gia-vat-lieu' });
      expect(before.resources[0].url).to.match(/^http:\/\/localhost:5000\/dataset\/.+\/download\/gia\.csv$/);
      await first.close();

      const second = await boot('https://data.binhdinh.gov.vn');
      await second.start();
      try {
        const after = await second.context().action('package_show', { id: 'gia-vat-lieu' });
        expect(after.resources[0].url).to.equal(before.resources[0].url.replace('http://localhost:5000', 'https://data.binhdinh.gov.vn'));
        expect(after.resources[1].url).to.equal('https://example.org/x.csv');
        const found = await second.context().action('package_search', { q: 'name:gia-vat-lieu' });
        expect(found.results[0].resources[0].url).to.equal(after.resources[0].url);
      } finally {
        await second.close();
      }
    } finally {
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
