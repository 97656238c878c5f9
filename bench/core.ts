/**
 * bench/core: the analysis on cached activations (n = 15,000, d_weak = 1,024, d_strong = 4,096), ours vs a numpy/scipy
 * implementation of the same steps (bench/core_ref.py) on the same files, in the same run. Goal: ours <= 0.7 x numpy.
 * Ours runs default options (the residual detector) and `--align dot-max`; the reference runs both detectors too
 * (core_ref.py ALIGN), each of ours against its own, and the residual scores are compared row by row. numpy runs on
 * its best BLAS kernel: Debian's OpenBLAS 0.3.21 does not recognise newer CPUs and falls back to its generic "Prescott" kernel unless OPENBLAS_CORETYPE names one, so the bench times a
 * 2,048 x 2,048 matmul under each kernel the CPU supports (by /proc/cpuinfo flags) and runs the reference under the
 * fastest; the reference prints the kernel that ran (threadpoolctl, installed with apt when possible).
 * Both sides start from the Float32 arrays in memory and end with the result's 2-D map: the reference's time includes
 * its Float64 copies of the rows it uses (column "input") and the same PCA map as ours (column "map"); a line also
 * gives both ratios without the map, the scope of this bench before the map joined the reference.
 * Ours runs as the CLI runs (lib/cliEnv.ts): where the CLI starts itself again with huge pages (src/cli/hugePages.ts:
 * Linux, glibc >= 2.35, THP in madvise mode), this bench does too; numpy runs in its own default environment.
 * Env: CORE_N (rows, default 15000), CORE_SEEDS (mixing seeds, default 3), CORE_ROUNDS (interleaved rounds, medians shown; default 1), CORE_OPENBLAS_CORETYPE (a fixed kernel;
 * empty: OpenBLAS's own choice), BENCH_HUGE_PAGES=0 (ours without huge pages, as the editor's extension host runs),
 * CORE_REF_HUGE_PAGES=1 (numpy with them too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAnalysis } from '../src/core/experiment/analyze';
import { randomThirds, W2S_TRAIN } from '../src/core/experiment/split';
import { selectRows } from '../src/core/linalg/matrix';
import { ridgeLooResidualNorms } from '../src/core/linalg/ridgeLoo';
import { ridgeLooResidualNormsGemm } from '../src/core/linalg/ridgeGemm';
import { tsAlignmentKernel } from '../src/core/detect/alignKernel';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';
import { D_STRONG, D_WEAK, makeCoreData, writeCoreFiles } from './lib/coreData';
import { loadLine, median } from './lib/measure';
import { hugePagesLine, runAsTheCli, withoutHugePages } from './lib/cliEnv';

const N = Number(process.env.CORE_N ?? 15000);
const SEEDS = Number(process.env.CORE_SEEDS ?? 3);
const ROUNDS = Number(process.env.CORE_ROUNDS ?? 1);

async function main() {
  await runAsTheCli();
  const py = ensurePythonNumpy();
  ensureThreadpoolctl(py);
  const kernel = bestKernel(py, process.env.CORE_OPENBLAS_CORETYPE);
  const dir = path.join(__dirname, 'core-data');
  fs.mkdirSync(dir, { recursive: true });
  const data = makeCoreData(N, 1);
  const split = randomThirds(N, 0);
  await writeCoreFiles(dir, data, split);

  const input = {
    weak: { kind: 'activations' as const, acts: { rows: N, cols: D_WEAK, data: data.weak } },
    strong: { rows: N, cols: D_STRONG, data: data.strong },
    labels: data.labels, numClasses: 2, split,
    encoders: { weak: { id: 'bench-weak', kind: 'arrays' as const, dim: D_WEAK }, strong: { id: 'bench-strong', kind: 'arrays' as const, dim: D_STRONG } },
  };
  // CORE_THREADS: onnxruntime's intra-op threads (default: the product's, 1 on two cores or fewer)
  const inference = createLocalInference({ device: 'cpu', threads: process.env.CORE_THREADS ? Number(process.env.CORE_THREADS) : undefined });
  type Stages = { total: number; input: number; protocol: number; detection: number; mixing: number; map: number };
  type Run = { name: string; seconds: number; result: Awaited<ReturnType<typeof runAnalysis>>; rounds: Stages[] };
  const runs: Run[] = [];
  const variants = [
    ['ours, default options', { seeds: SEEDS, pseudo: 'soft' as const }, inference.alignmentKernel()],
    ['ours, --align dot-max', { seeds: SEEDS, pseudo: 'soft' as const, align: 'dot-max' as const }, inference.alignmentKernel()],
    ['ours, dot-max, pure-TS kernel', { seeds: SEEDS, pseudo: 'soft' as const, align: 'dot-max' as const }, tsAlignmentKernel],
  ] as const;
  // numpy in its own default environment (without the huge pages ours may run with: they made it slower here, see
  // docs/benchmarks.md "Huge pages for the CLI"); CORE_REF_HUGE_PAGES=1 gives it this process's environment
  const refHuge = process.env.CORE_REF_HUGE_PAGES === '1';
  const env = refHuge ? openblasEnv(kernel.coretype) : withoutHugePages(openblasEnv(kernel.coretype));
  type Ref = {
    align: string; lambda: number | null; scores: (number | null)[]; norms: number[] | null; ridge_seconds: number | null; blas: string;
    accuracy: { weak: number; strong: number; w2s: number }; counts: { hard: number; overlap: number };
    confidence: number[]; overlap: number[]; newton: number; breakpoints: { confidence: number | null; align: number | null };
    seconds: Stages;
  };
  const reference = (align: string): Ref => JSON.parse(execFileSync(py, [path.join(__dirname, '..', 'core_ref.py'), dir, String(SEEDS), align], {
    encoding: 'utf8', maxBuffer: 1 << 26, env,
  }));
  // CORE_ROUNDS rounds, interleaved (ours x 3, numpy residual, numpy dot-max, then again): the table shows medians.
  let refResidual: Ref | undefined;
  let refDot: Ref | undefined;
  const refRounds: { residual: Stages[]; dot: Stages[] } = { residual: [], dot: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [v, [name, options, k]] of variants.entries()) {
      const t0 = performance.now();
      const result = await runAnalysis(input, options, { kernel: k });
      const seconds = (performance.now() - t0) / 1000;
      const stages = {
        total: seconds, input: 0, protocol: result.timings.protocol ?? 0, detection: result.timings.detection ?? 0, mixing: result.timings.mixing ?? 0,
        map: result.timings.map ?? 0,
      };
      if (round === 0) runs.push({ name, seconds, result, rounds: [stages] });
      else runs[v].rounds.push(stages);
    }
    refResidual = reference('residual');
    refRounds.residual.push(refResidual.seconds);
    refDot = reference('dot-max');
    refRounds.dot.push(refDot.seconds);
    if (ROUNDS > 1) console.log(`round ${round + 1} of ${ROUNDS} done (${loadLine()})`);
  }
  const med = (xs: Stages[], key: keyof Stages) => median(xs.map((x) => x[key]));
  for (const r of runs) r.seconds = med(r.rounds, 'total');
  const refTotal = { residual: med(refRounds.residual, 'total'), dot: med(refRounds.dot, 'total') };
  if (!refResidual || !refDot) throw new Error('CORE_ROUNDS must be at least 1');
  // ours: the default run against numpy's residual detector, the dot-max runs against numpy's dot-max
  const refOf = (i: number) => (i === 0 ? 'residual' : 'dot') as 'residual' | 'dot';
  const rows = runs.map((r, i) => [
    r.name, r.seconds.toFixed(1), '-', med(r.rounds, 'protocol').toFixed(1), med(r.rounds, 'detection').toFixed(2),
    med(r.rounds, 'mixing').toFixed(1), med(r.rounds, 'map').toFixed(2), r.result.accuracy.weak.toFixed(3), r.result.accuracy.strong.toFixed(3), r.result.accuracy.w2s.toFixed(3),
    String(r.result.detection.counts.hard), String(r.result.detection.counts.overlap), (r.seconds / refTotal[refOf(i)]).toFixed(2),
  ]);
  for (const [ref, key] of [[refResidual, 'residual'], [refDot, 'dot']] as const) {
    const rr = refRounds[key];
    rows.push([
      `numpy/scipy, ${ref.align} (${String(ref.blas)})`, med(rr, 'total').toFixed(1), med(rr, 'input').toFixed(2), med(rr, 'protocol').toFixed(1),
      med(rr, 'detection').toFixed(2), med(rr, 'mixing').toFixed(1), med(rr, 'map').toFixed(2), ref.accuracy.weak.toFixed(3), ref.accuracy.strong.toFixed(3), ref.accuracy.w2s.toFixed(3),
      String(ref.counts.hard), String(ref.counts.overlap), '1.00',
    ]);
  }
  console.log(machineLine());
  console.log(`n = ${N}, d_weak = ${D_WEAK}, d_strong = ${D_STRONG}, mixing seeds = ${SEEDS} (11 proportions + random baseline each)`);
  if (ROUNDS > 1) {
    console.log(`medians of ${ROUNDS} interleaved rounds; per round, ours / numpy: default ` +
      runs[0].rounds.map((r, k) => (r.total / refRounds.residual[k].total).toFixed(2)).join(', ') + '; dot-max ' +
      runs[1].rounds.map((r, k) => (r.total / refRounds.dot[k].total).toFixed(2)).join(', '));
  }
  console.log(table(['implementation', 'total s', 'input s', 'probes s', 'detect s', 'mixing s', 'map s', 'weak', 'strong', 'W2S', 'hard', 'overlap', 'x numpy'], rows));
  console.log('(input: numpy\'s Float64 copies of the Float32 rows it uses; ours makes its copies inside the stages. map: the result\'s 2-D PCA map)');
  // The same comparison without the map on either side (the scope of this bench before the map joined the reference)
  const noMap = (xs: Stages[]) => median(xs.map((x) => x.total - x.map));
  console.log(`without the map on both sides: default ${(noMap(runs[0].rounds) / noMap(refRounds.residual)).toFixed(2)} x numpy ` +
    `(${noMap(runs[0].rounds).toFixed(1)} s vs ${noMap(refRounds.residual).toFixed(1)} s), dot-max ${(noMap(runs[1].rounds) / noMap(refRounds.dot)).toFixed(2)} x ` +
    `(${noMap(runs[1].rounds).toFixed(1)} s vs ${noMap(refRounds.dot).toFixed(1)} s)`);
  console.log(`numpy BLAS kernel: OPENBLAS_CORETYPE=${kernel.coretype || '(unset)'}; 2,048^2 matmul per kernel: ${kernel.timings}; ran: ${String(refResidual.blas)}`);
  console.log(`${hugePagesLine()}; numpy ${env.GLIBC_TUNABLES ? `with GLIBC_TUNABLES=${env.GLIBC_TUNABLES}` : 'in its default environment'}${refHuge ? ' (CORE_REF_HUGE_PAGES=1)' : ''}`);
  console.log('(x numpy: the default row against numpy\'s residual detector, the dot-max rows against numpy\'s dot-max)');
  // Same scores? The W2S-train rows in index order, both scored (non-hard on both sides).
  const ours = runs[0].result.rows.filter((row) => row.category !== null);
  let compared = 0;
  let maxAbs = 0;
  let maxRel = 0;
  ours.forEach((row, k) => {
    const theirs = refResidual.scores[k];
    if (row.alignment === null || theirs === null || theirs === undefined) return;
    compared++;
    const diff = Math.abs(row.alignment - theirs);
    maxAbs = Math.max(maxAbs, diff);
    maxRel = Math.max(maxRel, diff / Math.max(Math.abs(theirs), 1e-300));
  });
  console.log(`residual scores, ours vs numpy on the ${compared} W2S-train rows both scored (of ${ours.length}): max |diff| = ${maxAbs.toExponential(2)}, ` +
    `max relative ${maxRel.toExponential(2)}; hard rows ours ${runs[0].result.detection.counts.hard} / numpy ${refResidual.counts.hard}; ` +
    `numpy's GCV lambda ${refResidual.lambda === null ? '-' : refResidual.lambda.toPrecision(6)}`);
  // The partition row by row (issue 14 item 5: both weak probes polished to the optimum, so it should be identical).
  for (const [i, ref] of [[0, refResidual], [1, refDot]] as const) {
    const result = runs[i].result;
    const w2sRows = result.rows.filter((row) => row.category !== null);
    const overlapSet = new Set(ref.overlap);
    let differ = 0;
    let confDiff = 0;
    w2sRows.forEach((row, k) => {
      const theirs = ref.scores[k] === null ? 'hard' : overlapSet.has(k) ? 'overlap' : 'easy';
      if (row.category !== theirs) differ++;
      confDiff = Math.max(confDiff, Math.abs((row.confidence ?? NaN) - ref.confidence[k]));
    });
    const d = result.detection;
    console.log(`partition, ${runs[i].name} vs numpy ${ref.align}: ${w2sRows.length - differ} of ${w2sRows.length} W2S-train rows in the same ` +
      `category (${differ} differ); max |weak confidence diff| ${confDiff.toExponential(2)} (numpy's weak probe: ${ref.newton} ` +
      `Newton steps after L-BFGS-B); breakpoints stage 1 ours ${d.confidenceBreakpoint} / numpy ` +
      `${ref.breakpoints.confidence}, stage 2 ours ${d.alignBreakpoint} / numpy ${ref.breakpoints.align}`);
  }
  // The ridge part alone on the W2S-train rows (the scores above also carry the float32 alignment kernel).
  const w2s = Int32Array.from(Array.from(split.keys()).filter((i) => split[i] === W2S_TRAIN));
  const weakW2s = selectRows(input.weak.acts, w2s);
  const strongW2s = selectRows(input.strong, w2s);
  const linalg = inference.alignmentKernel().linalg!;
  const timed = async <T>(f: () => Promise<T> | T): Promise<[T, number]> => {
    const t0 = performance.now();
    const value = await f();
    return [value, (performance.now() - t0) / 1000];
  };
  // What the default run uses (onnxruntime's Gemm), then the WebAssembly rows (the fallback without onnxruntime).
  const [loo, oursRidge] = await timed(() => ridgeLooResidualNormsGemm(weakW2s, strongW2s, linalg));
  const [looRows, rowsRidge] = await timed(() => ridgeLooResidualNorms(weakW2s, strongW2s));
  let normDiff = 0;
  let normRel = 0;
  refResidual.norms?.forEach((v, k) => {
    normDiff = Math.max(normDiff, Math.abs(loo.norms[k] - v));
    normRel = Math.max(normRel, Math.abs(loo.norms[k] - v) / Math.abs(v));
  });
  let rowsRel = 0;
  loo.norms.forEach((v, k) => (rowsRel = Math.max(rowsRel, Math.abs(v - looRows.norms[k]) / Math.abs(looRows.norms[k]))));
  const numpyRidge = refResidual.ridge_seconds ?? NaN;
  console.log(`ridge leave-one-out norms alone (${w2s.length} rows, ${loo.fit.route} route): ours on ${linalg.name} ` +
    `${oursRidge.toFixed(2)} s (${(oursRidge / numpyRidge).toFixed(2)} x numpy), ours on WebAssembly rows ${rowsRidge.toFixed(2)} s ` +
    `(${(rowsRidge / numpyRidge).toFixed(2)} x), numpy ${numpyRidge.toFixed(2)} s; lambda ours ${loo.fit.lambda.toPrecision(6)}; ` +
    `vs numpy max |diff| ${normDiff.toExponential(2)}, max relative ${normRel.toExponential(2)}; Gemm vs rows max relative ${rowsRel.toExponential(2)}`);
  const ratio = runs[0].seconds / refTotal.residual;
  const dotMax = runs[1].seconds / refTotal.dot;
  console.log(`verdict: default options ${ratio.toFixed(2)} x numpy's residual detector (goal <= 0.7): ${ratio <= 0.7 ? 'MET' : 'NOT MET'}; ` +
    `dot-max ${dotMax.toFixed(2)} x numpy's dot-max (goal <= 0.5): ${dotMax <= 0.5 ? 'MET' : 'NOT MET'}`);
  await inference.dispose();
  void spawnSync;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
