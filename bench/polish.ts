/**
 * bench/polish: how far the weak probe's L-BFGS stop (||g||_inf <= 1e-6) leaves its confidences from the optimum,
 * and what reaching the optimum costs (issue 14, item 5). On bench/core's data (CORE_N rows, d_weak = 1,024), the
 * weak probe on the weak-train third, confidences on the W2S-train third:
 *   - L-BFGS to 1e-6 (the product's stop before the polish); the polish (L-BFGS to 1e-8, then Newton-CG to 1e-12,
 *     newton.ts), and the polish from the 1e-6 stop;
 *   - L-BFGS to tighter gradient stops (1e-8, 1e-10, 1e-12), the other way to get there;
 *   - the optimum: the polished weights polished again to 1e-14;
 *   - numpy/scipy (core_ref.py's fit): L-BFGS-B to 1e-6, and the same followed by exact Newton steps.
 * Prints max |confidence - optimum's| over the W2S-train rows, the seconds (ours: best of 3) and gradient norms.
 * Env: CORE_N (default 15000).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { stage1ChangePoint } from '../src/core/detect/detect';
import { isHard } from '../src/core/detect/resolve';
import { indicesOf, randomThirds, W2S_TRAIN, WEAK_TRAIN } from '../src/core/experiment/split';
import { selectRows } from '../src/core/linalg/matrix';
import { confidence, fitProbe, oneHot, predictProbabilities, type Probe } from '../src/core/probe';
import { ensurePythonNumpy, machineLine, table } from './common';
import { D_WEAK, makeCoreData } from './lib/coreData';

const N = Number(process.env.CORE_N ?? 15000);

function main() {
  const data = makeCoreData(N, 1);
  const split = randomThirds(N, 0);
  const acts = { rows: N, cols: D_WEAK, data: data.weak };
  const wt = indicesOf(split, WEAK_TRAIN);
  const w2 = indicesOf(split, W2S_TRAIN);
  const x = selectRows(acts, wt);
  const xw2 = selectRows(acts, w2);
  const labels = Int32Array.from(wt, (i) => data.labels[i]);
  const targets = oneHot(labels, 2);
  const conf = (p: Probe) => confidence(predictProbabilities(p, xw2), 2);
  const timed = (opts: Parameters<typeof fitProbe>[3]) => {
    let seconds = Infinity;
    let probe = fitProbe(x, targets, 2, opts);
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      probe = fitProbe(x, targets, 2, opts);
      seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    }
    return { probe, seconds };
  };
  const runs = [
    ['L-BFGS to 1e-6 (before)', timed({})],
    ['L-BFGS to 1e-8 + Newton-CG to 1e-12 (after: polish)', timed({ polish: true })],
    ['L-BFGS to 1e-6 + Newton-CG to 1e-12', timed({ polish: true, polishFrom: 1e-6 })],
    ['L-BFGS to 1e-8', timed({ gradTol: 1e-8 })],
    ['L-BFGS to 1e-10', timed({ gradTol: 1e-10 })],
    ['L-BFGS to 1e-12', timed({ gradTol: 1e-12 })],
  ] as const;
  const optimum = fitProbe(x, targets, 2, { init: runs[1][1].probe, polish: 1e-14, maxIter: 0 });
  const cOpt = conf(optimum);
  const maxDiff = (c: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < cOpt.length; i++) m = Math.max(m, Math.abs(c[i] - cOpt[i]));
    return m;
  };
  // Stage 1 of the detection on each fit's confidences (linear scale: dot-max; log scale: the residual detector):
  // the rows whose hard flag differs from the optimum's, and the breakpoint (index into the sorted confidences).
  const stage1 = (c: Float64Array, scale: 'linear' | 'log') => {
    const cp = stage1ChangePoint(c, 5, scale);
    return { hard: Array.from(c, (v) => isHard(v, cp.threshold, 'segment')), breakpoint: cp.breakpoint };
  };
  const optStage1 = (['linear', 'log'] as const).map((scale) => stage1(cOpt, scale));
  const stage1Cell = (c: ArrayLike<number>) => (['linear', 'log'] as const).map((scale, k) => {
    const s = stage1(Float64Array.from(c), scale);
    const differ = s.hard.filter((h, i) => h !== optStage1[k].hard[i]).length;
    return `${differ} / b ${s.breakpoint}`;
  });
  const rows = runs.map(([name, r]) => [
    name, r.seconds.toFixed(2), `${r.probe.fit.iterations} / ${r.probe.fit.evaluations}`,
    r.probe.fit.polish ? `${r.probe.fit.polish.newtonSteps} / ${r.probe.fit.polish.hessianProducts}` : '-',
    `${r.probe.fit.gradNorm.toExponential(1)}${r.probe.fit.converged ? '' : ` (${r.probe.fit.stop})`}`, maxDiff(conf(r.probe)).toExponential(2),
    ...stage1Cell(conf(r.probe)),
  ]);
  // numpy/scipy: the reference's fit, unpolished and polished, on the same rows.
  const py = ensurePythonNumpy();
  const dir = path.join(__dirname, 'polish-data');
  fs.mkdirSync(dir, { recursive: true });
  return (async () => {
    await writeNpyFile(path.join(dir, 'x.npy'), x.data as Float32Array, [x.rows, x.cols]);
    await writeNpyFile(path.join(dir, 'y.npy'), labels, [labels.length]);
    await writeNpyFile(path.join(dir, 'xw2.npy'), xw2.data as Float32Array, [xw2.rows, xw2.cols]);
    const ref = JSON.parse(execFileSync(py, [path.join(__dirname, '..', 'core_ref.py'), dir, '0', 'weak-probe'], {
      encoding: 'utf8', maxBuffer: 1 << 26,
    })) as { fits: { name: string; seconds: number; iterations: number; newton: number; grad: number; conf: number[] }[] };
    for (const f of ref.fits) {
      rows.push([`numpy/scipy: ${f.name}`, f.seconds.toFixed(2), String(f.iterations), f.newton ? `${f.newton} exact` : '-',
        f.grad.toExponential(1), maxDiff(f.conf).toExponential(2), ...stage1Cell(f.conf)]);
    }
    console.log(machineLine());
    console.log(`weak probe: ${x.rows} weak-train rows x ${D_WEAK} dims (CORE_N = ${N}); confidences on ${xw2.rows} W2S-train rows; ` +
      `optimum: the polished probe polished again to ||g||_inf ${optimum.fit.gradNorm.toExponential(1)}`);
    console.log(table(['fit', 'seconds', 'L-BFGS iters / evals', 'Newton steps / Hv', '||g||_inf', 'max |conf - optimum|',
      'hard differ / b (linear)', 'hard differ / b (log)'], rows));
    console.log(`optimum's stage 1: breakpoint ${optStage1[0].breakpoint} (linear, dot-max), ${optStage1[1].breakpoint} (log, residual); ` +
      '"hard differ": rows whose stage-1 hard flag differs from the optimum\'s');
  })();
}

main()?.catch((e) => {
  console.error(e);
  process.exit(1);
});
