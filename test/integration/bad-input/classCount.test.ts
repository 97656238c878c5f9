/**
 * Class-count bombs (issue 13, item 1): labels are a value set, so one huge id is one class, never an allocation of
 * that size; a label field with too many distinct values is an error naming the field. Each case runs the real CLI
 * in a child process whose peak RSS is read at exit (a --require hook prints process.resourceUsage().maxRSS; the
 * CLI's own child too where it starts one for huge pages, and the two peaks are added), and the bound is far from the
 * machine's limits: before the fix these cases took 3-10.7 GB and minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/core/activations/npy';
import { buildCli, REPO, stackLines } from './cli';

const RSS_LIMIT_MB = 600;

let cli: { file: string; dispose: () => void };
let dir: string;
let hook: string;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'od-class-count-'));
  hook = join(dir, 'rss-hook.cjs');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write(`\\nPEAK_RSS_KB=${process.resourceUsage().maxRSS}\\n`));\n");
});
afterAll(() => {
  cli?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { code: number | null; stdout: string; stderr: string; rssMB: number; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', hook, cli.file, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, OVERLAP_DEBUG: '' } });
  const seconds = (performance.now() - t0) / 1000;
  // one line per process: where the CLI starts itself again with huge pages (src/cli/hugePages.ts) the hook runs in
  // both, and the memory the user sees is both peaks together
  const peaks = [...r.stderr.matchAll(/PEAK_RSS_KB=(\d+)/g)].map((m) => Number(m[1]) / 1024);
  const rssMB = peaks.length > 0 ? peaks.reduce((a, b) => a + b, 0) : NaN;
  const stderr = r.stderr.replace(/\n?PEAK_RSS_KB=\d+\n?/g, '');
  process.stdout.write(`    ${args[1] ?? args[0]}: exit ${r.status}, peak RSS ${rssMB.toFixed(0)} MB, ${seconds.toFixed(1)} s\n`);
  return { code: r.status, stdout: r.stdout, stderr, rssMB, seconds };
}

/** 90 rows with activations in the data (no encoders), labels from `label(i)`. */
function jsonl(name: string, label: (i: number) => unknown, n = 90): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const c = i % 2;
    return JSON.stringify({ text: `row ${i}`, label: label(i), weak_acts: [c + 0.1 * (i % 7), 1 - c], strong_acts: [c * 2 + 0.05 * (i % 5), 1 - c, 0.3] });
  });
  const file = join(dir, name);
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const FIELD_ARGS = ['--weak', 'field:weak_acts', '--strong', 'field:strong_acts', '--seeds', '1', '--quiet'];

describe('class-count bombs end bounded', () => {
  it('one row labelled 20000000 is one class value: the analysis runs in bounded memory', () => {
    const file = jsonl('huge-id.jsonl', (i) => (i === 89 ? 20000000 : i % 2));
    const r = run(['analyze', file, ...FIELD_ARGS, '--out', join(dir, 'huge-id.result.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read classes: 3: 0 \(\d+\), 1 \(\d+\), 20000000 \(1\)/);
    expect(r.stderr).toMatch(/class 20000000 has only 1 row \(line 90\)/);
    expect(r.rssMB).toBeLessThan(RSS_LIMIT_MB);
  });

  it('a label of 1e300 is a class value too, not "Invalid typed array length"', () => {
    const file = jsonl('label-1e300.jsonl', (i) => (i === 0 ? 1e300 : i % 2));
    const r = run(['analyze', file, ...FIELD_ARGS, '--out', join(dir, 'label-1e300.result.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.rssMB).toBeLessThan(RSS_LIMIT_MB);
  });

  it('3,000 rows with 3,000 distinct string labels: an error naming the field, at once', () => {
    const file = jsonl('distinct.jsonl', (i) => `label ${i}`, 3000);
    const r = run(['analyze', file, ...FIELD_ARGS, '--out', join(dir, 'distinct.result.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/distinct\.jsonl:1: the label field "label" has 3000 distinct values; at most 1000 classes are supported\. If this is not the class label, choose another label field \(set it with --label-field NAME/);
    expect(stackLines(r.stderr)).toEqual([]);
    expect(r.rssMB).toBeLessThan(RSS_LIMIT_MB);
  });

  it('labels.npy with one value 5e6 maps to dense ids; more than 1,000 distinct values is an error', () => {
    const n = 60;
    const weak = new Float32Array(n * 2).map((_, k) => ((k >> 1) % 2) + 0.01 * k);
    const strong = new Float32Array(n * 3).map((_, k) => (Math.floor(k / 3) % 2) * 2 + 0.01 * k);
    writeFileSync(join(dir, 'w.npy'), writeNpy(weak, [n, 2]));
    writeFileSync(join(dir, 's.npy'), writeNpy(strong, [n, 3]));
    writeFileSync(join(dir, 'l.npy'), writeNpy(Int32Array.from({ length: n }, (_, i) => (i === 5 ? 5_000_000 : i % 2)), [n]));
    const r = run(['analyze', '--weak-acts', join(dir, 'w.npy'), '--strong-acts', join(dir, 's.npy'), '--labels', join(dir, 'l.npy'), '--seeds', '1', '--quiet', '--out', join(dir, 'npy.result.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rssMB).toBeLessThan(RSS_LIMIT_MB);
    writeFileSync(join(dir, 'many.npy'), writeNpy(Int32Array.from({ length: 2000 }, (_, i) => i), [2000]));
    const bad = run(['analyze', '--weak-acts', join(dir, 'w.npy'), '--strong-acts', join(dir, 's.npy'), '--labels', join(dir, 'many.npy'), '--quiet', '--out', join(dir, 'many.result.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/many\.npy: labels hold more than 1000 distinct values/);
  });

  it('a CSV 1,000,000 columns wide (40 rows, 88 MB) is refused at its first line, in bounded memory (issue 13 item 6)', () => {
    const file = join(dir, 'wide.csv');
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const row = new Array<string>(1_000_000).fill('1').join(',');
    writeFileSync(file, `${header}\n${`${row}\n`.repeat(40)}`);
    const r = run(['analyze', file, '--quiet', '--out', join(dir, 'wide.result.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/wide\.csv:1: row has 1000000 columns; at most 10,000 are supported$/);
    expect(r.rssMB).toBeLessThan(RSS_LIMIT_MB);
  });
});
