import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeNpyFile } from '../../../src/core/activations/file';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { run } from '../../../src/cli/select';
import { run as synth } from '../../../src/cli/synth';
import type { SelectionResult } from '../../../src/core/select/schema';

/** SOURCE arguments as activation folders written by `overlap-density synth`, and the bad-input messages. */
const dir = mkdtempSync(join(tmpdir(), 'select-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quiet<T>(f: () => Promise<T>): Promise<{ value: T; printed: string }> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const value = await f();
    return { value, printed: write.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    write.mockRestore();
  }
}

async function folder(name: string, nOverlap: number, nNonOverlap: number, seed: number): Promise<string> {
  const out = join(dir, name);
  await quiet(() =>
    synth(['--scenario', 'mixed', '--n-overlap', String(nOverlap), '--n-nonoverlap', String(nNonOverlap), '--seed', String(seed), '--out', out]),
  );
  return out;
}

/** An activation folder with chosen widths and label values. */
async function customFolder(name: string, rows: number, dWeak: number, dStrong: number, classes: number): Promise<string> {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  const d = generateSynthetic({ scenario: 'mixed', nOverlap: rows / 2, nNonOverlap: rows / 2, seed: 1, dEasy: dWeak, dHard: dStrong - dWeak });
  await writeNpyFile(join(out, 'weak.npy'), d.weak.data.slice(0, rows * d.weak.cols), [rows, d.weak.cols]);
  await writeNpyFile(join(out, 'strong.npy'), d.strong.data, [rows, dStrong]);
  await writeNpyFile(join(out, 'labels.npy'), Int32Array.from({ length: rows }, (_, i) => i % classes), [rows]);
  return out;
}

let sparse: string;
let dense: string;
beforeAll(async () => {
  // Same theta needs the same seed: both folders draw theta from seed 7 but differ in overlap share.
  sparse = await folder('sparse', 150, 1350, 7);
  dense = await folder('dense', 1350, 150, 7);
});

describe('select on activation folders', () => {
  it('reads split.npy and membership.npy, knows the densities, and states an adjusted plan', async () => {
    const out = join(dir, 'folders.json');
    const { value: code, printed } = await quiet(() =>
      run([sparse, dense, '--rounds', '20', '--per-round', '40', '--seeds', '3', '--quiet', '--out', out]),
    );
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as SelectionResult;
    expect(r.mode).toBe('files');
    expect(r.sources.map((s) => s.name)).toEqual(['sparse', 'dense']);
    expect(r.sources.map((s) => s.densityFrom)).toEqual(['ground-truth', 'ground-truth']);
    expect(r.sources[0].trueOverlapDensity!).toBeLessThan(0.15);
    expect(r.sources[1].trueOverlapDensity!).toBeGreaterThan(0.85);
    expect(r.denseArm).toBe(1);
    // split.npy thirds: 500 pool rows per source, 500 + 500 weak-train and test rows shared
    expect(r.sources.map((s) => s.poolRows)).toEqual([500, 500]);
    expect(r.shared.weakTrainRows).toBe(1000);
    expect(r.shared.testRows).toBe(1000);
    // 20 x 40 = 800 > 500 rows: n is lowered to floor(500 / 20) = 25, and the output says so
    expect(r.plan.perRound).toBe(25);
    const note =
      'points per round lowered from 40 to 25: source "sparse" (500 rows to draw from) cannot supply T x n = 20 x 40 = 800 rows, ' +
      'and any source may be pulled in every round';
    expect(r.plan.adjustments).toEqual([note]);
    expect(r.warnings).toContain(note);
    expect(printed).toContain(`plan adjusted: ${note}`);
    const ucb = r.summary.strategies.find((s) => s.strategy === 'ucb')!;
    expect(ucb.denseArmShare!.mean).toBeGreaterThan(0.5);
  });

  it('one source only: a clear message', async () => {
    await expect(run([sparse, '--out', join(dir, 'x.json')])).rejects.toThrow(
      /selection needs at least 2 data sources, got 1 \(".*sparse"\): give more files, split this one by a column \(--split-by COLUMN\), or build sources from it by detected overlap \(--reference split\)/,
    );
  });

  it('--reference split builds two sources from one folder by detected overlap', async () => {
    const out = join(dir, 'split.json');
    const { value: code } = await quiet(() => run([dense, '--reference', 'split', '--seeds', '2', '--rounds', '10', '--quiet', '--out', out]));
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8')) as SelectionResult;
    expect(r.mode).toBe('reference-split');
    expect(r.sources).toHaveLength(2);
    // membership.npy is present, so densities come from the ground truth of the rows each source received
    expect(r.sources[1].trueOverlapDensity!).toBeGreaterThan(r.sources[0].trueOverlapDensity!);
    expect(r.warnings.some((w) => /^reference split of dense: detection on its 500 W2S-train rows found \d+ overlap/.test(w))).toBe(true);
  });

  it('the same source twice: a clear message', async () => {
    await expect(run([sparse, sparse, '--out', join(dir, 'x.json'), '--quiet'])).rejects.toThrow(
      `${sparse}: this SOURCE is given twice: each source must be a different file or folder`,
    );
  });

  it('different activation widths and label sets: clear messages', async () => {
    const narrow = await customFolder('narrow', 300, 20, 30, 2);
    const wide = await customFolder('wide', 300, 20, 40, 2);
    await expect(run([narrow, wide, '--out', join(dir, 'x.json'), '--quiet'])).rejects.toThrow(
      'strong activations of "wide" are 40-dimensional but those of "narrow" are 30: encode all sources with the same strong model',
    );
    const three = await customFolder('three', 300, 20, 30, 3);
    await expect(run([narrow, three, '--out', join(dir, 'x.json'), '--quiet'])).rejects.toThrow(
      'label sets differ: "narrow" has classes {0, 1}, "three" has {0, 1, 2} (only "three" has 2); all sources must label the same classes',
    );
  });

  it('usage errors', async () => {
    await expect(run([sparse, dense])).rejects.toThrow('--out FILE is required');
    await expect(run([sparse, dense, '--bonus', 'ucb2', '--out', 'x'])).rejects.toThrow('--bonus must be code or ucb1, got "ucb2"');
    await expect(run([sparse, dense, '--strategies', 'ucb,greedy', '--out', 'x'])).rejects.toThrow('--strategies: unknown strategy "greedy"');
    await expect(run([sparse, '--reference', 'synthetic', '--out', 'x'])).rejects.toThrow('--reference synthetic builds its own data: give no SOURCE');
  });
});
