/**
 * bench/transposed: the batched fits' gradient product X^T R in float32 (X: bench/core's W2S-train shape, 5,000 x
 * 4,096, held by the product kernel as Float32), with R as wide as the running fits (38 at bench/core's mixing
 * batch: 36 subset fits, the strong and W2S probes; fewer as fits stop). Two routes through the product kernel
 * itself, interleaved: onnxruntime's Gemm with transA (the route before; MLAS transposes X's blocks in every call)
 * and a plain Gemm on the kernel's transposed copy of X (linalgKernel.ts `transposedOf`), with the forward X V of
 * the same width beside them. The copy's one-time costs: its memory's pages touched on the compute thread (not on
 * the analysis's thread) and the transpose into it. numpy's float32 X.T @ R on its best OpenBLAS kernel as the
 * reference. Env: TRANSPOSED_REPS (products per cell, default 15).
 */
import { execFileSync } from 'node:child_process';
import { transposeInto, type ResidentMatrix } from '../src/core/linalg/gemm';
import { OnnxLinalgKernel } from '../src/inference/linalgKernel';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';
import { loadLine, median } from './lib/measure';

const M = 5000;
const D = 4096;
const WIDTHS = [38, 24, 12, 4, 2];
const REPS = Number(process.env.TRANSPOSED_REPS ?? 15);

function random(n: number, seed: number): Float32Array {
  let s = seed;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 1073741824 - 1;
  }
  return a;
}

async function main() {
  const inference = createLocalInference({ device: 'cpu' });
  const kernel = inference.alignmentKernel().linalg as OnnxLinalgKernel;
  const x = { rows: M, cols: D, data: random(M * D, 1) };
  // the old route: the kernel's copies off for its calls
  const plain: ResidentMatrix = await kernel.upload(x, undefined, undefined, true);
  const held: ResidentMatrix = await kernel.upload(x, undefined, undefined, true);
  const r0 = random(M * WIDTHS[0], 2);
  // the copy: asked for by the first X^T R, there once its memory has come from the compute thread
  const tAsk = performance.now();
  await kernel.gemm(held, { rows: M, cols: 1, data: Float64Array.from(r0.subarray(0, M)) }, { transA: true, float32: true });
  while (kernel.transposedProducts === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await kernel.gemm(held, { rows: M, cols: 1, data: Float64Array.from(r0.subarray(0, M)) }, { transA: true, float32: true });
  }
  const readyMs = performance.now() - tAsk;
  // the transpose alone, into memory touched beforehand
  const into = new Float32Array(M * D).fill(0);
  const tT = performance.now();
  transposeInto(x.data, M, D, into);
  const transposeMs = performance.now() - tT;

  const rows: string[][] = [];
  const ratios: number[] = [];
  for (const w of WIDTHS) {
    const r = { rows: M, cols: w, data: r0.subarray(0, M * w) };
    const v = { rows: w, cols: D, data: random(w * D, 3 + w) };
    const times = { old: [] as number[], copy: [] as number[], fwd: [] as number[] };
    const before = kernel.transposedProducts;
    for (let k = 0; k < REPS + 1; k++) {
      for (const route of (k % 2 === 0 ? ['old', 'copy', 'fwd'] : ['fwd', 'copy', 'old']) as (keyof typeof times)[]) {
        const t = performance.now();
        if (route === 'fwd') await kernel.gemm(held, v, { transB: true, float32: true });
        else {
          kernel.transposedCopies = route === 'copy';
          await kernel.gemm(route === 'old' ? plain : held, r, { transA: true, float32: true });
          kernel.transposedCopies = true;
        }
        if (k > 0) times[route].push(performance.now() - t); // the first of each: warm-up
      }
    }
    if (kernel.transposedProducts - before !== REPS + 1) throw new Error('the copy was not used for every product of the copy route');
    const [o, c, f] = [median(times.old), median(times.copy), median(times.fwd)];
    ratios.push(c / o);
    rows.push([String(w), o.toFixed(1), c.toFixed(1), (c / o).toFixed(2), f.toFixed(1)]);
  }
  await kernel.release(plain);
  await kernel.release(held);
  await inference.dispose();

  let numpy = 'numpy: not measured';
  try {
    const py = ensurePythonNumpy();
    ensureThreadpoolctl(py);
    const best = bestKernel(py);
    const script = [
      'import numpy as np, time, json',
      `x = np.random.default_rng(0).standard_normal((${M}, ${D})).astype(np.float32)`,
      'out = {}',
      `for w in ${JSON.stringify(WIDTHS)}:`,
      '    r = np.random.default_rng(w).standard_normal((' + M + ', w)).astype(np.float32); x.T @ r; ts = []',
      `    for i in range(${REPS}):`,
      '        t = time.perf_counter(); x.T @ r; ts.append((time.perf_counter() - t) * 1000)',
      '    ts.sort(); out[w] = ts[len(ts) // 2]',
      'print(json.dumps(out))',
    ].join('\n');
    const ms = JSON.parse(execFileSync(py, ['-c', script], { encoding: 'utf8', env: openblasEnv(best.coretype) })) as Record<string, number>;
    rows.forEach((row) => row.push(ms[row[0]].toFixed(1)));
    numpy = `numpy: float32 x.T @ r, OPENBLAS_CORETYPE=${best.coretype || '(default)'}`;
  } catch (e) {
    rows.forEach((row) => row.push('-'));
    numpy = `numpy: not measured (${(e as Error).message.split('\n')[0]})`;
  }
  console.log(machineLine());
  console.log(`X ${M} x ${D} float32 held by the product kernel; ${REPS} products per cell, median, interleaved; ${loadLine()}`);
  console.log(table(['columns', 'X^T R, transA (ms)', 'X^T R, copy (ms)', 'copy / transA', 'X V (ms)', 'numpy X.T @ R (ms)'], rows));
  console.log(numpy);
  console.log(`the copy's one-time cost: ${readyMs.toFixed(0)} ms from the first X^T R until it served one (memory touched on the compute thread, then the transpose); the transpose alone ${transposeMs.toFixed(0)} ms`);
  console.log(`verdict: X^T R on the copy takes ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)} x the transposed Gemm's time at ${WIDTHS.join(', ')} columns`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
