/**
 * bench/products: the analysis' dense products under onnxruntime's thread settings. One product of the mixing
 * experiment's shape (X: 5,000 x 4,096 Float64, times 36 columns, then X^T times 36 columns), repeated with
 * PRODUCTS_GAP_MS (default 20) of JavaScript work between products, as the batched fits do between rounds. Rows:
 * the old default (1 thread, idle threads spinning), 2+ threads spinning, every core without spinning (the product
 * sessions' default now, `src/inference/sessions.ts`), and that default through the product kernel itself; numpy's
 * matmul of the same shapes for reference (OpenBLAS's own kernel choice, named by threadpoolctl when installed).
 * Env: PRODUCTS_REPS (products per row, default 20), PRODUCTS_GAP_MS.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { buildGemmGraph } from '../src/inference/linalgKernel';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { loadLine, median } from './lib/measure';

const M = 5000;
const K = 4096;
const N = 36;
const REPS = Number(process.env.PRODUCTS_REPS ?? 20);
const GAP = Number(process.env.PRODUCTS_GAP_MS ?? 20);

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the JavaScript work between two products (building the next operands)
  }
}

function random(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

/** Median ms per product: X B and X^T R alternately, GAP ms of JavaScript after each. */
async function timeProducts(run: (transA: boolean, b: Float64Array) => Promise<void>): Promise<number> {
  const b = random(K * N);
  const r = random(M * N);
  await run(false, b);
  await run(true, r);
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const transA = i % 2 === 1;
    const t0 = performance.now();
    await run(transA, transA ? r : b);
    ms.push(performance.now() - t0);
    busy(GAP);
  }
  return median(ms);
}

async function rawSession(threads: number, spin: boolean, x: Float64Array) {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3,
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
  const plain = await ort.InferenceSession.create(buildGemmGraph(false, false, false), options);
  const trans = await ort.InferenceSession.create(buildGemmGraph(true, false, false), options);
  const xt = new ort.Tensor('float64', x, [M, K]);
  const ms = await timeProducts(async (transA, b) => {
    const s = transA ? trans : plain;
    await s.run({ a: xt, b: new ort.Tensor('float64', b, transA ? [M, N] : [K, N]) });
  });
  await plain.release();
  await trans.release();
  return ms;
}

async function main() {
  const cores = availableParallelism();
  const x = random(M * K);
  const rows: string[][] = [];
  const flops = 2 * M * K * N;
  const add = (name: string, ms: number) => rows.push([name, ms.toFixed(1), (flops / ms / 1e6).toFixed(1)]);
  add('onnxruntime, 1 thread, spinning (the old default on <= 2 cores)', await rawSession(1, true, x));
  add(`onnxruntime, ${cores} threads, spinning`, await rawSession(cores, true, x));
  add(`onnxruntime, ${cores} threads, not spinning`, await rawSession(cores, false, x));
  const inference = createLocalInference({ device: 'cpu' });
  const kernel = inference.alignmentKernel().linalg!;
  const resident = await kernel.upload!({ rows: M, cols: K, data: x });
  add('the product kernel, default options (every core, not spinning)', await timeProducts(async (transA, b) => {
    await kernel.gemm(resident, { rows: transA ? M : K, cols: N, data: b }, { transA });
  }));
  await kernel.release!(resident);
  await inference.dispose();
  let numpy = 'numpy: not measured (no python3-numpy)';
  try {
    const py = ensurePythonNumpy();
    const script = [
      'import numpy as np, time, json',
      `x = np.random.default_rng(0).standard_normal((${M}, ${K})); b = np.random.default_rng(1).standard_normal((${K}, ${N})); r = np.random.default_rng(2).standard_normal((${M}, ${N}))`,
      'x @ b; x.T @ r',
      'ts = []',
      `for i in range(${REPS}):`,
      '    t = time.perf_counter(); (x.T @ r) if i % 2 else (x @ b); ts.append((time.perf_counter() - t) * 1000)',
      'ts.sort(); med = ts[len(ts) // 2]',
      'try:',
      '    from threadpoolctl import threadpool_info; blas = ", ".join(f"{i[\'internal_api\']} {i[\'version\']} {i.get(\'architecture\')} {i[\'num_threads\']} threads" for i in threadpool_info())',
      'except Exception: blas = "BLAS not named (no threadpoolctl)"',
      'print(json.dumps({"ms": med, "blas": blas}))',
    ].join('\n');
    // numpy at its best: OpenBLAS's own kernel choice and each AVX-512/AVX2 kernel, the fastest kept (bench/core does the same)
    let best: { ms: number; blas: string; coretype: string } | undefined;
    for (const coretype of ['', 'SkylakeX', 'Cooperlake', 'Haswell', 'Zen']) {
      const env = { ...process.env };
      if (coretype) env.OPENBLAS_CORETYPE = coretype;
      else delete env.OPENBLAS_CORETYPE;
      try {
        const out = JSON.parse(execFileSync(py, ['-c', script], { encoding: 'utf8', env }));
        if (!best || out.ms < best.ms) best = { ...out, coretype };
      } catch {
        // a kernel this CPU or OpenBLAS build lacks
      }
    }
    if (!best) throw new Error('numpy did not run');
    add(`numpy matmul, fastest kernel (OPENBLAS_CORETYPE=${best.coretype || '(unset)'}: ${best.blas})`, best.ms);
    numpy = '';
  } catch (e) {
    numpy = `numpy: not measured (${(e as Error).message.split('\n')[0]})`;
  }
  console.log(machineLine());
  console.log(`X ${M} x ${K} (Float64) times ${N} columns, X^T times ${N} columns, alternately; ${REPS} products per row, median; ${GAP} ms of JavaScript after each; ${loadLine()}`);
  console.log(table(['products', 'ms per product', 'GFLOP/s'], rows));
  if (numpy) console.log(numpy);
  const oldMs = Number(rows[0][1]);
  const newMs = Number(rows[3][1]);
  console.log(`verdict: the product kernel's default takes ${(newMs / oldMs).toFixed(2)} x the old default's time per product`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
