import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCoreConfig, readConfigSources, resolveConfig, unknownEnvVariables } from '../../core/config/load.ts';
import { parse as parseYaml } from 'yaml';
import { coreConfigDecl } from '../../core/config/schema.ts';
import { isKeyDecl, type SectionDecl } from '../../core/config/declare.ts';
import { key } from '../../core/config/declare.ts';
import { ConfigError } from '../../core/errors.ts';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  const tempDirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kho-config-'));
    tempDirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  });

  it('defaults come from config/default.yaml: port 5000 as CKAN, embedded database', () => {
    const config = loadCoreConfig({ file: null, env: {} });
    expect(config.server.port).to.equal(5000);
    expect(config.database.url).to.equal(null);
    expect(config.data_dir).to.equal('./data');
    expect(config.plugins).to.deep.equal(['ui']);
  });

  it('KHO_* environment variables override the files, with types checked', () => {
    const config = loadCoreConfig({
      file: null,
      env: { KHO_PORT: '8080', KHO_DATABASE_URL: 'postgres://u@h/db', KHO_DATA_DIR: '/srv/kho', KHO_SITE_URL: 'https://data.binhdinh.gov.vn/', KHO_PLUGINS: 'harvest, compliance', KHO_AUTH_CREATE_UNOWNED_DATASET: 'true' },
    });
    expect(config.server.port).to.equal(8080);
    expect(config.database.url).to.equal('postgres://u@h/db');
    expect(config.data_dir).to.equal('/srv/kho');
    expect(config.site.url).to.equal('https://data.binhdinh.gov.vn');
    expect(config.plugins).to.deep.equal(['harvest', 'compliance']);
    expect(config.auth.create_unowned_dataset).to.equal(true);
  });

  it('the file named by KHO_CONFIG overrides default.yaml', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'province.yaml');
    await writeFile(file, 'server:\n  port: 7000\nsite:\n  title: Cổng dữ liệu mở tỉnh Bình Định\n');
    const config = loadCoreConfig({ env: { KHO_CONFIG: file } });
    expect(config.server.port).to.equal(7000);
    expect(config.site.title).to.equal('Cổng dữ liệu mở tỉnh Bình Định');
  });

  it('an unknown key stops boot with one line naming it and its source', () => {
    const message = failure(() => loadCoreConfig({ file: null, env: {}, overrides: { server: { prot: 1 } } }));
    expect(message).to.equal('Config: unknown key "server.prot" in overrides');
    expect(message).not.to.include('\n');
  });

  it('a mistyped value stops boot naming the key, the value and where it came from', () => {
    expect(failure(() => loadCoreConfig({ file: null, env: { KHO_PORT: 'năm nghìn' } }))).to.equal(
      'Config: "server.port" must be an integer (got "năm nghìn") in environment variable KHO_PORT',
    );
    expect(failure(() => loadCoreConfig({ file: null, env: {}, overrides: { auth: { public_user_details: 'yes' } } }))).to.include('"auth.public_user_details" must be true or false');
    expect(failure(() => loadCoreConfig({ file: null, env: {}, overrides: { log: { level: 'loud' } } }))).to.include('one of fatal, error');
    expect(failure(() => loadCoreConfig({ file: null, env: {}, overrides: { server: { port: 70000 } } }))).to.include('at most 65535');
  });

  it('invalid YAML is reported as one line with the file name', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'server: [port\n');
    const message = failure(() => loadCoreConfig({ env: { KHO_CONFIG: file } }));
    expect(message).to.include(`${file} is not valid YAML`);
    expect(message).not.to.include('\n');
  });

  it('plugin sections are validated against the plugin declaration; a known but disabled plugin section is allowed', () => {
    const sources = readConfigSources({ file: null, env: { KHO_DEMO_GREETING: 'chào' }, overrides: { other: { anything: 1 } } });
    const config = resolveConfig(sources, { demo: { greeting: key.string('hi', 'a greeting') } }, ['demo', 'other']);
    expect((config.demo as { greeting: string }).greeting).to.equal('chào');
    const overridden = readConfigSources({ file: null, env: { KHO_DEMO_GREETING: 'chào' }, overrides: { demo: { greeting: 'xin chào' } } });
    expect((resolveConfig(overridden, { demo: { greeting: key.string('hi', 'a greeting') } }, ['demo']).demo as { greeting: string }).greeting).to.equal('xin chào');
    const bad = readConfigSources({ file: null, env: {}, overrides: { demo: { greting: 'x' } } });
    expect(failure(() => resolveConfig(bad, { demo: { greeting: key.string('hi', 'a greeting') } }, ['demo']))).to.equal('Config: unknown key "demo.greting" in overrides');
    const unknownPlugin = readConfigSources({ file: null, env: {}, overrides: { nosuch: { a: 1 } } });
    expect(failure(() => resolveConfig(unknownPlugin, {}, ['demo']))).to.equal('Config: unknown key "nosuch" in overrides');
  });

  it('config/default.yaml names every core key, so that it documents them all', async () => {
    const yaml = parseYaml(await readFile(new URL('../../config/default.yaml', import.meta.url), 'utf8'));
    const missing: string[] = [];
    const walk = (section: SectionDecl, values: Record<string, unknown> | undefined, prefix: string) => {
      for (const [name, decl] of Object.entries(section)) {
        if (isKeyDecl(decl)) {
          if (!values || !(name in values)) missing.push(prefix + name);
        } else walk(decl, values?.[name] as Record<string, unknown> | undefined, `${prefix}${name}.`);
      }
    };
    walk(coreConfigDecl as SectionDecl, yaml, '');
    expect(missing).to.deep.equal([]);
  });

  it('overrides (a command\'s flags such as kho serve -p) beat the environment', () => {
    expect(loadCoreConfig({ file: null, env: { KHO_PORT: '0' }, overrides: { server: { port: 5002 } } }).server.port).to.equal(5002);
  });

  it('site.url follows the port unless it is given', async () => {
    expect(loadCoreConfig({ file: null, env: {} }).site.url).to.equal('http://localhost:5000');
    expect(loadCoreConfig({ file: null, env: { KHO_PORT: '5002' } }).site.url).to.equal('http://localhost:5002');
    expect(loadCoreConfig({ file: null, env: {}, overrides: { server: { port: 5003 } } }).site.url).to.equal('http://localhost:5003');
    expect(loadCoreConfig({ file: null, env: { KHO_PORT: '5002', KHO_SITE_URL: 'https://data.binhdinh.gov.vn' } }).site.url).to.equal('https://data.binhdinh.gov.vn');
    const dir = await tempDir();
    const file = path.join(dir, 'province.yaml');
    await writeFile(file, 'server:\n  port: 7000\nsite:\n  url: http://localhost:5000\n');
    expect(loadCoreConfig({ env: { KHO_CONFIG: file } }).site.url).to.equal('http://localhost:5000');
  });

  it('names the KHO_* environment variables that match no key (a typo is ignored, so boot warns)', () => {
    const sources = readConfigSources({
      file: null,
      env: { KHO_AUTH_CREATE_UNOWNED_DATASETS: 'true', KHO_AUTH_CREATE_UNOWNED_DATASET: 'true', KHO_PORT: '1', KHO_CONFIG: 'x', KHO_DEMO_GREETING: 'chào', HOME: '/root' },
    });
    expect(unknownEnvVariables(sources, { demo: { greeting: key.string('hi', 'a greeting') } })).to.deep.equal(['KHO_AUTH_CREATE_UNOWNED_DATASETS']);
    expect(unknownEnvVariables(sources)).to.deep.equal(['KHO_AUTH_CREATE_UNOWNED_DATASETS', 'KHO_DEMO_GREETING']);
  });
});
