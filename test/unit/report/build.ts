/**
 * Builders for report test data: a consistent AnalysisResult (categories follow the thresholds and the
 * stage rules) of any size, and the matching dataset file, so tests never copy result blobs.
 */
import { CATEGORY_NAMES, type HardRule } from '../../../src/core/detect/types';
import { groundTruthReport } from '../../../src/core/experiment/groundTruth';
import { partition } from '../../../src/core/report/partition';
import { SCHEMA_VERSION, type AnalysisResult, type ResultRow } from '../../../src/core/result/schema';
import { Rng } from '../../../src/core/random/rng';

export interface BuildOptions {
  /** W2S-train rows (the other splits get half as many each). */
  w2s?: number;
  seed?: number;
  t1?: number;
  t2?: number;
  hardRule?: HardRule;
  groundTruth?: boolean;
  map?: boolean;
  datasetPath?: string;
  /** Mixing-curve means go from `from` to `to` across the proportions. */
  curve?: { from: number; to: number };
  accuracy?: { weak: number; strong: number; w2s: number };
}

/** Row text used by `datasetJsonl`: stable, searchable ("row 17 ..."). */
export function rowText(index: number): string {
  const words = ['amazing', 'terrible', 'plot', 'acting', 'boring', 'brilliant', 'score', 'ending'];
  return `row ${index} ${words[index % words.length]} ${words[(index * 7 + 3) % words.length]} film`;
}

export function buildResult(o: BuildOptions = {}): AnalysisResult {
  const w2s = o.w2s ?? 200;
  const rng = new Rng(o.seed ?? 7);
  const t1 = o.t1 ?? 0.3;
  const t2 = o.t2 ?? 0.6;
  const hardRule = o.hardRule ?? 'segment';
  const weakTrain = Math.ceil(w2s / 2);
  const test = Math.ceil(w2s / 2);
  const n = weakTrain + w2s + test;
  const rows: ResultRow[] = [];
  // Interleave splits in file order like a seeded split would.
  const splits: ResultRow['split'][] = [];
  for (let i = 0; i < weakTrain; i++) splits.push('weak-train');
  for (let i = 0; i < w2s; i++) splits.push('w2s-train');
  for (let i = 0; i < test; i++) splits.push('test');
  for (let i = splits.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [splits[i], splits[j]] = [splits[j], splits[i]];
  }
  const conf: number[] = [];
  const align: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const split = splits[i];
    const row: ResultRow = { index: i, line: i + 1, split, label: rng.int(2), category: null, confidence: null, alignment: null, pseudoLabel: null };
    if (split === 'w2s-train') {
      const t = rng.int(3); // true category 0 easy, 1 hard, 2 overlap
      const c = t === 1 ? rng.next() * 0.45 : 0.15 + rng.next() * 0.85;
      const a = t === 2 ? 0.4 + rng.next() * 0.6 : rng.next() * 0.75;
      row.confidence = round(c);
      row.pseudoLabel = rng.next() < 0.8 ? row.label : 1 - row.label;
      conf.push(row.confidence);
      align.push(round(a));
      truth.push(t);
      if (o.groundTruth) row.trueCategory = CATEGORY_NAMES[t];
    }
    rows.push(row);
  }
  const part = partition({ confidence: Float64Array.from(conf), alignment: Float64Array.from(align), hardRule }, t1, t2);
  const w2sIdx = rows.filter((r) => r.split === 'w2s-train').map((r) => r.index);
  const hardIdx = w2sIdx.filter((_, j) => part.categories[j] === 1);
  let k = 0;
  for (const row of rows) {
    if (row.split !== 'w2s-train') continue;
    const cat = part.categories[k];
    row.category = CATEGORY_NAMES[cat];
    row.alignment = cat === 1 ? null : align[k];
    row.nearestHard = cat === 1 || hardIdx.length === 0 ? null : hardIdx[(k * 31) % hardIdx.length];
    k++;
  }
  const acc = o.accuracy ?? { weak: 0.7, strong: 0.86, w2s: 0.76 };
  const proportions = Array.from({ length: 11 }, (_, i) => i / 10);
  const seeds = [0, 1, 2];
  const curve = o.curve ?? { from: 0.64, to: 0.82 };
  const perSeed = seeds.map((s) => proportions.map((p) => round(curve.from + (curve.to - curve.from) * p + (s - 1) * 0.01)));
  const mean = proportions.map((_, i) => round(perSeed.reduce((a, r) => a + r[i], 0) / seeds.length));
  const result: AnalysisResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'overlap-density', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    dataset: {
      path: o.datasetPath ?? '/data/reviews.jsonl',
      format: 'jsonl',
      rows: n,
      numClasses: 2,
      labelNames: ['negative', 'positive'],
      splits: { weakTrain, w2sTrain: w2s, test },
    },
    encoders: { weak: { id: 'glove-mean', kind: 'bundled', dim: 100 }, strong: { id: 'use-lite', kind: 'bundled', dim: 512 } },
    device: 'cpu',
    options: { hardRule, align: 'abs-cosine-max', pseudo: 'soft', l2: 1e-3, seed: 0, seeds: seeds.length, jump: 5 },
    accuracy: acc,
    pgr: (acc.w2s - acc.weak) / (acc.strong - acc.weak),
    detection: {
      hardRule,
      align: 'abs-cosine-max',
      jump: 5,
      confidenceThreshold: t1,
      confidenceBreakpoint: 40,
      alignThreshold: t2,
      alignBreakpoint: 60,
      usedFallback: false,
      fallbacks: { confidence: false, align: false },
      counts: part.counts,
      overlapDensity: part.overlapDensity,
    },
    mixing: {
      proportions,
      mean,
      std: proportions.map(() => 0.008),
      min: proportions.map((_, i) => Math.min(...perSeed.map((r) => r[i]))),
      max: proportions.map((_, i) => Math.max(...perSeed.map((r) => r[i]))),
      perSeed,
      subsetSize: Math.min(part.counts.overlap, w2s - part.counts.overlap),
      randomBaseline: { mean: 0.73, std: 0.01, perSeed: [0.72, 0.73, 0.74] },
      seeds,
    },
    regime: { label: 'medium', rule: 'medium: W2S is within the margin of weak or above it, PGR 0.38 < 0.5 (weak 0.700, W2S 0.760, strong 0.860, margin 0.046)' },
    rows,
    warnings: [],
    timings: { total: 1.5 },
  };
  if (o.groundTruth) result.groundTruth = groundTruthReport(truth, part.categories);
  if (o.map ?? true) {
    const w2sRows = rows.filter((r) => r.split === 'w2s-train');
    result.map = {
      x: w2sRows.map((r) => round((r.confidence ?? 0) * 4 - 2 + rng.normal() * 0.3)),
      y: w2sRows.map((r) => round((r.alignment ?? 0) * 3 - 1 + rng.normal() * 0.3)),
      rowIndex: w2sRows.map((r) => r.index),
    };
  }
  return result;
}

/** The dataset the result describes, as JSONL (one row per line, so line = index + 1). */
export function datasetJsonl(result: AnalysisResult): string {
  return result.rows.map((r) => JSON.stringify({ text: rowText(r.index), label: r.label })).join('\n') + '\n';
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
