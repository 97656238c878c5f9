/**
 * bench/warmstart: where the mixing experiment's subset fits start. The analysis used to start every subset fit
 * from the W2S probe fitted on all of W2S-train ("warm start": same convex objective, same optimum); METHOD.md's
 * probes start from zero. Both on onnxruntime's Gemm (the analysis's route), same data, interleaved rounds.
 * Cases: bench/core's data (n = 15,000, d_weak 1,024, d_strong 4,096: the protocol and the detection run first, the
 * subsets are the ones the analysis draws, with the dot-max and with the residual detector), bench/mixing's (the
 * paper's LLM shape, n_w2s = 5,000, d = 4,096, and SST-2's, 3,460 x 512) and the LLM shape with a smaller subset
 * (m = 1,165). With fewer subset rows than dimensions, part of the warm start lies outside the span of the subset's
 * rows, where only the penalty pulls it back to zero.
 * Reports seconds, product rounds (Gemm calls / 2: the slowest fit's iterations decide them) and how many of the
 * curves' accuracies differ between the two starts (each fit stops within the same gradient tolerance, so a test
 * row may land on the other side of 0.5 only when it sits within rounding of it).
 * Env: WARMSTART_REPS (3), WARMSTART_SEEDS (3, bench/core's), WARMSTART_CASES (core-dot-max,core-residual,llm,llm-small,sst2).
 */
import { detectOverlap } from '../src/core/detect/detect';
import { mixingCurve, type MixingInput } from '../src/core/experiment/mixing';
import { runProtocol } from '../src/core/experiment/protocol';
import { randomThirds } from '../src/core/experiment/split';
import type { LinalgKernel } from '../src/core/linalg/gemm';
import { fitProbe } from '../src/core/probe';
import { createLocalInference } from '../src/inference/local';
import { machineLine, table } from './common';
import { loadLine, median } from './lib/measure';
import { D_STRONG, D_WEAK, makeCoreData } from './lib/coreData';
import { CASES, mixingData, type Case } from './lib/mixingData';

/** bench/core's mixing input: its data through the protocol and the detector, as runAnalysis does. */
async function coreInput(align: 'dot-max' | 'residual', kernel: ReturnType<ReturnType<typeof createLocalInference>['alignmentKernel']>) {
  const N = 15000;
  const data = makeCoreData(N, 1);
  const protocol = await runProtocol({
    weak: { kind: 'activations', acts: { rows: N, cols: D_WEAK, data: data.weak } }, strong: { rows: N, cols: D_STRONG, data: data.strong },
    labels: data.labels, numClasses: 2, split: randomThirds(N, 0), pseudo: 'soft', l2: 1e-3,
  });
  const weakW2s = { rows: protocol.w2sTrain.length, cols: D_WEAK, data: new Float32Array(protocol.w2sTrain.length * D_WEAK) };
  protocol.w2sTrain.forEach((r, k) => weakW2s.data.set(data.weak.subarray(r * D_WEAK, (r + 1) * D_WEAK), k * D_WEAK));
  const det = await detectOverlap({
    confidence: protocol.confidence, strong: protocol.strongW2s, weak: weakW2s, hardRule: 'segment', align,
    stage1Scale: align === 'residual' ? 'log' : 'linear', jump: 5, kernel,
  });
  const overlap: number[] = [];
  const rest: number[] = [];
  det.categories.forEach((c, k) => (c === 2 ? overlap : rest).push(k));
  return {
    strongW2s: protocol.strongW2s, targets: protocol.pseudoTargets, strongTest: protocol.strongTest!, testLabels: protocol.testLabels,
    overlap: Int32Array.from(overlap), nonOverlap: Int32Array.from(rest), w2s: protocol.w2sProbe,
  };
}

const REPS = Number(process.env.WARMSTART_REPS ?? 3);
const SEEDS = Number(process.env.WARMSTART_SEEDS ?? 3);
const WANT = (process.env.WARMSTART_CASES ?? 'core-dot-max,core-residual,llm,llm-small,sst2').split(',');

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(loadLine());
  const inference = createLocalInference({ device: 'cpu' });
  const base = inference.alignmentKernel().linalg!;
  let calls = 0;
  const linalg: LinalgKernel = {
    name: base.name,
    gemm: (a, b, o) => (calls++, base.gemm(a, b, o)),
    upload: base.upload?.bind(base),
    release: base.release?.bind(base),
  };
  const cases: (Case & { overlapShare: number; core?: 'dot-max' | 'residual' })[] = [
    { name: 'core-dot-max', n: 5000, d: D_STRONG, nTest: 5000, overlapShare: 0, core: 'dot-max' },
    { name: 'core-residual', n: 5000, d: D_STRONG, nTest: 5000, overlapShare: 0, core: 'residual' },
    { ...CASES[0], overlapShare: 1 / 3 },
    { ...CASES[0], name: 'llm-small', overlapShare: 1165 / 5000 },
    { ...CASES[1], overlapShare: 1 / 3 },
  ];
  const rows: string[][] = [];
  for (const c of cases.filter((k) => WANT.includes(k.name))) {
    let dset: Omit<MixingInput, 'numClasses' | 'l2' | 'seeds'>;
    let w2s;
    if (c.core) {
      const core = await coreInput(c.core, inference.alignmentKernel());
      dset = core;
      w2s = core.w2s;
    } else {
      const syn = mixingData(c, 7);
      // the overlap share sets m = min(|O|, |N|)
      const all = Int32Array.from([...syn.overlap, ...syn.nonOverlap]).sort();
      const cut = Math.floor(c.n * c.overlapShare);
      const overlap = all.filter((_, i) => i % Math.round(c.n / cut) === 0).slice(0, cut);
      const inO = new Set(overlap);
      dset = { ...syn, overlap, nonOverlap: all.filter((r) => !inO.has(r)) };
      w2s = fitProbe(syn.strongW2s, syn.targets, 2, { l2: 1e-3 });
    }
    const { overlap, nonOverlap } = dset;
    const input: MixingInput = { ...dset, numClasses: 2, l2: 1e-3, seeds: Array.from({ length: SEEDS }, (_, s) => s), linalg };
    const ways = [
      { name: 'warm start (the W2S probe)', init: w2s },
      { name: 'zero start (METHOD.md)', init: undefined },
    ];
    const secs = ways.map(() => [] as number[]);
    const rounds = ways.map(() => [] as number[]);
    const curves: number[][][] = [];
    for (let r = 0; r < REPS; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        calls = 0;
        const t = performance.now();
        const curve = (await mixingCurve({ ...input, init: ways[k].init }))!;
        secs[k].push((performance.now() - t) / 1000);
        rounds[k].push(calls / 2);
        curves[k] = [...curve.perSeed, curve.randomBaseline?.perSeed ?? []];
      }
    }
    const flat = curves.map((cv) => cv.flat());
    const differ = flat[0].filter((v, i) => v !== flat[1][i]).length;
    const maxDiff = Math.max(...flat[0].map((v, i) => Math.abs(v - flat[1][i])));
    const m = Math.min(overlap.length, nonOverlap.length);
    for (const [k, w] of ways.entries()) {
      rows.push([
        c.name, `${dset.strongW2s.rows} x ${dset.strongW2s.cols}`, String(m), w.name, median(secs[k]).toFixed(2), secs[k].map((v) => v.toFixed(2)).join(', '),
        String(median(rounds[k])), k === 1 ? `${differ} of ${flat[0].length} (max ${maxDiff.toFixed(4)})` : '',
      ]);
    }
    const ratio = median(secs[1]) / median(secs[0]);
    console.log(`${c.name}: zero start takes ${ratio.toFixed(2)} x the warm start's time`);
  }
  await inference.dispose();
  console.log(`\nmixing experiment on ${base.name}, ${SEEDS} seeds (12 fits each), median of ${REPS} interleaved rounds`);
  console.log(table(['case', 'W2S-train', 'm', 'start', 's', 'per round', 'product rounds', 'accuracies differing'], rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
