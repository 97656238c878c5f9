/**
 * `overlap-density check` as CI runs it (issue 17): exit codes 0 pass / 1 alarm / 2 bad input, the cached result
 * reused when up to date, the SARIF file valid against the SARIF 2.1.0 schema, a baseline written and compared.
 * Synthetic rows with stored activations (seconds, no encoder), then SST-2 dev (a copy in the temp folder) with the
 * bundled encoders: the file passes, the same file with its overlap rows removed alarms.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';
import { validateSarif } from '../../unit/check/sarifSchema';
import { buildCli, runCli, stackLines } from '../bad-input/cli';


let cli: { file: string; dispose: () => void };
let dir: string;
beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'od-cli-check-'));
});
afterAll(() => {
  cli?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const check = (args: string[], cwd = dir) => runCli(cli.file, ['check', ...args], cwd);

/** Drops the lines of the rows a result calls overlap; returns how many. */
function withoutOverlapRows(resultFile: string, from: string, to: string): number {
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { rows: { line?: number; category: string | null }[] };
  const drop = new Set(result.rows.filter((r) => r.category === 'overlap' && r.line !== undefined).map((r) => r.line!));
  const lines = readFileSync(from, 'utf8').split('\n');
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, lines.filter((_, i) => !drop.has(i + 1)).join('\n'));
  return drop.size;
}

describe('check on synthetic rows', () => {
  let data: string;
  beforeAll(() => {
    const syn = generateSynthetic({ scenario: 'mixed', nOverlap: 300, nNonOverlap: 600, seed: 4 });
    const rows = syntheticJsonl(syn).trim().split('\n').map((l, i) => `{"text":"synthetic row ${i}",${l.slice(1)}`);
    mkdirSync(join(dir, 'syn'));
    data = join(dir, 'syn', 'rows.jsonl');
    writeFileSync(data, rows.join('\n') + '\n');
  });

  it('exit 0 on pass; the second run reuses the up-to-date result; other options analyse again', () => {
    const first = check([data, '--seeds', '2', '--overlap-effect', 'any', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/rows\.jsonl: pass: 0 errors/);
    expect(first.stdout).toContain('result analysed now');
    const again = check([data, '--seeds', '2', '--overlap-effect', 'any', '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('result reused (up to date)');
    const other = check([data, '--seeds', '3', '--overlap-effect', 'any', '--quiet']);
    expect(other.stdout).toContain('result analysed now');
  });

  it('exit 1 on an alarm, with the finding on line 1 of the dataset', () => {
    const r = check([data, '--seeds', '3', '--min-density', '0.99', '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('result reused');
    expect(r.stdout).toMatch(/rows\.jsonl: ALARM/);
    expect(r.stdout).toMatch(/rows\.jsonl:1: error \[min-density\] overlap density is \d+\.\d% .* below the minimum 99\.0%/);
  });

  it('exit 2 on bad input: a rules file with a typo (file and line named), a bad flag, a missing file', () => {
    const cfg = join(dir, 'syn', 'overlap-density.check.json');
    writeFileSync(cfg, '{\n  "minDensity": 0.1,\n  "minPrg": 0.2\n}\n');
    const bad = check([data, '--seeds', '3', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${cfg}:3: unknown key "minPrg" (did you mean "minPgr"?)`);
    expect(stackLines(bad.stderr)).toEqual([]);
    rmSync(cfg);
    expect(check([data, '--format', 'xml']).code).toBe(2);
    expect(check([data, data, '--baseline', data]).stderr).toContain('--baseline FILE compares one DATASET');
    expect(check([data, '--baseline', 'b.json', '--no-baseline']).code).toBe(2);
    const help = check(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('exit 0 pass, 1 alarm, 2 bad input');
    expect(check([data, '--min-density', 'lots']).code).toBe(2);
    const missing = check([join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file not found');
    // The rules file found above the dataset applies (here: it makes the check alarm).
    writeFileSync(join(dir, 'overlap-density.check.json'), '{"minDensity": 0.99}');
    const found = check([data, '--seeds', '3', '--quiet']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`rules: overlap-density.check.json`);
    rmSync(join(dir, 'overlap-density.check.json'));
  });

  it('SARIF output validates against the SARIF 2.1.0 schema and points at the dataset lines', () => {
    const out = join(dir, 'check.sarif');
    const r = check([data, '--seeds', '3', '--min-density', '0.99', '--format', 'sarif', '--out', out, '--base-dir', dir, '--quiet']);
    expect(r.code).toBe(1);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: 'min-density', level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'syn/rows.jsonl' }, region: { startLine: 1 } } }],
    });
    // --out never replaces an input.
    expect(check([data, '--format', 'json', '--out', data]).code).toBe(2);
  });

  it('--write-baseline, then removing the overlap rows alarms against that baseline', () => {
    const w = check([data, '--seeds', '3', '--write-baseline', '--overlap-effect', 'any', '--quiet']);
    expect(w.code, w.stderr).toBe(0);
    const baseline = join(dir, 'syn', '.overlap', 'rows.jsonl.baseline.json');
    expect(w.stdout).toContain('(with row text hashes)');
    expect(JSON.parse(readFileSync(baseline, 'utf8')).checkBaseline.textKeys.length).toBeGreaterThan(0);
    // The baseline is found by itself next time: nothing changed, so it passes.
    const same = check([data, '--seeds', '3', '--overlap-effect', 'any', '--quiet']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('baseline: syn/.overlap/rows.jsonl.baseline.json');
    const copy = join(dir, 'cut', 'rows.jsonl');
    const removed = withoutOverlapRows(join(dir, 'syn', '.overlap', 'rows.jsonl.result.json'), data, copy);
    expect(removed).toBeGreaterThan(20);
    const r = check([copy, '--seeds', '3', '--overlap-effect', 'any', '--baseline', baseline, '--format', 'json', '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(json.status).toBe('alarm');
    const f = json.datasets[0].report.findings.find((x: { ruleId: string }) => x.ruleId === 'overlap-rows-removed');
    expect(f.evidence).toMatchObject({ removedOverlap: removed, removedOther: 0 });
  });

  it('an unreadable baseline or one of another analysis: exit 2 saying how to go on; --write-baseline replaces it; --out keeps off files it did not write', () => {
    const baseline = join(dir, 'syn', '.overlap', 'rows.jsonl.baseline.json');
    mkdirSync(dirname(baseline), { recursive: true });
    writeFileSync(baseline, '{"schemaVersion": 1, "tool": {"na');
    const bad = check([data, '--seeds', '3', '--overlap-effect', 'any', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/it is the baseline this check compares with: check without it with --no-baseline, or write a new one with --write-baseline/);
    expect(stackLines(bad.stderr)).toEqual([]);
    const w = check([data, '--seeds', '3', '--overlap-effect', 'any', '--write-baseline', '--quiet']);
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(readFileSync(baseline, 'utf8')).checkBaseline.textKeys.length).toBeGreaterThan(0);
    // a baseline of another analysis (other classes, another model) is refused, naming what differs
    const own = JSON.parse(readFileSync(baseline, 'utf8'));
    const other = join(dir, 'other.baseline.json');
    for (const [changed, says] of [
      [{ ...own, dataset: { ...own.dataset, numClasses: 3, labelNames: ['a', 'b', 'c'] } }, /its classes are a, b, c, this dataset's/],
      [{ ...own, encoders: { ...own.encoders, strong: { ...own.encoders.strong, id: 'use-lite', dim: 512 } } }, /its strong model is use-lite \(512-d\), this analysis's/],
    ] as const) {
      writeFileSync(other, JSON.stringify(changed));
      const r = check([data, '--seeds', '3', '--overlap-effect', 'any', '--baseline', other, '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the baseline describes another analysis: /);
      expect(r.stderr).toMatch(says);
    }
    // --out: a file it did not write is refused without --force; its own output is replaced
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'my notes\n');
    const refused = check([data, '--seeds', '3', '--overlap-effect', 'any', '--out', notes, '--quiet']);
    expect(refused.code).toBe(2);
    expect(readFileSync(notes, 'utf8')).toBe('my notes\n');
    for (const format of ['text', 'json', 'sarif']) {
      const out = join(dir, `check-out.${format}`);
      for (let k = 0; k < 2; k++) expect(check([data, '--seeds', '3', '--overlap-effect', 'any', '--format', format, '--out', out, '--quiet']).code).toBe(0);
    }
    expect(check([data, '--seeds', '3', '--overlap-effect', 'any', '--out', notes, '--force', '--quiet']).code).toBe(0);
  });

  it('--results-dir: results, baseline and cache go there, nothing beside the data (a folder it must not write)', () => {
    mkdirSync(join(dir, 'ro'));
    const ro = join(dir, 'ro', 'rows.jsonl');
    copyFileSync(data, ro);
    const results = join(dir, 'results');
    const first = check([ro, '--seeds', '2', '--overlap-effect', 'any', '--results-dir', results, '--write-baseline', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('result analysed now');
    expect(first.stdout).toContain('baseline of ro/rows.jsonl: results/rows.jsonl.baseline.json');
    expect(existsSync(join(results, 'rows.jsonl.result.json'))).toBe(true);
    expect(existsSync(join(dir, 'ro', '.overlap'))).toBe(false); // no result, history or cache beside the data
    // the next run reuses that result and finds that baseline
    const again = check([ro, '--seeds', '2', '--overlap-effect', 'any', '--results-dir', results, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('result reused (up to date)');
    expect(again.stdout).toContain('baseline: results/rows.jsonl.baseline.json');
    expect(existsSync(join(dir, 'ro', '.overlap'))).toBe(false);
    // two datasets with one file name would share a result file there: refused, nothing written
    const twin = check([ro, data, '--results-dir', join(dir, 'twin-results'), '--quiet']);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toMatch(/--results-dir: .*rows\.jsonl and .*rows\.jsonl have the same file name/);
    expect(existsSync(join(dir, 'twin-results'))).toBe(false);
  });
});

const SST2_DEV = resolve(__dirname, '../../../../shared/data/sst2/stsa.binary.dev');

describe.skipIf(!existsSync(SST2_DEV))('check on SST-2 dev (bundled encoders)', () => {
  it('the file passes with the defaults; the copy without its overlap rows alarms against the baseline', () => {
    const data = join(dir, 'sst', 'stsa.binary.dev');
    mkdirSync(dirname(data));
    copyFileSync(SST2_DEV, data);
    const pass = check([data, '--write-baseline', '--quiet']);
    expect(pass.code, pass.stderr + pass.stdout).toBe(0);
    expect(pass.stdout).toMatch(/stsa\.binary\.dev: pass/);
    const copy = join(dir, 'sst-cut', 'stsa.binary.dev');
    const removed = withoutOverlapRows(join(dir, 'sst', '.overlap', 'stsa.binary.dev.result.json'), data, copy);
    const alarm = check([copy, '--baseline', join(dir, 'sst', '.overlap', 'stsa.binary.dev.baseline.json'), '--quiet']);
    expect(alarm.code, alarm.stderr).toBe(1);
    expect(alarm.stdout).toContain(`error [overlap-rows-removed]`);
    expect(alarm.stdout).toContain(`${removed} of the baseline's ${removed} overlap rows`);
  });
});
