/**
 * bench/eigen: the symmetric eigendecomposition of the residual detector's ridge map (core/linalg/eigen.ts), at the
 * shape bench/core's default analysis gives it: the centred Gram matrix of 5,000 weak rows, 1,024 x 1,024. Ours with
 * the WebAssembly SIMD kernels (the product's path) and with the JavaScript loops (the fallback; the same bits),
 * against numpy.linalg.eigh (LAPACK's syevd on OpenBLAS at its best kernel, bench/lib/openblas.ts), interleaved rounds
 * in the same run, medians shown. Each row also says how exact it is: max |A v - lambda v| / max |lambda| over every
 * eigenpair, and the largest eigenvalue difference from numpy's relative to the largest eigenvalue.
 * Env: EIGEN_ROUNDS (default 3), EIGEN_DIM (default 1024), EIGEN_ROWS (default 5000).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { symmetricEigen, type SymmetricEigen } from '../src/core/linalg/eigen';
import { setSimdEnabled, simdAvailable } from '../src/core/linalg/simd';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { makeCoreData } from './lib/coreData';
import { loadLine, median } from './lib/measure';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';

const ROUNDS = Number(process.env.EIGEN_ROUNDS ?? 3);
const DIM = Number(process.env.EIGEN_DIM ?? 1024);
const ROWS = Number(process.env.EIGEN_ROWS ?? 5000);

const NUMPY = `
import json, sys, time
import numpy as np
a = np.load(sys.argv[1])
t = time.perf_counter()
e, v = np.linalg.eigh(a)
s = time.perf_counter() - t
try:
    from threadpoolctl import threadpool_info
    blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in threadpool_info() if i.get("user_api") == "blas") or "unknown"
except Exception:
    blas = "unknown (no threadpoolctl)"
print(json.dumps({"seconds": s, "values": e.tolist(), "blas": blas}))
`;

async function main(): Promise<void> {
  const py = ensurePythonNumpy();
  ensureThreadpoolctl(py);
  const kernel = bestKernel(py, process.env.CORE_OPENBLAS_CORETYPE);
  const inference = createLocalInference({ device: 'cpu' });
  const linalg = inference.alignmentKernel().linalg;
  if (!linalg) throw new Error('no onnxruntime linalg kernel');
  console.log(machineLine());
  console.log(loadLine());

  // the centred Gram matrix of ROWS weak rows of bench/core's data
  const { weak } = makeCoreData(ROWS, 1);
  const cols = 1024;
  const x = new Float64Array(ROWS * DIM);
  const mean = new Float64Array(DIM);
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < DIM; j++) mean[j] += weak[i * cols + (j % cols)] / ROWS;
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < DIM; j++) x[i * DIM + j] = weak[i * cols + (j % cols)] - mean[j];
  const xm = { rows: ROWS, cols: DIM, data: x };
  const a = (await linalg.gemm(xm, xm, { transA: true })).data;
  for (let i = 0; i < DIM; i++) for (let j = 0; j < i; j++) a[i * DIM + j] = a[j * DIM + i] = 0.5 * (a[i * DIM + j] + a[j * DIM + i]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eigen-'));
  const file = path.join(dir, 'a.npy');
  await writeNpyFile(file, a, [DIM, DIM]);

  const quality = async (r: SymmetricEigen): Promise<number> => {
    // A V^T against V^T diag(values): columns k of A V^T are A v_k
    const av = (await linalg.gemm({ rows: DIM, cols: DIM, data: a }, { rows: DIM, cols: DIM, data: r.vectors }, { transB: true })).data;
    let worst = 0;
    let top = 0;
    for (let k = 0; k < DIM; k++) top = Math.max(top, Math.abs(r.values[k]));
    for (let i = 0; i < DIM; i++) for (let k = 0; k < DIM; k++) worst = Math.max(worst, Math.abs(av[i * DIM + k] - r.values[k] * r.vectors[k * DIM + i]));
    return worst / top;
  };
  const variants = [
    { name: 'ours, WebAssembly SIMD kernels (default)', simd: true },
    { name: 'ours, JavaScript loops (no SIMD)', simd: false },
  ].filter((v) => !v.simd || simdAvailable());
  const times = variants.map(() => [] as number[]);
  const results: SymmetricEigen[] = [];
  const numpyTimes: number[] = [];
  let numpy: { seconds: number; values: number[]; blas: string } | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, v] of variants.entries()) {
      setSimdEnabled(v.simd);
      try {
        const t0 = performance.now();
        results[k] = symmetricEigen(a, DIM);
        times[k].push((performance.now() - t0) / 1000);
      } finally {
        setSimdEnabled(true);
      }
    }
    numpy = JSON.parse(execFileSync(py, ['-c', NUMPY, file], { encoding: 'utf8', env: openblasEnv(kernel.coretype), maxBuffer: 1 << 26 }));
    numpyTimes.push(numpy!.seconds);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const np = median(numpyTimes);
  const top = Math.max(...numpy!.values.map(Math.abs));
  const rows: string[][] = [];
  for (const [k, v] of variants.entries()) {
    let dv = 0;
    for (let i = 0; i < DIM; i++) dv = Math.max(dv, Math.abs(results[k].values[i] - numpy!.values[i]));
    rows.push([v.name, median(times[k]).toFixed(3), times[k].map((t) => t.toFixed(2)).join(', '), (median(times[k]) / np).toFixed(2),
      (await quality(results[k])).toExponential(1), (dv / top).toExponential(1)]);
  }
  rows.push([`numpy.linalg.eigh (${numpy!.blas})`, np.toFixed(3), numpyTimes.map((t) => t.toFixed(2)).join(', '), '1.00', '', '']);
  console.log(`\n${DIM} x ${DIM} centred Gram matrix of ${ROWS} weak rows (bench/core's data), median of ${ROUNDS} interleaved rounds`);
  console.log(`numpy BLAS kernel: OPENBLAS_CORETYPE=${kernel.coretype || '(unset)'}; 2,048^2 matmul per kernel: ${kernel.timings}`);
  console.log(table(['implementation', 's', 'per round', 'x numpy', 'max |Av - lv| / max|l|', 'max |l - l_numpy| / max|l|'], rows));
  const same = variants.length === 2 && results[0].values.every((e, i) => e === results[1].values[i]) && results[0].vectors.every((e, i) => e === results[1].vectors[i]);
  if (variants.length === 2) console.log(`SIMD and JavaScript results bitwise equal: ${same}`);
  console.log(`verdict: ours ${(median(times[0]) / np).toFixed(2)} x numpy's eigh at ${DIM} (no goal of its own: issue 14's eigendecomposition inside bench/core)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
