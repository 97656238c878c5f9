/**
 * bench/outputs: how the size of a product's output changes its speed on onnxruntime's Float64 Gemm, and what that
 * does to the ridge map of the residual detector (src/core/linalg/ridgeGemm.ts).
 *
 * 1. The same product (4,096 x 1,024 times 1,024 x 4,096, 34 G multiply-adds in all) done in row blocks of 4,096
 *    down to 256 rows: every block's output is a new buffer, from 134 MB down to 8 MB. Fresh memory is expensive
 *    to touch the first time on the development machine; outputs of 32 MiB or more are fresh every time.
 * 2. The ridge map's leave-one-out norms at bench/core's detection shape (5,000 W2S-train rows, weak 1,024 ->
 *    strong 4,096), with the default chunking (outputs within 16 MiB) against the chunking switched off (one column
 *    chunk of Y and pass-2 blocks as large as the first pass's: outputs up to 54 MB, as before this change), in
 *    interleaved rounds, the same norms checked.
 * Env: OUTPUTS_ROUNDS (default 3).
 */
import { ridgeLooResidualNormsGemm } from '../src/core/linalg/ridgeGemm';
import { Rng } from '../src/core/random/rng';
import { createLocalInference } from '../src/inference/local';
import { machineLine, table } from './common';
import { loadLine, median } from './lib/measure';

const ROUNDS = Number(process.env.OUTPUTS_ROUNDS ?? 3);

async function main(): Promise<void> {
  const inference = createLocalInference({ device: 'cpu' });
  const kernel = inference.alignmentKernel().linalg;
  if (!kernel) throw new Error('no onnxruntime linalg kernel');
  console.log(machineLine());
  console.log(loadLine());

  // 1. one product in row blocks
  const M = 4096;
  const K = 1024;
  const N = 4096;
  const rng = new Rng(5);
  const a = Float64Array.from({ length: M * K }, () => rng.normal());
  const b = { rows: K, cols: N, data: Float64Array.from({ length: K * N }, () => rng.normal()) };
  await kernel.gemm({ rows: 256, cols: K, data: a.subarray(0, 256 * K) }, b);
  const blocks = [4096, 2048, 1024, 512, 256];
  const ms = new Map<number, number[]>(blocks.map((r) => [r, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const rows of blocks) {
      const t0 = performance.now();
      for (let i0 = 0; i0 < M; i0 += rows) await kernel.gemm({ rows, cols: K, data: a.subarray(i0 * K, (i0 + rows) * K) }, b);
      ms.get(rows)!.push(performance.now() - t0);
    }
  }
  console.log(`\n${M} x ${K} times ${K} x ${N} in row blocks, median of ${ROUNDS} interleaved rounds (${kernel.name})`);
  console.log(table(['rows per block', 'output per product', 'ms', 'GFLOP/s'], blocks.map((rows) => {
    const t = median(ms.get(rows)!);
    return [String(rows), `${((rows * N * 8) / 1e6).toFixed(0)} MB`, t.toFixed(0), ((2 * M * K * N) / t / 1e6).toFixed(0)];
  })));

  // 2. the ridge map at bench/core's detection shape
  const n = 5000;
  const dx = 1024;
  const dy = 4096;
  const x = { rows: n, cols: dx, data: new Float32Array(n * dx) };
  const y = { rows: n, cols: dy, data: new Float32Array(n * dy) };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dy; j++) {
      const v = rng.normal();
      y.data[i * dy + j] = v;
      if (j < dx) x.data[i * dx + j] = v + 0.5 * rng.normal();
    }
  }
  const settings = [
    { name: 'default: outputs within 16 MiB', options: {} },
    { name: 'switched off: outputs up to 54 MB', options: { outBytes: 8 * dy * 1638 } },
  ];
  const times = settings.map(() => [] as number[]);
  const norms: Float64Array[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, s] of settings.entries()) {
      const t0 = performance.now();
      const r = await ridgeLooResidualNormsGemm(x, y, kernel, s.options);
      times[k].push((performance.now() - t0) / 1000);
      norms[k] = r.norms;
    }
  }
  let maxRel = 0;
  for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(norms[0][i] - norms[1][i]) / Math.abs(norms[1][i]));
  console.log(`\nridge map leave-one-out norms, ${n} rows, ${dx} -> ${dy}, median of ${ROUNDS} interleaved rounds`);
  console.log(table(['chunking', 's', 'per round'], settings.map((s, k) => [s.name, median(times[k]).toFixed(2), times[k].map((t) => t.toFixed(2)).join(', ')])));
  const speedup = median(times[1]) / median(times[0]);
  console.log(`norms, default vs switched off: max relative difference ${maxRel.toExponential(2)}`);
  console.log(`verdict: the default chunking takes ${(1 / speedup).toFixed(2)} x the time of large outputs (${speedup.toFixed(2)}x faster)`);
  await inference.dispose?.();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
