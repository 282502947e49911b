// Rule packs are data: the shipped packs load and answer "what is in force on this date"; a
// province overrides parameters; a malformed pack or override stops boot with one line naming the
// file, the rule and the field.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRuleBook, parsePack } from '../../../plugins/compliance/services/packs.ts';
import { parseDay } from '../../../plugins/compliance/services/time.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { startTestServer } from '../../helpers/server.ts';

const d = (text: string) => parseDay(text)!;
const ids = (rules: Array<{ id: string; version: number }>) => rules.map((rule) => `${rule.id}@${rule.version}`);

const GOOD_RULE = `
pack: test-pack
version: "1"
title: Test
jurisdiction: VN-99
instruments:
  QD1: { title: Quyết định 1/2026/QĐ-UBND }
rules:
  - id: T-WINDOW
    version: 1
    kind: quarterly_update_window
    title: Window
    legal_basis: { instrument: QD1, article: "Điều 1" }
    effective_from: 2026-01-01
    parameters: { window_length: 15 }
`;

describe('compliance: rule packs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kho-packs-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function pack(name: string, text: string) {
    await writeFile(path.join(dir, `${name}.yaml`), text);
  }
  function load(names: string[], overrides: Record<string, unknown> = {}) {
    return loadRuleBook({ names, dirs: [dir], overrides, disabled: [] });
  }

  it('load the national, Bình Định and Thái Bình packs with legal basis and dates in force', () => {
    const book = load(['national', 'binh-dinh', 'thai-binh']);
    const window = book.version('BD-4-5-QUARTERLY-UPDATE', d('2026-01-10'))!;
    expect(window.legal_basis).to.include({ instrument: 'QD51-BD', article: 'Điều 4 khoản 5' });
    expect(window.legal_basis.quote).to.match(/trong thời hạn 15 ngày kể từ ngày đầu tiên của Quý sau/);
    expect(window.parameters).to.deep.equal({ window_start_day: 1, window_length: 15, unit: 'calendar_days', extend_to_working_day: true, attestation_counts: true, remind_before_days: 5 });
    expect(window.jurisdiction).to.equal('VN-31');
    expect(book.version('TB-6-3-UPDATE-3-MONTHS', d('2026-01-10'))!.parameters.months).to.equal(3);
  });

  it('apply the rules in force on the evaluation date: Decree 47 Art. 20(3) until 18/08/2025, Art. 35(3) replaced on 19/08/2025', () => {
    const book = load(['national']);
    expect(ids(book.inForce(d('2025-08-18')))).to.include.members(['VN-D47-20-3-UPDATE@1', 'VN-D47-20-3-CATALOGUE-REVIEW@1', 'VN-D47-35-3-CONNECTION-REQUEST@1']);
    const after = ids(book.inForce(d('2025-08-19')));
    expect(after).to.not.include('VN-D47-20-3-UPDATE@1');
    expect(after).to.include('VN-D47-35-3-CONNECTION-REQUEST@2');
    expect(book.version('VN-D47-35-3-CONNECTION-REQUEST', d('2025-08-19'))!.parameters.working_days).to.equal(2);
    // The Law on Data's classification applies from 01/07/2025 only.
    expect(book.gate('open_classification', d('2025-06-30'))).to.equal(null);
    expect(book.gate('open_classification', d('2025-07-01'))!.id).to.equal('VN-LD-13-GATE-OPEN');
  });

  it("let a provincial rule supersede the national one while both are enabled", () => {
    const book = load(['national', 'thai-binh']);
    const onDay = ids(book.inForce(d('2024-03-01')));
    expect(onDay).to.include('TB-6-3-UPDATE-3-MONTHS@1');
    expect(onDay).to.not.include('VN-D47-20-3-UPDATE@1');
    expect(onDay).to.include('TB-5-2-SELF-ASSESSMENT@1');
    expect(onDay).to.not.include('VN-D47-16-ASSESSMENT@1');
    // Before Thái Bình's rule took effect (16/08/2021), the national one applied.
    expect(ids(book.inForce(d('2021-08-15')))).to.include('VN-D47-20-3-UPDATE@1');
  });

  it('let a province override parameters, recording which', () => {
    const book = load(['national', 'binh-dinh'], { 'BD-4-5-QUARTERLY-UPDATE': { window_length: 20, unit: 'working_days' } });
    const rule = book.version('BD-4-5-QUARTERLY-UPDATE', d('2026-01-10'))!;
    expect(rule.parameters.window_length).to.equal(20);
    expect(rule.parameters.unit).to.equal('working_days');
    expect(rule.overridden).to.deep.equal(['unit', 'window_length']);
  });

  it('refuse bad overrides and unknown packs with one line', () => {
    expect(() => load(['national', 'binh-dinh'], { 'BD-4-5-QUARTERLY-UPDATE': { window_length: 0 } })).to.throw('Config: compliance.overrides.BD-4-5-QUARTERLY-UPDATE.window_length must be an integer ≥ 1 and ≤ 92 (got 0)');
    expect(() => load(['national'], { 'BD-4-5-QUARTERLY-UPDATE': { window_length: 10 } })).to.throw('Config: compliance.overrides: no enabled pack defines rule "BD-4-5-QUARTERLY-UPDATE"');
    expect(() => load(['national', 'binh-dinh'], { 'BD-4-5-QUARTERLY-UPDATE': { window_days: 10 } })).to.throw(/compliance\.overrides\.BD-4-5-QUARTERLY-UPDATE\.window_days is not a parameter of kind quarterly_update_window/);
    expect(() => load(['nationl'])).to.throw(/Config: compliance.rule_packs: no pack "nationl"/);
    expect(() => load(['binh-dinh'])).to.throw(/none of binh-dinh defines the working-day calendar/);
  });

  describe('malformed packs: the error names the file, the rule and the field', () => {
    const cases: Array<[string, (text: string) => string, RegExp]> = [
      ['bad YAML', () => 'pack: x\nrules: [\n', /^Rule pack .*bad\.yaml: not valid YAML: /],
      ['an unknown parameter', (t) => t.replace('{ window_length: 15 }', '{ window_length: 15, window_days: 3 }'), /rule "T-WINDOW" \(rules\[0\]\): parameters\.window_days is not a parameter of kind quarterly_update_window \(it takes: window_start_day, window_length/],
      ['a value of the wrong type', (t) => t.replace('{ window_length: 15 }', '{ window_length: -3 }'), /rule "T-WINDOW" \(rules\[0\]\): parameters\.window_length must be an integer ≥ 1 and ≤ 92 \(got -3\)$/],
      ['a missing required parameter', (t) => t.replace('{ window_length: 15 }', '{}'), /rule "T-WINDOW" \(rules\[0\]\): parameters\.window_length is required$/],
      ['an unknown kind', (t) => t.replace('kind: quarterly_update_window', 'kind: quarterly'), /rule "T-WINDOW" \(rules\[0\]\): kind must be one of focal_point, .* \(got "quarterly"\)$/],
      ['a date written the Vietnamese way', (t) => t.replace('effective_from: 2026-01-01', 'effective_from: 01/01/2026'), /rule "T-WINDOW" \(rules\[0\]\): effective_from must be a date YYYY-MM-DD \(got "01\/01\/2026"\)$/],
      ['an end before the start', (t) => t.replace('effective_from: 2026-01-01', 'effective_from: 2026-01-01\n    effective_to: 2025-12-31'), /effective_to \(2025-12-31\) is before effective_from \(2026-01-01\)$/],
      ['an undeclared instrument', (t) => t.replace('instrument: QD1,', 'instrument: QD2,'), /legal_basis\.instrument must name one of the pack's instruments \(QD1; got "QD2"\)$/],
      ['an unquoted article with a comma', (t) => t.replace('article: "Điều 1"', 'article: Điều 1, 2'), /legal_basis\.2 is not a legal-basis field/],
      [
        'two versions in force on the same day',
        (t) => t + t.slice(t.indexOf('  - id: T-WINDOW')).replace('version: 1', 'version: 2').replace('effective_from: 2026-01-01', 'effective_from: 2026-07-01'),
        /rule "T-WINDOW": versions 1 and 2 are both in force on 2026-07-01; end the earlier one with effective_to$/,
      ],
      ['a rule id in lower case', (t) => t.replace('id: T-WINDOW', 'id: t-window'), /\(rules\[0\]\): id must be upper-case letters, digits and dashes \(got "t-window"\)$/],
    ];
    for (const [what, edit, expected] of cases) {
      it(what, () => {
        const file = path.join(dir, 'bad.yaml');
        let error: Error | null = null;
        try {
          parsePack(file, edit(GOOD_RULE));
        } catch (err) {
          error = err as Error;
        }
        expect(error, 'no error').to.not.equal(null);
        expect(error!.message).to.match(expected);
        expect(error!.message).to.match(/^Rule pack .*bad\.yaml: /);
        expect(error!.message).to.not.include('\n');
      });
    }
  });

  it('stop the server at boot with one line naming file, rule and field', async () => {
    await pack('bad-province', GOOD_RULE.replace('pack: test-pack', 'pack: bad-province').replace('{ window_length: 15 }', '{ window_length: 100 }'));
    let error: Error | null = null;
    try {
      const server = await startTestServer({ plugins: ['compliance'], config: { compliance: { rule_packs: ['national', 'bad-province'], pack_dirs: [dir] } } });
      await server.close();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(/^Plugin "compliance" failed to register: Rule pack .*bad-province\.yaml: rule "T-WINDOW" \(rules\[0\]\): parameters\.window_length must be an integer ≥ 1 and ≤ 92 \(got 100\)$/);
  });

  it('stop the kho command with one line on stderr and exit code 1', async () => {
    await pack('bad-cli', GOOD_RULE.replace('pack: test-pack', 'pack: bad-cli').replace('kind: quarterly_update_window', 'kind: nope'));
    const config = path.join(dir, 'kho.yaml');
    await writeFile(config, `plugins: [compliance]\ndata_dir: ${JSON.stringify(path.join(dir, 'data'))}\ncompliance:\n  rule_packs: [national, bad-cli]\n  pack_dirs: [${JSON.stringify(dir)}]\n`);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'core/cli/bin.js'), 'compliance', 'rules'], { env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KHO_'))), KHO_CONFIG: config }, cwd: PROJECT_ROOT });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.match(/Rule pack .*bad-cli\.yaml: rule "T-WINDOW" \(rules\[0\]\): kind must be one of/);
  });
});
