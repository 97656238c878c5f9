import type { CategoryName } from '../../../src/core/detect/types';
import type { AnalysisResult, ResultRow } from '../../../src/core/result/schema';

/** A W2S-train row; fields not given get plausible values for their category. */
export function row(index: number, line: number | undefined, category: CategoryName | null, extra: Partial<ResultRow> = {}): ResultRow {
  const w2s = category !== null;
  return {
    index,
    ...(line !== undefined ? { line } : {}),
    split: w2s ? 'w2s-train' : 'weak-train',
    label: index % 2,
    category,
    confidence: w2s ? (category === 'hard' ? 0.1 : 0.8) : null,
    alignment: w2s && category !== 'hard' ? (category === 'overlap' ? 0.9 : 0.2) : null,
    pseudoLabel: w2s ? index % 2 : null,
    ...extra,
  };
}

/** A result over `rows` with thresholds t1 = 0.4, t2 = 0.5 and counts taken from the rows. */
export function result(rows: ResultRow[], over: Partial<AnalysisResult> = {}): AnalysisResult {
  const counts = { easy: 0, hard: 0, overlap: 0 };
  for (const r of rows) if (r.category) counts[r.category]++;
  const w2s = rows.filter((r) => r.split === 'w2s-train').length;
  return {
    schemaVersion: 1,
    tool: { name: 'overlap-density', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    dataset: { path: '/data/x.jsonl', format: 'jsonl', contentHash: 'abc', rows: rows.length, numClasses: 2, splits: { weakTrain: rows.length - w2s, w2sTrain: w2s, test: 0 } },
    encoders: { weak: { id: 'field:weak_acts', kind: 'activations', dim: 40 }, strong: { id: 'field:strong_acts', kind: 'activations', dim: 40 } },
    device: 'none',
    options: { hardRule: 'segment', align: 'dot-max', pseudo: 'soft', l2: 1e-3, seed: 0, seeds: 3, jump: 5 },
    accuracy: { weak: 0.7, strong: 0.9, w2s: 0.78 },
    pgr: 0.4123,
    detection: {
      hardRule: 'segment', align: 'dot-max', jump: 5, confidenceThreshold: 0.4, confidenceBreakpoint: 10, alignThreshold: 0.5,
      alignBreakpoint: 20, usedFallback: false, fallbacks: { confidence: false, align: false }, counts,
      overlapDensity: w2s === 0 ? 0 : counts.overlap / w2s,
    },
    mixing: { proportions: [], mean: [], std: [], min: [], max: [], perSeed: [], subsetSize: 0, randomBaseline: null, seeds: [0] },
    regime: { label: 'medium', rule: 'w2s within 2 points of weak' },
    rows,
    warnings: [],
    timings: {},
    ...over,
  };
}
