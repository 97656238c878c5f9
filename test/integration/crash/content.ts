/**
 * The file the crash test writes: a results file (the schema's shape, ~2.5 MB) whose every byte depends on its
 * version, so that a mix of two versions, a truncation or an empty file can never pass for either one.
 */
import type { AnalysisResult } from '../../../src/core/result/schema';

export const ROWS = 20_000;

export function resultOfVersion(version: number): AnalysisResult {
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    index: i,
    line: i + 1,
    split: 'w2s-train' as const,
    label: (i + version) % 2,
    category: (['easy', 'hard', 'overlap'] as const)[(i * 31 + version) % 3],
    confidence: ((i * 7919 + version * 104729) % 1000) / 1000,
    alignment: ((i * 104729 + version) % 997) / 997,
    pseudoLabel: (i * version) % 2,
  }));
  const counts = { easy: 0, hard: 0, overlap: 0 };
  for (const r of rows) counts[r.category]++;
  // A complete result: loadResult validates the schema, so the test tells a torn file from a valid one.
  return {
    schemaVersion: 1,
    tool: { name: 'overlap-density', version: 'crash-test' },
    createdAt: new Date(Date.UTC(2025, 0, 1) + version * 1000).toISOString(),
    dataset: { path: `version-${version}`, format: 'jsonl', rows: ROWS, numClasses: 2, splits: { weakTrain: 0, w2sTrain: ROWS, test: 0 } },
    encoders: { weak: { id: 'field:weak_acts', kind: 'activations', dim: 3 }, strong: { id: 'field:strong_acts', kind: 'activations', dim: 4 } },
    device: 'cpu',
    options: { hardRule: 'segment', align: 'dot-max', pseudo: 'soft', l2: 0.001, seed: 0, seeds: 1, jump: 5 },
    accuracy: { weak: 0.5, strong: 1, w2s: 1 },
    pgr: 1,
    detection: {
      hardRule: 'segment', align: 'dot-max', jump: 5, confidenceThreshold: 0.3, confidenceBreakpoint: null, alignThreshold: 0.5,
      alignBreakpoint: null, usedFallback: true, fallbacks: { confidence: true, align: true }, counts, overlapDensity: counts.overlap / ROWS,
    },
    mixing: null,
    regime: { label: 'high', rule: 'PGR 1.00 >= 0.5' },
    rows,
    warnings: [],
    timings: {},
  } as unknown as AnalysisResult;
}

/** The version a results file claims to be (from dataset.path), or undefined. */
export function versionOf(result: AnalysisResult): number | undefined {
  const m = /^version-(\d+)$/.exec(String(result.dataset?.path));
  return m ? Number(m[1]) : undefined;
}
