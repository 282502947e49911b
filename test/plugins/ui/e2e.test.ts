// End-to-end in a real browser (Debian's Chromium through playwright-core): the flows the portal
// exists for, an accessibility scan (axe-core) of the main pages, keyboard use, and screenshots at
// desktop and phone widths written to test-output/ui/ for people to look at.
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { launchChromium, seedCatalogue } from './helpers.ts';

const OUT = new URL('../../../test-output/ui/', import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function signIn(page: Page, user: { name: string; password: string }) {
  await page.goto('/user/login');
  await page.getByLabel('Tên đăng nhập').fill(user.name);
  await page.getByLabel('Mật khẩu').fill(user.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(/\/dashboard/);
}

async function axeProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(' | ')}`);
}

describe('ui › end to end in Chromium', function () {
  this.timeout(120000);
  let server: TestServer;
  let editor: TestUser;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  const csv = Buffer.from('ma,ten_nha_thuoc,dia_chi\n1,Nhà thuốc Hồng Đức,12 Trần Phú\n2,Nhà thuốc An Bình,"5 Lê Lợi, TP Huế"\n');

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // CI installs Debian's chromium (.ci/run); elsewhere say so instead of failing obscurely.
      console.warn(`      (skipped: no Chromium at ${CHROMIUM})`);
      this.skip();
    }
    mkdirSync(OUT, { recursive: true });
    server = await startTestServer({ plugins: ['ui', 'example'], config: { example: { theme_required: true } } });
    await seedCatalogue(server, { example_theme: 'giao-duc' });
    editor = await server.createUser('can-bo-e2e');
    await server.admin.call('member_create', { id: 'so-y-te', object: editor.name, object_type: 'user', capacity: 'editor' });
    for (const name of ['nha-thuoc', 'co-so-kham-chua-benh']) await server.admin.call('package_patch', { id: name, example_theme: 'y-te' });
    const form = new FormData();
    form.set('package_id', 'nha-thuoc');
    form.set('name', 'Danh sách nhà thuốc đạt chuẩn');
    form.set('upload', new Blob([csv]), 'nha-thuoc.csv');
    await server.client(server.sysadmin.token).request('/api/3/action/resource_create', { method: 'POST', body: form });
    browser = await launchChromium(server.url);
    context = browser.context;
    context.setDefaultTimeout(15000);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function freshPage(width = 1280): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (message) => {
      // a form sent back with errors answers 409, which the console reports as a failed load
      if (message.type() === 'error' && !/status of 409/.test(message.text())) errors.push(message.text());
    });
    (page as unknown as { kErrors: string[] }).kErrors = errors;
    return page;
  }

  it('search → facet → dataset → download gives the uploaded bytes', async () => {
    await context.clearCookies();
    const page = await freshPage();
    await page.goto('/');
    await page.getByRole('searchbox', { name: 'Tìm kiếm dữ liệu' }).fill('nha thuoc');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dataset\?q=nha\+thuoc/);
    await expect(page.locator('.result-count')).to.exist;
    await page.locator('.facet a', { hasText: 'Sở Y tế' }).click();
    await page.waitForURL(/organization=so-y-te/);
    expect(await page.locator('.result-count').innerText()).to.include('Tìm thấy 1 bộ dữ liệu');
    await page.getByRole('link', { name: 'Danh sách nhà thuốc', exact: true }).click();
    await page.waitForURL(/\/dataset\/nha-thuoc$/);
    expect(await page.locator('h1').innerText()).to.equal('Danh sách nhà thuốc');
    expect(await page.locator('.preview table').innerText()).to.include('Nhà thuốc Hồng Đức');
    const sha = createHash('sha256').update(csv).digest('hex');
    expect(await page.locator('.resource code.hash').allInnerTexts()).to.include(sha);
    // what the browser receives when the link is followed, read on its way in
    let received: Buffer | null = null;
    let status = 0;
    await page.route('**/download/**', async (route) => {
      const response = await route.fetch();
      status = response.status();
      received = await response.body();
      await route.fulfill({ response });
    });
    // Chromium downloads a CSV rather than showing it: accept the download, the bytes were read above
    const download = page.waitForEvent('download').catch(() => null);
    await page.getByRole('link', { name: 'Tải về Danh sách nhà thuốc đạt chuẩn' }).click();
    for (let i = 0; i < 100 && !received; i++) await page.waitForTimeout(50);
    expect((await download)?.suggestedFilename()).to.equal('nha-thuoc.csv');
    expect(status).to.equal(200);
    expect(createHash('sha256').update(received!).digest('hex')).to.equal(sha);
    expect((page as unknown as { kErrors: string[] }).kErrors).to.deep.equal([]);
    await page.close();
  });

  it('sign in → create a dataset with a validation error → fix it → upload a file with progress → found in search', async () => {
    await context.clearCookies();
    const page = await freshPage();
    await signIn(page, editor);
    await page.getByRole('link', { name: 'Thêm bộ dữ liệu' }).click();
    await page.waitForURL(/\/dataset\/new/);
    await page.getByLabel('Tên dữ liệu').fill('Giá dịch vụ khám bệnh 2026');
    // the URL name is previewed from the Vietnamese title
    expect(await page.getByLabel('Địa chỉ (URL)').getAttribute('placeholder')).to.equal('gia-dich-vu-kham-benh-2026');
    await page.getByLabel('Mô tả (mục đích, phạm vi, nội dung)').fill('Bảng giá **dịch vụ** khám bệnh.');
    await page.getByLabel('Từ khoá').fill('y tế, giá dịch vụ');
    await page.getByRole('button', { name: 'Tiếp tục: thêm dữ liệu' }).click();
    // the plugin's required field was left empty: the message is next to it, and the summary has focus
    const themeError = page.locator('#field-example_theme-wrap .error');
    await themeError.waitFor();
    expect(await themeError.innerText()).to.equal('Chưa nhập giá trị.');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.equal('error-summary');
    expect(await page.getByLabel('Tên dữ liệu').inputValue()).to.equal('Giá dịch vụ khám bệnh 2026');
    await page.locator('#error-summary a[href="#field-example_theme"]').click();
    await page.getByLabel(/^Chủ đề/).selectOption({ label: 'Y tế' });
    await page.screenshot({ path: new URL('dataset-form-desktop.png', OUT).pathname, fullPage: true });
    await page.getByRole('button', { name: 'Tiếp tục: thêm dữ liệu' }).click();
    await page.waitForURL(/\/dataset\/gia-dich-vu-kham-benh-2026\/resource\/new$/);
    expect(await page.locator('.flash').innerText()).to.include('Đã tạo bộ dữ liệu');

    // the upload: watch the progress bar through its value attribute
    const seen: number[] = [];
    await page.exposeBinding('khoProgress', (_source, value: number) => seen.push(value));
    await page.evaluate(`(() => {
      const bar = document.querySelector('progress');
      new MutationObserver(() => window.khoProgress(Number(bar.value))).observe(bar, { attributes: true, attributeFilter: ['value'] });
    })()`);
    const big = Buffer.from('dich_vu,gia\n' + Array.from({ length: 60000 }, (_, i) => `Khám bệnh loại ${i},${100000 + i}`).join('\n') + '\n');
    await page.getByLabel('Tải tệp lên').setInputFiles({ name: 'gia-dich-vu.csv', mimeType: 'text/csv', buffer: big });
    await page.getByLabel('Tên tài nguyên').fill('Bảng giá');
    await page.getByRole('button', { name: 'Thêm dữ liệu' }).click();
    await page.waitForURL(/\/dataset\/gia-dich-vu-kham-benh-2026\/resource\/[0-9a-f-]{36}$/);
    expect(seen.length).to.be.greaterThan(0);
    expect(Math.max(...seen)).to.equal(100);
    expect(await page.locator('h1').innerText()).to.include('Bảng giá');
    const shown = await server.anon.call('package_show', { id: 'gia-dich-vu-kham-benh-2026' });
    expect(shown.resources[0].size).to.equal(big.length);

    await page.goto('/dataset?q=gia+dich+vu+kham+benh');
    expect(await page.locator('.dataset-list').innerText()).to.include('Giá dịch vụ khám bệnh 2026');
    expect((page as unknown as { kErrors: string[] }).kErrors).to.deep.equal([]);
    await page.close();
  });

  it('switches language and keeps the page', async () => {
    await context.clearCookies();
    const page = await freshPage();
    await page.goto('/dataset?tags=y+t%E1%BA%BF');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/dataset\?tags=y/);
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    expect(await page.locator('h1').innerText()).to.equal('Datasets');
    expect(await page.locator('.result-count').innerText()).to.match(/datasets? found/);
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await page.waitForURL(/\/dataset\?tags=y/);
    expect(await page.locator('h1').innerText()).to.equal('Dữ liệu');
    await page.close();
  });

  it('works with the keyboard: skip link first, visible focus', async () => {
    await context.clearCookies();
    const page = await freshPage();
    await page.goto('/dataset');
    await page.keyboard.press('Tab');
    const first = await page.evaluate<{ text: string; outline: string }>('({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle })');
    expect(first.text).to.equal('Bỏ qua, đến nội dung chính');
    expect(first.outline).to.equal('solid');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('location.hash')).to.equal('#main');
    await page.keyboard.press('Tab');
    const next = await page.evaluate('document.activeElement.closest("main") !== null');
    expect(next).to.equal(true);
    await page.close();
  });

  it('has no serious or critical accessibility violations (axe-core) on the main pages, and fits 360 px', async () => {
    await context.clearCookies();
    const pkg = await server.anon.call('package_show', { id: 'nha-thuoc' });
    const pages: Array<[string, string]> = [
      ['home', '/'],
      ['search', '/dataset?q=y+t%E1%BA%BF'],
      ['dataset', '/dataset/nha-thuoc'],
      ['resource', `/dataset/nha-thuoc/resource/${pkg.resources.at(-1).id}`],
      ['organizations', '/organization'],
      ['organization', '/organization/so-y-te'],
      ['groups', '/group'],
      ['group', '/group/y-te'],
      ['login', '/user/login'],
      ['not-found', '/khong-co-trang-nay'],
    ];
    const problems: string[] = [];
    const page = await freshPage();
    const started = Date.now();
    const lap = (what: string) => process.env.KHO_E2E_TIMING && console.log(`      ${what}: ${Date.now() - started} ms`);
    for (const [name, path] of pages) {
      lap(name);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(path);
      lap(' goto');
      problems.push(...(await axeProblems(page)).map((p) => `${path}: ${p}`));
      lap(' axe');
      await page.screenshot({ path: new URL(`${name}-desktop.png`, OUT).pathname, fullPage: true });
      lap(' shot');
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(path);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(overflow, `${path} at 360 px`).to.be.at.most(360);
      await page.screenshot({ path: new URL(`${name}-phone.png`, OUT).pathname, fullPage: true });
    }
    // the console, signed in
    await signIn(page, editor);
    for (const [name, path] of [['dashboard', '/dashboard'], ['dataset-new', '/dataset/new'], ['resource-new', '/dataset/nha-thuoc/resource/new'], ['members', '/organization/members/so-y-te']] as Array<[string, string]>) {
      await page.setViewportSize({ width: 1280, height: 900 });
      const response = await page.goto(path);
      if (response?.status() === 403) continue; // an editor is not an organization admin
      problems.push(...(await axeProblems(page)).map((p) => `${path}: ${p}`));
      await page.screenshot({ path: new URL(`${name}-desktop.png`, OUT).pathname, fullPage: true });
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(path);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), `${path} at 360 px`).to.be.at.most(360);
      await page.screenshot({ path: new URL(`${name}-phone.png`, OUT).pathname, fullPage: true });
    }
    // an error state of the form is scanned too
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/dataset/new');
    await page.getByRole('button', { name: 'Tiếp tục: thêm dữ liệu' }).click();
    await page.locator('#error-summary').waitFor();
    problems.push(...(await axeProblems(page)).map((p) => `/dataset/new (errors): ${p}`));
    await page.close();
    expect(problems).to.deep.equal([]);
  });
});

describe('ui › end to end in Chromium › plugin pages', function () {
  this.timeout(120000);
  const has = (plugin: string) => existsSync(new URL(`../../../plugins/${plugin}/index.ts`, import.meta.url));
  let remote: TestServer;
  let server: TestServer;
  let compliance: TestServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  before(async function () {
    if (!existsSync(CHROMIUM) || !has('harvest') || !has('compliance')) this.skip();
    mkdirSync(OUT, { recursive: true });
    // Two portals: one harvesting (ui + harvest), one tracking duties (ui + compliance).
    [remote, compliance, server] = await Promise.all([
      startTestServer(),
      startTestServer({ plugins: ['ui', 'compliance'] }),
      startTestServer({
        plugins: ['ui', 'harvest'],
        workers: true,
        config: { net: { allow_private_hosts: ['127.0.0.1', 'localhost'] }, harvest: { scheduler_interval_ms: 200, heartbeat_ms: 100, request_timeout_ms: 3000 } },
      }),
    ]);
    await remote.admin.call('organization_create', { name: 'so-cong-thuong', title: 'Sở Công Thương' });
    for (const name of ['cho-truyen-thong', 'sieu-thi']) {
      await remote.admin.call('package_create', { name, title: `Danh sách ${name}`, owner_org: 'so-cong-thuong', resources: [{ url: `https://agency.example/${name}.csv`, format: 'CSV' }] });
    }
    await compliance.admin.call('organization_create', {
      name: 'so-tai-chinh', title: 'Sở Tài chính', ma_dinh_danh: 'H12.15',
      contact_name: 'Nguyễn Văn An', contact_position: 'Chuyên viên', contact_phone: '0234 3822 123', contact_email: 'an@stc.example.vn',
    });
    await compliance.admin.call('organization_create', { name: 'so-xay-dung', title: 'Sở Xây dựng' });
    await server.admin.call('organization_create', { name: 'so-tai-chinh', title: 'Sở Tài chính' });
    await server.admin.call('harvest_source_create', { name: 'cong-thuong', title: 'Cổng Sở Công Thương', url: remote.url, source_type: 'ckan', owner_org: 'so-tai-chinh' });
    browser = await launchChromium(server.url);
    browser.context.setDefaultTimeout(15000);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([remote?.close(), server?.close(), compliance?.close()]);
  });

  it('runs a harvest from its page and reads its report', async () => {
    const page = await browser.context.newPage();
    await signIn(page, { name: server.sysadmin.name, password: server.sysadmin.password });
    await page.getByRole('link', { name: 'Thu thập', exact: true }).click();
    await page.getByRole('link', { name: 'Cổng Sở Công Thương' }).click();
    await page.getByRole('button', { name: 'Chạy ngay' }).click();
    await page.waitForURL(/\/harvest\/cong-thuong$/);
    expect(await page.locator('.flash').innerText()).to.include('Đã bắt đầu');
    for (let i = 0; i < 100; i++) {
      if ((await page.locator('table.list .status').first().innerText()) === 'Hoàn tất') break;
      await page.waitForTimeout(200);
      await page.reload();
    }
    expect(await page.locator('table.list .status').first().innerText()).to.equal('Hoàn tất');
    expect(await page.locator('table.list .stat-added').first().innerText()).to.equal('2 thêm mới');
    await page.screenshot({ path: new URL('harvest-source-desktop.png', OUT).pathname, fullPage: true });
    await page.getByRole('link', { name: /^Báo cáo/ }).first().click();
    await page.waitForURL(/\/harvest\/cong-thuong\/job\//);
    expect(await page.locator('main').innerText()).to.include('Không bản ghi nào bị lỗi.');
    expect(await axeProblems(page)).to.deep.equal([]);
    await page.close();
  });

  it('shows the compliance dashboard with the late agency in red', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${compliance.url}/compliance`);
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'Sở Xây dựng' }) });
    const overall = row.locator('td .status').first();
    expect(await overall.innerText()).to.equal('Chưa đạt');
    expect(await overall.evaluate((node) => (globalThis as any).getComputedStyle(node).color)).to.equal('rgb(164, 22, 26)');
    expect(await row.locator('th').evaluate((node) => (globalThis as any).getComputedStyle(node).borderLeftColor)).to.equal('rgb(164, 22, 26)');
    expect(await axeProblems(page)).to.deep.equal([]);
    await page.screenshot({ path: new URL('compliance-desktop.png', OUT).pathname, fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.reload();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).to.be.at.most(360);
    await page.screenshot({ path: new URL('compliance-phone.png', OUT).pathname, fullPage: true });
    await page.close();
  });
});
