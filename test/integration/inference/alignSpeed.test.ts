/**
 * The ONNX alignment kernel at a realistic size (2,500 x 2,500 rows of 512-d, USE-Lite's width): it must agree with
 * a naive loop and with core's TypeScript kernel; the log line gives each one's GFLOP/s (2 * Nq * Nk * d / time).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { maxAlignmentBlocked } from '../../../src/core/detect/alignKernel';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { OnnxAlignmentKernel } from '../../../src/inference/alignKernel';
import { SessionPool } from '../../../src/inference/sessions';

const N = 2500;
const D = 512;

function random(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  let s = seed >>> 0;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2147483648 - 1;
  }
  return { rows, cols, data };
}

/** The definition, written as plainly as possible: no blocking, Float64 sums. */
function naiveAbsCosine(q: Matrix, k: Matrix): Float64Array {
  const d = q.cols;
  const kNorm = new Float64Array(k.rows);
  for (let j = 0; j < k.rows; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += k.data[j * d + t]! * k.data[j * d + t]!;
    kNorm[j] = Math.sqrt(s);
  }
  const out = new Float64Array(q.rows);
  for (let i = 0; i < q.rows; i++) {
    let qn = 0;
    for (let t = 0; t < d; t++) qn += q.data[i * d + t]! * q.data[i * d + t]!;
    qn = Math.sqrt(qn);
    let best = 0;
    for (let j = 0; j < k.rows; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += q.data[i * d + t]! * k.data[j * d + t]!;
      const c = qn === 0 || kNorm[j] === 0 ? 0 : Math.abs(dot) / (qn * kNorm[j]!);
      if (c > best) best = c;
    }
    out[i] = best;
  }
  return out;
}

describe('alignment kernel speed (2,500 x 2,500 x 512)', () => {
  const pool = new SessionPool({ device: 'cpu', threads: 1 });
  afterAll(() => pool.dispose());

  it('ONNX agrees with the naive loop and core\'s kernel within 1e-5', async () => {
    const q = random(N, D, 1);
    const k = random(N, D, 2);
    const gflop = (2 * N * N * D) / 1e9;
    const kernel = new OnnxAlignmentKernel(pool);
    await kernel.maxAlignment(random(4, D, 3), random(4, D, 4), 'abs-cosine'); // session creation is not timed
    // Best of three: the machine is shared, the fastest run is the least disturbed.
    let onnx: Float64Array = new Float64Array(0);
    let onnxS = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      onnx = await kernel.maxAlignment(q, k, 'abs-cosine');
      onnxS = Math.min(onnxS, (performance.now() - t0) / 1000);
    }
    let t = performance.now();
    const naive = naiveAbsCosine(q, k);
    const naiveS = (performance.now() - t) / 1000;
    t = performance.now();
    const core = (await maxAlignmentBlocked(q, k, 'abs-cosine')).max;
    const coreS = (performance.now() - t) / 1000;
    let worst = 0;
    for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(onnx[i]! - naive[i]!), Math.abs(core[i]! - naive[i]!));
    console.log(
      `align ${N}x${N}x${D} abs-cosine, 1 thread: onnxruntime ${onnxS.toFixed(3)} s = ${(gflop / onnxS).toFixed(1)} GFLOP/s; ` +
        `naive TS ${naiveS.toFixed(2)} s = ${(gflop / naiveS).toFixed(2)} GFLOP/s; core blocked TS ${coreS.toFixed(2)} s = ` +
        `${(gflop / coreS).toFixed(2)} GFLOP/s; max |diff| ${worst.toExponential(1)}`,
    );
    expect(worst).toBeLessThan(1e-5);
  });
});
