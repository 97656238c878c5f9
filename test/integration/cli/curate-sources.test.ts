import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { useCurateCli } from './curateCli';

/**
 * `overlap-density curate --sources` as a user runs it: two JSONL sources with activation fields (no encoders), one
 * with more signal in its strong side; and, when ../shared is there, two real SMS sources (labelling-function votes /
 * USE-Lite, a subset so the encoder runs briefly).
 */
const h = useCurateCli('od-curate-sources');
let dir = '';
const lines: Record<string, string[]> = {};

function source(name: string, n: number, seed: number, gap: number, eol: string): void {
  const rng = new Rng(seed);
  lines[name] = Array.from({ length: n }, (_, i) => {
    const y = i % 2;
    const s = y ? 1 : -1;
    const strong = Array.from({ length: 6 }, () => +(s * gap + rng.normal()).toFixed(3));
    const weak = [strong[0]! + +rng.normal().toFixed(3), strong[1]!];
    return `{"text":"${name} row ${i}","label":${y},"weak_acts":${JSON.stringify(weak)},"strong_acts":${JSON.stringify(strong)}}`;
  });
  // The last line of b has no newline: the curated file must not glue it to the next row.
  fs.writeFileSync(path.join(dir, name), lines[name]!.join(eol) + (name === 'b.jsonl' ? '' : eol));
}

beforeAll(async () => {
  dir = h.dir;
  source('a.jsonl', 240, 3, 0.8, '\r\n');
  source('b.jsonl', 270, 4, 0.3, '\n');
  fs.writeFileSync(path.join(dir, 'c.csv'), 'text,label\nx,0\ny,1\n');
});

const run = h.run;

describe('overlap-density curate --sources', () => {
  it('writes the rows the UCB run drew, byte for byte, and compares them with a random draw and all pools', () => {
    const r = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '60', '--seeds', '2', '--results-dir', 'res', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const out = fs.readFileSync(path.join(dir, 'a+b.curated.jsonl'), 'utf8');
    const rows = out.split(/\r?\n/).filter((l) => l !== '');
    expect(rows).toHaveLength(60);
    // Every curated line is a source line, unchanged, each once; b's last line (no newline) got one when not last.
    const all = [...lines['a.jsonl']!, ...lines['b.jsonl']!];
    expect(rows.every((l) => all.includes(l))).toBe(true);
    expect(new Set(rows).size).toBe(60);
    const fromA = rows.filter((l) => l.startsWith('{"text":"a.jsonl')).length;
    expect(r.stdout).toMatch(new RegExp(`source 0: a\\.jsonl: \\d+ pool rows, ${fromA} curated`));
    expect(r.stdout).toMatch(/UCB: \d+ rounds x \d+ points, bonus code, seed 0 \(files\)/);
    expect(r.stdout).toMatch(/UCB-curated\s+60 rows\s+0\.\d{3}/);
    expect(r.stdout).toMatch(/random draw\s+60 rows\s+0\.\d{3}/);
    expect(r.stdout).toMatch(/all pools\s+\d+ rows\s+0\.\d{3}/);
    // The shared test rows are written beside it and are the curated file's test set.
    const test = fs.readFileSync(path.join(dir, 'a+b.curated.test.jsonl'), 'utf8').split(/\r?\n/).filter((l) => l !== '');
    expect(test.every((l) => all.includes(l))).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`the sources' ${test.length} shared test rows`));
    const cur = JSON.parse(fs.readFileSync(path.join(dir, 'res', 'a+b.curated.jsonl.result.json'), 'utf8'));
    expect(cur.dataset.splits.test).toBe(test.length);
    expect(fs.existsSync(path.join(dir, '.overlap'))).toBe(false);
  });

  it('the same seed gives the same file; another seed another draw', () => {
    const a = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '40', '--no-analyze', '--out', 's0.jsonl', '--quiet');
    const b = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '40', '--no-analyze', '--out', 's0b.jsonl', '--quiet');
    const c = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '40', '--no-analyze', '--out', 's1.jsonl', '--seed', '1', '--quiet');
    expect([a.status, b.status, c.status]).toEqual([0, 0, 0]);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    expect(read('s0.jsonl')).toBe(read('s0b.jsonl'));
    expect(read('s1.jsonl')).not.toBe(read('s0.jsonl'));
    expect(fs.existsSync(path.join(dir, 's0.test.jsonl'))).toBe(false);
  });

  it('bad input exits 2 with a message naming the file, and writes nothing', () => {
    const mixed = run('--sources', 'a.jsonl', 'c.csv', '--size', '10', '--out', 'm.jsonl', '--quiet');
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/c\.csv.*a\.jsonl is JSONL, c\.csv is CSV/);
    expect(fs.existsSync(path.join(dir, 'm.jsonl'))).toBe(false);
    const big = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '5000', '--out', 'big.jsonl', '--quiet');
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/budget of 5000 rows is more than source "a\.jsonl" can give/);
    const before = fs.readFileSync(path.join(dir, 'a.jsonl'));
    const over = run('--sources', 'a.jsonl', 'b.jsonl', '--size', '10', '--out', 'a.jsonl', '--force', '--quiet');
    expect(over.status).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'a.jsonl')).equals(before)).toBe(true);
    expect(run('--sources', 'a.jsonl', '--size', '10', '--quiet').stderr).toMatch(/at least 2 source files/);
    expect(run('--sources', 'a.jsonl', 'b.jsonl', '--quiet').status).toBe(2);
    expect(run('--sources', 'a.jsonl', 'b.jsonl', '--size', '10', '--fraction', '0.2').status).toBe(2);
    expect(run('a.jsonl', '--rounds', '5').stderr).toMatch(/--rounds belongs to curation across sources/);
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, `${lines['a.jsonl']!.slice(0, 5).join('\n')}\n{"text": oops}\n`);
    const r = run('--sources', 'bad.jsonl', 'b.jsonl', '--size', '10', '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:6/);
    expect(run('--help').stdout).toMatch(/--sources SOURCE SOURCE\.\.\. --size N/);
  });
});

const SMS = path.resolve(__dirname, '../../../../shared/data/sms/train.json');
const describeSms = fs.existsSync(SMS) ? describe : describe.skip;
if (!fs.existsSync(SMS)) console.log(`skipping the SMS curation across sources: ${SMS} is absent`);

describeSms('overlap-density curate --sources on real SMS sources', () => {
  it('covered vs uncovered SMS messages (a subset): UCB rows copied byte for byte, WRENCH keys renumbered', () => {
    const rows = Object.values(JSON.parse(fs.readFileSync(SMS, 'utf8')) as Record<string, { weak_labels: number[] }>);
    const wrench = (rs: unknown[]) => `{\n${rs.map((v, k) => `\t${JSON.stringify(String(k))}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`;
    const covered = rows.filter((r) => r.weak_labels.some((v) => v !== -1)).slice(0, 360);
    const uncovered = rows.filter((r) => r.weak_labels.every((v) => v === -1)).slice(0, 360);
    const sms = path.join(dir, 'sms');
    fs.mkdirSync(sms);
    fs.writeFileSync(path.join(sms, 'covered.json'), wrench(covered));
    fs.writeFileSync(path.join(sms, 'uncovered.json'), wrench(uncovered));
    fs.copyFileSync(path.join(path.dirname(SMS), 'label.json'), path.join(sms, 'label.json'));
    const r = spawnSync(
      process.execPath,
      [h.file, 'curate', '--sources', 'covered.json', 'uncovered.json', '--size', '100', '--seeds', '2', '--device', 'cpu',
        '--cache-dir', path.join(dir, 'cache'), '--results-dir', path.join(dir, 'res-sms'), '--quiet'],
      { encoding: 'utf8', cwd: sms },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = fs.readFileSync(path.join(sms, 'covered+uncovered.curated.json'), 'utf8');
    const members = out.split('\n').slice(1, -2).map((l) => l.replace(/^\t"\d+": /, '').replace(/,$/, ''));
    expect(members).toHaveLength(100);
    const sourceValues = new Set([...covered, ...uncovered].map((v) => JSON.stringify(v)));
    expect(members.every((m) => sourceValues.has(m))).toBe(true);
    expect(r.stdout).toMatch(/keys were renumbered/);
    expect(r.stdout).toMatch(/source 0: covered\.json: \d+ pool rows, \d+ curated/);
    expect(r.stdout).toMatch(/curated file, analysed on those test rows: /);
  }, 240_000);
});
