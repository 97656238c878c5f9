/**
 * bench/curate (issue 17, part 3): does the curated W2S training set beat a random one of the same size?
 *
 * On SST-2 (stsa.binary.train, test = stsa.binary.test) and SMS (the WRENCH folder: train.json, test = test.json),
 * with the CLI's default settings (bundled GloVe-mean K = 2000 weak / USE-Lite strong on SST-2; labelling-function
 * majority vote weak / USE-Lite strong on SMS), for each seed s:
 *   1. the analysis with seed s (its split of weak-train / W2S-train, the weak probe, detection): runAnalysis;
 *   2. the curated subset of W2S-train: curationPlan(result.rows, budget, s) (src/core/curate);
 *   3. a random subset of W2S-train of the same size, drawn with seed s;
 *   4. a control without the detector: the same number of W2S-train rows the weak model is most confident on;
 *   5. a W2S probe on each subset with the weak model's pseudo-labels (soft, as the protocol), scored on the test set.
 * The seed moves the split, the detection and both draws, so the interval covers all of them. Reported: mean and
 * 95% Student-t interval (core/experiment/effect.ts) of each accuracy and of the paired difference, the share of
 * overlap rows and the pseudo-label accuracy of each subset (why one subset teaches better than the other).
 * Activations come through the pipeline's cache (CURATE_CACHE, default /tmp/od-cache), so reruns skip the encoders.
 * Env: CURATE_SEEDS (default 10), CURATE_FRACTIONS (default 0.1,0.25,0.5), CURATE_DATASETS (default sst2,sms).
 */
import * as path from 'node:path';
import { curationPlan } from '../src/core/curate';
import { unifyDatasetLabels } from '../src/core/data/labels';
import { runAnalysis } from '../src/core/experiment/analyze';
import { effectEstimate } from '../src/core/experiment/effect';
import { runProtocol } from '../src/core/experiment/protocol';
import { halvesWithTest } from '../src/core/experiment/split';
import { accuracy, fitProbesBatch, predictProbabilities, type SubsetFit } from '../src/core/probe';
import { Rng } from '../src/core/random/rng';
import type { EffectEstimate } from '../src/core/result/schema';
import { createLocalInference } from '../src/inference/local';
import { loadSource, resolveInputs, sideActivations, weakSide } from '../src/pipeline/analyzeFile';
import { autoStrongSpec, autoWeakSpec } from '../src/pipeline/autoSpecs';
import type { PipelineOptions } from '../src/pipeline/types';
import { sniffDataset } from '../src/core/data';
import { machineLine, table } from './common';

const SEEDS = Number(process.env.CURATE_SEEDS ?? 10);
const FRACTIONS = (process.env.CURATE_FRACTIONS ?? '0.1,0.25,0.5').split(',').map(Number);
const CACHE = process.env.CURATE_CACHE ?? '/tmp/od-cache';
const DATA = '/work/shared/data';
const SETS: Record<string, { name: string; file: string; test?: string }> = {
  sst2: { name: 'SST-2', file: path.join(DATA, 'sst2', 'stsa.binary.train'), test: path.join(DATA, 'sst2', 'stsa.binary.test') },
  sms: { name: 'SMS', file: path.join(DATA, 'sms') },
};
const L2 = 1e-3;

interface SeedRow {
  size: number;
  pool: number;
  overlapInPool: number;
  curated: number;
  random: number;
  confident: number;
  all: number;
  overlapShareCurated: number;
  overlapShareRandom: number;
  pseudoAccCurated: number;
  pseudoAccRandom: number;
}

function fitOf(rows: Int32Array, targets: Float64Array, C: number): SubsetFit {
  const t = new Float64Array(rows.length * C);
  for (let k = 0; k < rows.length; k++) for (let c = 0; c < C; c++) t[k * C + c] = targets[rows[k]! * C + c]!;
  return { rows, targets: t };
}

async function bench(key: string): Promise<string[][]> {
  const set = SETS[key]!;
  const { file, testFile } = await resolveInputs(set.file, set.test);
  const detected = (await sniffDataset(file)).fields;
  const options: PipelineOptions = { weak: autoWeakSpec(detected), strong: autoStrongSpec(detected), testFile, cacheDir: CACHE };
  const main = await loadSource(file, options);
  const test = await loadSource(testFile!, options);
  const labelSet = unifyDatasetLabels([main, test]);
  const C = labelSet.numClasses;
  const all = [...main.rows, ...test.rows];
  const labels = Int32Array.from(all, (r) => r.label as number);
  const isTest = all.map((_, k) => k >= main.rows.length);
  const backend = createLocalInference({ device: 'cpu' });
  const t0 = performance.now();
  const quiet = () => {};
  const strong = await sideActivations('strong', options.strong, main, test, options, backend, quiet);
  const bySeed = new Map<number, SeedRow[]>();
  let encodeSeconds = 0;
  let desc = '';
  try {
    for (let s = 0; s < SEEDS; s++) {
      const split = halvesWithTest(isTest, s);
      const tw = performance.now();
      const weak = await weakSide(options.weak, main, test, C, { ...options, analysis: { seed: s } }, backend, quiet, undefined, split);
      if (s === 0) encodeSeconds = (performance.now() - t0) / 1000;
      else encodeSeconds += (performance.now() - tw) / 1000;
      const input = { weak: weak.side, strong: strong.matrix, labels, numClasses: C, split, encoders: { weak: weak.info, strong: strong.info } };
      // Two mixing seeds: the analysis is needed for its categories, not for its mixing curve.
      const result = await runAnalysis(input, { seed: s, seeds: 2 }, { kernel: backend.alignmentKernel() });
      const protocol = await runProtocol({ ...input, pseudo: 'soft', l2: L2 });
      desc = `weak ${weak.info.id}, strong ${strong.info.id}; ${main.rows.length} train rows (W2S-train ${protocol.w2sTrain.length}), ${test.rows.length} test rows`;
      // runAnalysis numbers rows by position in main + test; W2S-train positions -> row of protocol.strongW2s.
      const posOf = new Map<number, number>();
      protocol.w2sTrain.forEach((p, k) => posOf.set(p, k));
      const pool = protocol.w2sTrain.length;
      const isOverlap = new Uint8Array(pool);
      for (const r of result.rows) if (r.category === 'overlap') isOverlap[posOf.get(r.index)!] = 1;
      const w2sLabels = Int32Array.from(protocol.w2sTrain, (p) => labels[p]!);
      const share = (rows: Int32Array) => rows.reduce((n, k) => n + isOverlap[k]!, 0) / rows.length;
      // Control: W2S-train positions by weak confidence, highest first (ties by position).
      const byConfidence = Int32Array.from({ length: pool }, (_, k) => k).sort((x, y) => protocol.confidence[y]! - protocol.confidence[x]! || x - y);
      const pseudoAcc = (rows: Int32Array) => rows.reduce((n, k) => n + (protocol.pseudoLabels[k] === w2sLabels[k] ? 1 : 0), 0) / rows.length;
      for (const f of FRACTIONS) {
        const plan = curationPlan(result.rows, { fraction: f }, s);
        const curated = Int32Array.from(plan.rows, (i) => posOf.get(i)!);
        const random = new Rng(s * 7919 + 17).sample(Int32Array.from({ length: pool }, (_, k) => k), curated.length);
        const confident = Int32Array.from(byConfidence.subarray(0, curated.length));
        const subsets = [curated, random, confident].map((rows) => fitOf(rows, protocol.pseudoTargets, C));
        const probes = await fitProbesBatch(protocol.strongW2s, subsets, C, { l2: L2, init: protocol.w2sProbe });
        const [a, b, c] = probes.map((p) => accuracy(predictProbabilities(p, protocol.strongTest!), protocol.testLabels, C));
        const list = bySeed.get(f) ?? [];
        list.push({
          size: curated.length, pool, overlapInPool: result.detection.counts.overlap, curated: a!, random: b!, confident: c!, all: protocol.accuracy.w2s,
          overlapShareCurated: share(curated), overlapShareRandom: share(random), pseudoAccCurated: pseudoAcc(curated), pseudoAccRandom: pseudoAcc(random),
        });
        bySeed.set(f, list);
      }
    }
  } finally {
    await backend.dispose();
  }
  console.log(`${set.name}: ${desc}; encoders/cache ${encodeSeconds.toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ci = (e: EffectEstimate, sign = false) => {
    const f = (x: number) => (sign && x >= 0 ? '+' : '') + x.toFixed(3);
    return `${f(e.mean)} (${e.low === null ? '-' : f(e.low)} to ${e.high === null ? '-' : f(e.high)})`;
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return FRACTIONS.map((f) => {
    const rows = bySeed.get(f)!;
    const diff = effectEstimate(rows.map((r) => r.curated - r.random));
    return [
      set.name, String(f), `${Math.round(mean(rows.map((r) => r.size)))} of ${Math.round(mean(rows.map((r) => r.pool)))}`,
      `${Math.round(mean(rows.map((r) => r.overlapInPool)))}`,
      ci(effectEstimate(rows.map((r) => r.curated))), ci(effectEstimate(rows.map((r) => r.random))), ci(diff, true),
      `${diff.perSeed.filter((d) => d > 0).length}/${rows.length}`,
      ci(effectEstimate(rows.map((r) => r.confident))), ci(effectEstimate(rows.map((r) => r.curated - r.confident)), true),
      ci(effectEstimate(rows.map((r) => r.all))),
      `${(mean(rows.map((r) => r.overlapShareCurated)) * 100).toFixed(0)}% / ${(mean(rows.map((r) => r.overlapShareRandom)) * 100).toFixed(0)}%`,
      `${mean(rows.map((r) => r.pseudoAccCurated)).toFixed(3)} / ${mean(rows.map((r) => r.pseudoAccRandom)).toFixed(3)}`,
    ];
  });
}

async function main() {
  console.log(machineLine());
  console.log(`seeds ${SEEDS} (0..${SEEDS - 1}: split, detection and both draws), budgets ${FRACTIONS.join(', ')} of W2S-train, 95% Student-t intervals over seeds`);
  const rows: string[][] = [];
  for (const key of (process.env.CURATE_DATASETS ?? 'sst2,sms').split(',')) rows.push(...(await bench(key)));
  console.log(
    table(
      ['data', 'budget', 'rows', 'overlap rows', 'W2S acc curated', 'W2S acc random', 'curated - random', 'seeds +', 'W2S acc most confident', 'curated - most confident', 'W2S acc all W2S-train', 'overlap share cur / rand', 'pseudo-label acc cur / rand'],
      rows,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
