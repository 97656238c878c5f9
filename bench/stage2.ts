/**
 * bench/stage2 (issue 12, item 7): should the residual detector cap or re-threshold its stage 2 when it calls most
 * of the non-hard rows overlap? Measured on real data with the criterion of issue 9: the gain of training on m
 * detected overlap rows over m non-overlap rows (mixing curve acc(p = 1) - acc(p = 0)), paired with dot-max's gain on
 * the same split and mixing seed; also the per-seed OLS slope over all proportions (the verdict's effect, effect.ts).
 *
 * Data (bundled encoders: weak = GloVe-mean restricted to K words, strong = USE-Lite): SST-2 (train + test files),
 * SMS (WRENCH train + test), SpamAssassin (the demo's 3,000 e-mails, seeded thirds). STAGE2_SPLITS split seeds x
 * STAGE2_MIX_SEEDS mixing seeds per data set and K (STAGE2_VOCABS).
 * Detectors on the same protocol output per split:
 * - dot-max: the paper's data-selection detector (linear stage 1), the reference of every paired difference;
 * - residual: the default (log stage 1, residual x alignment score, t2 = change point of the scores);
 * - residual, re-threshold: when overlap covers more than 75% of the non-hard rows (the sanity limit), a second
 *   change point on the overlap rows' scores; those below it become easy-only;
 * - residual, cap 50%: when overlap covers more than 75% of the non-hard rows, only the top half of the non-hard rows
 *   by score stay overlap;
 * - residual, log scores: t2 = change point of log(score), always.
 * "triggered" = splits where residual's coverage exceeds 75% (the only splits where the first two variants differ
 * from residual); the last table compares each variant with residual on those splits only.
 * Before the real data, the same variants on the paper's synthetic mixture, where the truth is known (STAGE2_SYNTH=0
 * skips it, STAGE2_REAL=0 skips the real data).
 * Activation caches go to STAGE2_CACHE (default <tmp>/overlap-density-bench-cache), never next to the data.
 * Env: STAGE2_SPLITS (5), STAGE2_MIX_SEEDS (4), STAGE2_VOCABS (1000,2000,5000), STAGE2_DATA (../shared/data),
 * STAGE2_SETS (SST-2,SMS,SpamAssassin).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changePoint } from '../src/core/detect/changepoint';
import { detectOverlap } from '../src/core/detect/detect';
import { EASY, HARD, OVERLAP } from '../src/core/detect/types';
import { COVERAGE_LIMIT, olsSlope } from '../src/core/experiment/effect';
import { mixingCurve } from '../src/core/experiment/mixing';
import { runProtocol, type ProtocolOutcome } from '../src/core/experiment/protocol';
import { halvesWithTest, randomThirds } from '../src/core/experiment/split';
import { selectRows, type Matrix } from '../src/core/linalg/matrix';
import { createLocalInference } from '../src/inference/local';
import { loadSource, sideActivations } from '../src/pipeline/analyzeFile';
import type { PipelineOptions } from '../src/pipeline/types';
import { writeSpamAssassinJsonl } from '../src/cli/demo';
import { groundTruthReport } from '../src/core/experiment/groundTruth';
import { generateSynthetic, type Scenario } from '../src/core/synth/generate';
import { machineLine, table } from './common';

const SPLITS = Number(process.env.STAGE2_SPLITS ?? 5);
const MIX_SEEDS = Number(process.env.STAGE2_MIX_SEEDS ?? 4);
const VOCABS = (process.env.STAGE2_VOCABS ?? '1000,2000,5000').split(',').map(Number);
const DATA = path.resolve(process.env.STAGE2_DATA ?? path.join(process.cwd(), '..', 'shared', 'data'));
const CACHE = process.env.STAGE2_CACHE ?? path.join(os.tmpdir(), 'overlap-density-bench-cache');
const SETS = (process.env.STAGE2_SETS ?? 'SST-2,SMS,SpamAssassin').split(',');
const L2 = 1e-3;
const CAP = 0.5;

const inference = createLocalInference({ device: 'cpu' });
const kernel = inference.alignmentKernel();

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sem = (xs: number[]) => {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) / xs.length);
};
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : '-');
const pm = (xs: number[]) => (xs.length ? `${signed(mean(xs))} ± ${Number.isFinite(sem(xs)) ? sem(xs).toFixed(3) : '-'}` : '-');

type Variant = 'dot-max' | 'residual' | 'residual, re-threshold' | 'residual, cap 50%' | 'residual, log scores';
const VARIANTS: Variant[] = ['dot-max', 'residual', 'residual, re-threshold', 'residual, cap 50%', 'residual, log scores'];

/** Coverage = |overlap| / (|overlap| + |easy-only|). */
function coverage(cats: Uint8Array): number {
  let o = 0;
  let e = 0;
  for (const c of cats) {
    if (c === OVERLAP) o++;
    else if (c === EASY) e++;
  }
  return o + e > 0 ? o / (o + e) : NaN;
}

/** Residual's partition post-processed by a stage-2 variant (hard-only rows are never touched). */
function variantCategories(v: Variant, cats: Uint8Array, scores: Float64Array): Uint8Array {
  const out = Uint8Array.from(cats);
  const nonHard: number[] = [];
  cats.forEach((c, i) => c !== HARD && nonHard.push(i));
  if (v === 'residual, log scores') {
    const logs = nonHard.map((i) => Math.log(Math.max(scores[i], 1e-300)));
    const t = changePoint(Float64Array.from(logs), { jump: 5 }).threshold;
    nonHard.forEach((i, k) => (out[i] = logs[k] >= t ? OVERLAP : EASY));
    return out;
  }
  if (!(coverage(cats) > COVERAGE_LIMIT)) return out;
  if (v === 'residual, re-threshold') {
    const over = nonHard.filter((i) => cats[i] === OVERLAP);
    const t = changePoint(Float64Array.from(over, (i) => scores[i]), { jump: 5 }).threshold;
    for (const i of over) if (scores[i] < t) out[i] = EASY;
  } else if (v === 'residual, cap 50%') {
    const keep = Math.floor(CAP * nonHard.length);
    const order = [...nonHard].sort((a, b) => scores[b] - scores[a]);
    order.forEach((i, k) => (out[i] = k < keep ? OVERLAP : EASY));
  }
  return out;
}

interface Acc { gain: number[]; slope: number[]; cov: number[]; m: number[]; gainVsDot: number[]; slopeVsDot: number[] }
const emptyAcc = (): Acc => ({ gain: [], slope: [], cov: [], m: [], gainVsDot: [], slopeVsDot: [] });

interface SetSpec { name: string; train: string; test?: string }

async function loadSet(set: SetSpec, vocab: number) {
  const opts: PipelineOptions = {
    weak: { kind: 'bundled', id: 'glove-mean', vocab }, strong: { kind: 'bundled', id: 'use-lite' }, cacheDir: CACHE,
  };
  const main = await loadSource(set.train, opts);
  const test = set.test ? await loadSource(set.test, opts) : undefined;
  const nop = () => {};
  const strong = await sideActivations('strong', opts.strong, main, test, opts, inference, nop);
  const weak = await sideActivations('weak', opts.weak, main, test, opts, inference, nop);
  const rows = [...main.rows, ...(test?.rows ?? [])];
  const labels = Int32Array.from(rows, (r) => r.label as number);
  const isTest = [...main.rows.map(() => false), ...(test?.rows.map(() => true) ?? [])];
  const numClasses = Math.max(main.dataset.numClasses, test?.dataset.numClasses ?? 0);
  return { weak: weak.matrix, strong: strong.matrix, labels, isTest, numClasses, hasTest: !!test };
}

async function gains(p: ProtocolOutcome, cats: Uint8Array, numClasses: number, split: number) {
  const overlap: number[] = [];
  const rest: number[] = [];
  cats.forEach((c, k) => (c === OVERLAP ? overlap : rest).push(k));
  const mix = await mixingCurve({
    strongW2s: p.strongW2s, targets: p.pseudoTargets, numClasses, overlap: Int32Array.from(overlap), nonOverlap: Int32Array.from(rest),
    strongTest: p.strongTest!, testLabels: p.testLabels, l2: L2, init: p.w2sProbe,
    seeds: Array.from({ length: MIX_SEEDS }, (_, j) => 100 * split + j),
  });
  if (!mix) return null;
  return {
    m: mix.subsetSize,
    gain: mix.perSeed.map((c) => c[c.length - 1] - c[0]),
    slope: mix.perSeed.map((c) => olsSlope(mix.proportions, c)),
  };
}

/**
 * Ground truth first: the paper's Gaussian mixture (METHOD.md section 5), scenarios mixed / easy / hard, absent block
 * zeros or N(0, 1) noise, SYNTH_SEEDS seeds, 1,000 W2S-train rows per present group. Per variant: the share of
 * non-hard rows called overlap (in "hard" every non-hard row truly is overlap, so a high share is right there), the
 * overlap F1, and how often residual exceeded the limit.
 */
async function synthetic(): Promise<void> {
  const seeds = Number(process.env.STAGE2_SYNTH_SEEDS ?? 5);
  const rows: string[][] = [];
  for (const scenario of ['mixed', 'easy', 'hard'] as Scenario[]) {
    for (const noise of [0, 1]) {
      const cov = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      const f1 = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      const trueCov: number[] = [];
      let triggered = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const nOverlap = 3000;
        const data = generateSynthetic({ scenario, nOverlap, nNonOverlap: scenario === 'mixed' ? 2 * nOverlap : nOverlap, seed, absentNoise: noise });
        const p = await runProtocol({
          weak: { kind: 'activations', acts: data.weak }, strong: data.strong, labels: data.labels, numClasses: 2,
          split: randomThirds(data.labels.length, seed), pseudo: 'soft', l2: L2,
        });
        const truth = Array.from(p.w2sTrain, (row) => data.membership[row]);
        trueCov.push(coverage(Uint8Array.from(truth)));
        const weakW2s = selectRows(data.weak, p.w2sTrain);
        const dot = await detectOverlap({ confidence: p.confidence, strong: p.strongW2s, hardRule: 'segment', align: 'dot-max', stage1Scale: 'linear', jump: 5, kernel });
        const res = await detectOverlap({ confidence: p.confidence, strong: p.strongW2s, weak: weakW2s, hardRule: 'segment', align: 'residual', stage1Scale: 'log', jump: 5, kernel });
        if (coverage(res.categories) > COVERAGE_LIMIT) triggered++;
        for (const v of VARIANTS) {
          const cats = v === 'dot-max' ? dot.categories : v === 'residual' ? res.categories : variantCategories(v, res.categories, res.scores);
          cov.get(v)!.push(coverage(cats));
          f1.get(v)!.push(groundTruthReport(truth, cats).perCategory.overlap.f1 ?? NaN);
        }
      }
      for (const v of VARIANTS) {
        rows.push([
          scenario, String(noise), v, `${(100 * mean(trueCov)).toFixed(0)}%`, `${(100 * mean(cov.get(v)!)).toFixed(0)}%`,
          mean(f1.get(v)!).toFixed(3), v === 'residual' ? `${triggered} of ${seeds}` : '',
        ]);
      }
      rows.push(['', '', '', '', '', '', '']);
    }
  }
  rows.pop();
  console.log(`\nSynthetic ground truth (${seeds} seeds): true and detected share of the non-hard W2S-train rows called overlap, overlap F1`);
  console.log(table(['scenario', 'noise', 'detector', 'true share', 'detected share', 'overlap F1', 'residual > limit'], rows));
}

async function main(): Promise<void> {
  console.log(machineLine());
  const t0 = performance.now();
  if (process.env.STAGE2_SYNTH !== '0') await synthetic();
  if (process.env.STAGE2_REAL === '0') return;
  const spamDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlap-density-stage2-'));
  const spam = path.join(spamDir, 'spam-assassin.jsonl');
  await writeSpamAssassinJsonl(spam, 3000, 0);
  const all: SetSpec[] = [
    { name: 'SST-2', train: path.join(DATA, 'sst2/stsa.binary.train'), test: path.join(DATA, 'sst2/stsa.binary.test') },
    { name: 'SMS', train: path.join(DATA, 'sms/train.json'), test: path.join(DATA, 'sms/test.json') },
    { name: 'SpamAssassin', train: spam },
  ];
  const sets = all.filter((s) => SETS.includes(s.name) && fs.existsSync(s.train) && (!s.test || fs.existsSync(s.test)));
  const rows: string[][] = [];
  const trig: string[][] = [];
  const pooled = new Map<Variant, Acc>(VARIANTS.map((v) => [v, emptyAcc()]));
  const pooledTrig = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (const set of sets) {
    for (const vocab of VOCABS) {
      const t1 = performance.now();
      const d = await loadSet(set, vocab);
      const acc = new Map<Variant, Acc>(VARIANTS.map((v) => [v, emptyAcc()]));
      const vsResidualTriggered = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
      let triggered = 0;
      const accs: number[][] = [];
      for (let split = 0; split < SPLITS; split++) {
        const splitCodes = d.hasTest ? halvesWithTest(d.isTest, split) : randomThirds(d.labels.length, split);
        const p = await runProtocol({
          weak: { kind: 'activations', acts: d.weak }, strong: d.strong, labels: d.labels, numClasses: d.numClasses,
          split: splitCodes, pseudo: 'soft', l2: L2,
        });
        accs.push([p.accuracy.weak, p.accuracy.strong, p.accuracy.w2s]);
        const weakW2s: Matrix = selectRows(d.weak, p.w2sTrain);
        const dot = await detectOverlap({ confidence: p.confidence, strong: p.strongW2s, hardRule: 'segment', align: 'dot-max', stage1Scale: 'linear', jump: 5, kernel });
        const res = await detectOverlap({ confidence: p.confidence, strong: p.strongW2s, weak: weakW2s, hardRule: 'segment', align: 'residual', stage1Scale: 'log', jump: 5, kernel });
        const isTriggered = coverage(res.categories) > COVERAGE_LIMIT;
        if (isTriggered) triggered++;
        const results = new Map<Variant, Awaited<ReturnType<typeof gains>>>();
        for (const v of VARIANTS) {
          const cats = v === 'dot-max' ? dot.categories : v === 'residual' ? res.categories : variantCategories(v, res.categories, res.scores);
          const g = await gains(p, cats, d.numClasses, split);
          results.set(v, g);
          const a = acc.get(v)!;
          a.cov.push(coverage(cats));
          if (!g) continue;
          a.m.push(g.m);
          a.gain.push(...g.gain);
          a.slope.push(...g.slope);
        }
        const base = results.get('dot-max');
        const resid = results.get('residual');
        for (const v of VARIANTS) {
          const g = results.get(v);
          if (!g) continue;
          if (base) {
            acc.get(v)!.gainVsDot.push(...g.gain.map((x, k) => x - base.gain[k]));
            acc.get(v)!.slopeVsDot.push(...g.slope.map((x, k) => x - base.slope[k]));
          }
          if (isTriggered && resid) vsResidualTriggered.get(v)!.push(...g.slope.map((x, k) => x - resid.slope[k]));
        }
      }
      const a0 = accs.map((a) => a[0]);
      const a1 = accs.map((a) => a[1]);
      const a2 = accs.map((a) => a[2]);
      console.log(
        `${set.name} K=${vocab}: weak ${mean(a0).toFixed(3)} strong ${mean(a1).toFixed(3)} W2S ${mean(a2).toFixed(3)}; ` +
          `residual coverage > ${COVERAGE_LIMIT} on ${triggered} of ${SPLITS} splits; ${((performance.now() - t1) / 1000).toFixed(0)} s`,
      );
      for (const v of VARIANTS) {
        const a = acc.get(v)!;
        const pa = pooled.get(v)!;
        pa.gain.push(...a.gain);
        pa.slope.push(...a.slope);
        pa.gainVsDot.push(...a.gainVsDot);
        pa.slopeVsDot.push(...a.slopeVsDot);
        rows.push([
          set.name, String(vocab), v, `${(100 * mean(a.cov)).toFixed(0)}% (max ${(100 * Math.max(...a.cov)).toFixed(0)}%)`,
          a.m.length ? String(Math.round(mean(a.m))) : '-', pm(a.gain), pm(a.slope),
          v === 'dot-max' ? '' : pm(a.gainVsDot), v === 'dot-max' ? '' : pm(a.slopeVsDot),
        ]);
        if (triggered > 0 && v !== 'residual' && v !== 'dot-max') {
          trig.push([set.name, String(vocab), v, String(triggered), pm(vsResidualTriggered.get(v)!)]);
          pooledTrig.get(v)!.push(...vsResidualTriggered.get(v)!);
        }
      }
      rows.push(['', '', '', '', '', '', '', '', '']);
    }
  }
  rows.pop();
  console.log(`\nReal data, ${SPLITS} splits x ${MIX_SEEDS} mixing seeds per row; gain = acc(p=1) - acc(p=0), slope = OLS slope over the 11 proportions; ` +
    'vs dot-max = paired difference (same split and mixing seed); mean ± s.e. over the split x seed pairs');
  console.log(table(['data', 'K', 'detector', 'coverage of non-hard', 'm', 'gain', 'slope', 'gain vs dot-max', 'slope vs dot-max'], rows));
  console.log('\nPooled over every data set and K:');
  console.log(table(['detector', 'gain', 'slope', 'gain vs dot-max', 'slope vs dot-max'], VARIANTS.map((v) => {
    const a = pooled.get(v)!;
    return [v, pm(a.gain), pm(a.slope), v === 'dot-max' ? '' : pm(a.gainVsDot), v === 'dot-max' ? '' : pm(a.slopeVsDot)];
  })));
  if (trig.length) {
    console.log(`\nSplits where residual covers more than ${100 * COVERAGE_LIMIT}% of the non-hard rows: slope of the variant minus residual's (paired)`);
    console.log(table(['data', 'K', 'variant', 'triggered splits', 'slope vs residual'], trig));
    console.log(`pooled: ${VARIANTS.filter((v) => pooledTrig.get(v)!.length).map((v) => `${v} ${pm(pooledTrig.get(v)!)}`).join('; ')}`);
  } else {
    console.log(`\nresidual never covered more than ${100 * COVERAGE_LIMIT}% of the non-hard rows here: the cap and re-threshold variants equal residual`);
  }
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  fs.rmSync(spamDir, { recursive: true, force: true });
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => inference.dispose());
