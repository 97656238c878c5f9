/**
 * bench/outliers: the probes' L-BFGS on activations with a few outlier dimensions, as LLM hidden states have them (a
 * handful of dimensions tens to hundreds of times larger than the rest, and far from zero). The method's probes
 * minimise the raw-feature objective (METHOD.md: no standardising), whose curvature along those dimensions is
 * scale^2 times the rest, so plain L-BFGS from zero crawls; ours takes a diagonal preconditioner there
 * (probe.ts `diagonalPreconditioner`).
 *
 * Data: OUT_N rows (default 5000) of OUT_D dimensions (default 1024, the paper's weak width), OUT_K of them (default
 * 4) scaled by s and shifted by 3 s, for s in OUT_SCALES (default 1,30,300); labels from a linear rule on the
 * unscaled values plus noise. Per scale: ours as the strong, W2S and mixing probes fit (L-BFGS to ||g||_inf 1e-6,
 * 1,000 iterations at most) and as the weak probe fits (L-BFGS to 1e-8, then the Newton polish to 1e-12), against
 * numpy/scipy's L-BFGS-B with the same stop and iteration cap (bench/core_ref.py, `weak-probe` mode: unpolished and
 * with exact Newton steps), on the same file; and, as the remedy to try, scipy's L-BFGS-B on the same objective with a
 * diagonal preconditioner from the columns' scales (core_ref.py `precond-probe`: coordinates v = w / P, P_j =
 * sqrt(median mean-square / mean-square of column j); the stop checked on the original gradient). Prints iterations,
 * stop, ||g||_inf at the end and seconds.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { fitProbe, oneHot } from '../src/core/probe';
import { Rng } from '../src/core/random/rng';
import { ensurePythonNumpy, machineLine, table } from './common';

const N = Number(process.env.OUT_N ?? 5000);
const D = Number(process.env.OUT_D ?? 1024);
const K = Number(process.env.OUT_K ?? 4);
const SCALES = (process.env.OUT_SCALES ?? '1,30,300').split(',').map(Number);

function data(scale: number): { x: Float32Array; labels: Int32Array } {
  const rng = new Rng(17);
  const w = Float64Array.from({ length: D }, () => rng.normal());
  const x = new Float32Array(N * D);
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) {
      const v = rng.normal();
      s += v * w[j];
      x[i * D + j] = j < K ? scale * (v + 3) : v;
    }
    labels[i] = s + 8 * rng.normal() > 0 ? 1 : 0;
  }
  return { x, labels };
}

async function main() {
  const py = ensurePythonNumpy();
  const dir = path.join(__dirname, 'outliers-data');
  fs.mkdirSync(dir, { recursive: true });
  const rows: string[][] = [];
  for (const scale of SCALES) {
    const { x, labels } = data(scale);
    const m = { rows: N, cols: D, data: x };
    const targets = oneHot(labels, 2);
    for (const [name, polish] of [['ours: L-BFGS to 1e-6 (strong, W2S, mixing probes)', false], ['ours: to 1e-8 + Newton polish (weak probe)', true]] as const) {
      const t0 = performance.now();
      const p = fitProbe(m, targets, 2, { polish });
      const seconds = (performance.now() - t0) / 1000;
      const pol = p.fit.polish ? ` + ${p.fit.polish.newtonSteps} Newton / ${p.fit.polish.hessianProducts} Hv` : '';
      rows.push([String(scale), name, seconds.toFixed(2), `${p.fit.iterations}${pol}`, p.fit.stop, p.fit.gradNorm.toExponential(1)]);
    }
    await writeNpyFile(path.join(dir, 'x.npy'), x, [N, D]);
    await writeNpyFile(path.join(dir, 'y.npy'), labels, [N]);
    await writeNpyFile(path.join(dir, 'xw2.npy'), x.subarray(0, D), [1, D]);
    const ref = JSON.parse(execFileSync(py, [path.join(__dirname, '..', 'core_ref.py'), dir, '0', 'weak-probe'], {
      encoding: 'utf8', maxBuffer: 1 << 26,
    })) as { fits: { name: string; seconds: number; iterations: number; newton: number; grad: number }[] };
    for (const f of ref.fits) {
      rows.push([String(scale), `numpy/scipy: ${f.name}`, f.seconds.toFixed(2), `${f.iterations}${f.newton ? ` + ${f.newton} Newton` : ''}`,
        f.iterations >= 1000 ? 'maxIter' : '-', f.grad.toExponential(1)]);
    }
    // the remedy measured on the reference: the same objective in coordinates scaled by the columns' sizes
    const pre = JSON.parse(execFileSync(py, [path.join(__dirname, '..', 'core_ref.py'), dir, '0', 'precond-probe'], { encoding: 'utf8' })) as {
      seconds: number; iterations: number; grad: number;
    };
    rows.push([String(scale), 'numpy/scipy: L-BFGS-B, diagonal preconditioner', pre.seconds.toFixed(2), String(pre.iterations),
      pre.iterations >= 1000 ? 'maxIter' : '-', pre.grad.toExponential(1)]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(machineLine());
  console.log(`${N} rows x ${D} dims, ${K} of them scaled by s and shifted by 3 s; logistic probe, l2 = 1e-3, from zero`);
  console.log(table(['s', 'fit', 'seconds', 'iterations', 'stop', '||g||_inf at the end'], rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
