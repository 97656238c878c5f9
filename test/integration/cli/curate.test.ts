import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { useCurateCli } from './curateCli';

/** `overlap-density curate` as a user runs it, on a JSONL with activation fields (no encoders needed). */
const h = useCurateCli('od-curate');
let dir = '';
let data = '';
let lines: string[] = [];

beforeAll(async () => {
  dir = h.dir;
  // 300 rows: the weak side sees 2 dims of a 6-dim signal, the strong side all 6; some keys and spacing vary per row.
  const rng = new Rng(5);
  lines = Array.from({ length: 300 }, (_, i) => {
    const y = i % 2;
    const s = y ? 1 : -1;
    const strong = Array.from({ length: 6 }, () => +(s * 0.6 + rng.normal()).toFixed(3));
    const weak = [strong[0]! + +rng.normal().toFixed(3), strong[1]!];
    return i % 7 === 0
      ? `{"label": ${y},  "text": "row ${i} \\u00e9", "weak_acts": ${JSON.stringify(weak)}, "strong_acts": ${JSON.stringify(strong)}}`
      : `{"text":"row ${i}","label":${y},"weak_acts":${JSON.stringify(weak)},"strong_acts":${JSON.stringify(strong)}}`;
  });
  data = path.join(dir, 'data.jsonl');
  fs.writeFileSync(data, `${lines.join('\r\n')}\r\n`);
});

const run = h.run;

describe('overlap-density curate', () => {
  it('writes the chosen W2S-train rows byte for byte, the test rows beside them, and both analyses side by side', () => {
    const r = run('data.jsonl', '--size', '50', '--seeds', '2', '--results-dir', 'res', '--quiet');
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.includes('detector sanity'))).toEqual([]);
    expect(r.status).toBe(0);
    const curated = fs.readFileSync(path.join(dir, 'data.curated.jsonl'), 'utf8');
    const rows = curated.split('\r\n').filter((l) => l !== '');
    expect(rows).toHaveLength(50);
    // Every curated line is a source line, unchanged, in file order.
    const at = rows.map((l) => lines.indexOf(l));
    expect(at.every((k) => k >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Chosen from the input's W2S-train rows only; every detected overlap row first.
    const input = JSON.parse(fs.readFileSync(path.join(dir, 'res', 'data.jsonl.result.json'), 'utf8'));
    const split = new Map<number, string>(input.rows.map((x: { index: number; split: string }) => [x.index, x.split]));
    expect(at.every((k) => split.get(k) === 'w2s-train')).toBe(true);
    const overlap = input.rows.filter((x: { category: string }) => x.category === 'overlap').map((x: { index: number }) => x.index);
    if (overlap.length <= 50) expect(overlap.every((k: number) => at.includes(k))).toBe(true);
    // The input had no test file: its test rows are the curated file's test set.
    const test = fs.readFileSync(path.join(dir, 'data.curated.test.jsonl'), 'utf8').split('\r\n').filter((l) => l !== '');
    expect(test.length).toBe(input.dataset.splits.test);
    const cur = JSON.parse(fs.readFileSync(path.join(dir, 'res', 'data.curated.jsonl.result.json'), 'utf8'));
    expect(cur.dataset.splits.test).toBe(input.dataset.splits.test);
    expect(r.stdout).toMatch(/curated: 50 of \d+ W2S-train rows: \d+ overlap/);
    // With --results-dir nothing but the curated files is written beside the data (no .overlap, no history).
    expect(fs.existsSync(path.join(dir, '.overlap'))).toBe(false);
    expect(r.stdout).toMatch(/W2S accuracy\s+0\.\d{3}\s+0\.\d{3}/);
    expect(r.stdout).toMatch(/overlap rows by the input's detection\s+\d+\.\d% \(\d+ of \d+\)\s+\d+\.\d% \(\d+ of 50\)/);
    expect(r.stdout).toMatch(/overlap density, detected again/);
  });

  it('refuses an existing output without --force (exit 2, file untouched), and replaces it with --force', () => {
    fs.writeFileSync(path.join(dir, 'taken.jsonl'), 'keep');
    const r = run('data.jsonl', '--out', 'taken.jsonl', '--no-analyze', '--seeds', '2', '--results-dir', 'res', '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists.*--force/);
    expect(fs.readFileSync(path.join(dir, 'taken.jsonl'), 'utf8')).toBe('keep');
    const f = run('data.jsonl', '--out', 'taken.jsonl', '--no-analyze', '--fraction', '0.2', '--seeds', '2', '--results-dir', 'res', '--force', '--quiet');
    expect(f.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'taken.jsonl'), 'utf8').split('\r\n').filter((l) => l !== '').length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, 'taken.test.jsonl'))).toBe(false);
  });

  it('never writes over the input, even with --force', () => {
    const before = fs.readFileSync(data);
    const r = run('data.jsonl', '--out', 'data.jsonl', '--force', '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/destroy an input/);
    expect(fs.readFileSync(data).equals(before)).toBe(true);
  });

  it('usage errors exit 2; --help exits 0', () => {
    expect(run('data.jsonl', '--size', '10', '--fraction', '0.5').status).toBe(2);
    expect(run('data.jsonl', '--size', '0').status).toBe(2);
    expect(run('data.jsonl', '--fraction', '2').stderr).toMatch(/\(0, 1\]/);
    expect(run().status).toBe(2);
    const h = run('--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--fraction F/);
  });
});

describe('overlap-density curate on a tiny budget', () => {
  it('writes the file and says, with exit 0, when it is too small to analyse', () => {
    // One row: its analysis would have an empty W2S-train half.
    const r = run('data.jsonl', '--size', '1', '--out', 'tiny.jsonl', '--seeds', '2', '--results-dir', 'res', '--force', '--quiet');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'tiny.jsonl'), 'utf8').split('\r\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stdout).toMatch(/wrote tiny\.jsonl \(1 row,/);
    expect(r.stderr).toMatch(/the curated file was written but could not be analysed: .*split is empty/);
  });
});
