/**
 * Two checks of the activations before an analysis (sweep of 2026-12-07): labels saved among the activations (a
 * column that is a function of the label) are refused, and rows far shorter than the probes' penalty allows get a
 * warning with the factor to scale them by.
 */
import { describe, expect, it } from 'vitest';
import { labelColumn, LEAK_MIN_CLASS_ROWS, runAnalysis, shortRowsNote, SHORT_ROWS_RATIO } from '../../../src/core/experiment/analyze';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { alternating, gaussian } from '../cancel/helpers';

const matrix = (rows: number, cols: number, f: (i: number, j: number) => number): Matrix<Float32Array> =>
  ({ rows, cols, data: Float32Array.from({ length: rows * cols }, (_, k) => f(Math.floor(k / cols), k % cols)) });

describe('labelColumn', () => {
  const n = 60;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  it('finds the label itself, a one-hot column and an affine copy, and no column of ordinary data', () => {
    const noise = (i: number, j: number) => Math.sin(i * 12.9898 + j * 78.233) * 43758.5453 % 1;
    expect(labelColumn(matrix(n, 4, (i, j) => (j === 2 ? labels[i] : noise(i, j))), labels, 3)).toEqual({ column: 2, values: [0, 1, 2] });
    expect(labelColumn(matrix(n, 3, (i, j) => (j === 1 ? Number(labels[i] === 2) : noise(i, j))), labels, 3)).toEqual({ column: 1, values: [0, 0, 1] });
    expect(labelColumn(matrix(n, 2, (i, j) => (j === 0 ? 0.5 - 2 * labels[i] : noise(i, j))), labels, 3)?.column).toBe(0);
    expect(labelColumn(matrix(n, 8, noise), labels, 3)).toBeUndefined();
  });
  it('leaves constant columns, and classes under LEAK_MIN_CLASS_ROWS rows, alone (a chance match is possible there)', () => {
    expect(labelColumn(matrix(n, 2, () => 1), labels, 3)).toBeUndefined();
    const few = Int32Array.from({ length: 3 * (LEAK_MIN_CLASS_ROWS - 1) }, (_, i) => i % 3);
    expect(labelColumn(matrix(few.length, 1, (i) => few[i]), few, 3)).toBeUndefined();
    const enough = Int32Array.from({ length: 3 * LEAK_MIN_CLASS_ROWS }, (_, i) => i % 3);
    expect(labelColumn(matrix(enough.length, 1, (i) => enough[i]), enough, 3)?.column).toBe(0);
  });
  it('warns of such activations in an analysis, naming the side and column (hand-made data may have one on purpose)', async () => {
    const N = 300;
    const y = alternating(N);
    const strong = gaussian(N, 8, y, 0.8, 2);
    for (let i = 0; i < N; i++) strong.data[i * 8 + 5] = y[i];
    const enc = (id: string, dim: number) => ({ id, kind: 'activations' as const, dim });
    const r = await runAnalysis({
      weak: { kind: 'activations', acts: gaussian(N, 4, y, 0.4, 1) }, strong, labels: y, numClasses: 2,
      encoders: { weak: enc('w', 4), strong: enc('s', 8) },
    }, { seeds: 1 });
    expect(r.warnings.filter((w) => /holds the label/.test(w))).toEqual([
      'column 5 of the strong activations holds the label (one value per class on every row: 0: 0, 1: 1): if the labels were saved among ' +
        'the activations, the probes read the answer and the accuracies mean nothing; give activations computed from the inputs alone',
    ]);
  });
});

describe('shortRowsNote', () => {
  it('warns from SHORT_ROWS_RATIO on, with a power of ten that brings the rows above it', () => {
    const rows = (len: number) => matrix(100, 4, () => len / 2); // row length `len`
    expect(shortRowsNote(rows(1), 1e-3, 'strong')).toBeUndefined();
    const limit = Math.sqrt(1e-3 / SHORT_ROWS_RATIO);
    expect(shortRowsNote(rows(limit * 1.01), 1e-3, 'strong')).toBeUndefined();
    const note = shortRowsNote(rows(0.008), 1e-3, 'weak')!;
    expect(note).toMatch(/^the weak activations' rows are short \(median length 0\.0080\) for the probes' penalty \(l2 0\.001\)/);
    expect(note).toMatch(/for example 100\)/);
    expect(0.008 * 100).toBeGreaterThan(limit);
    expect(shortRowsNote(rows(0.008), 0, 'weak')).toBeUndefined();
    expect(shortRowsNote(rows(0), 1e-3, 'weak')).toBeUndefined();
  });
});
