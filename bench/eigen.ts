/**
 * bench/eigen: the symmetric eigendecomposition of the residual detector's ridge map (core/linalg/eigen.ts), at the
 * shape the default analysis gives it: the centred Gram matrix of 5,000 weak rows, EIGEN_DIM x EIGEN_DIM (1,024: bench/
 * core's weak rows; wider: the first EIGEN_DIM columns of its 4,096-wide strong rows, a full-rank stand-in for a wider
 * weak model). Variants, interleaved rounds in the same run, medians shown:
 *   - EISPACK's order of passes (one pass over memory per Householder step and per accumulated transformation: the
 *     code before the fused reduction and grouped accumulation),
 *   - the default full decomposition (the same bits, fewer passes),
 *   - the tridiagonal form only (what the ridge map asks for from 1,536 columns: no QL iterations),
 *   - with EIGEN_JS=1 also the JavaScript loops (no SIMD; the same bits),
 * against numpy.linalg.eigh (LAPACK's syevd on OpenBLAS at its best kernel, bench/lib/openblas.ts). Each row says how
 * exact it is: max |A v - lambda v| / max |lambda| over every eigenpair (for the tridiagonal form max |A V - V T|),
 * and the largest eigenvalue difference from numpy's relative to the largest eigenvalue.
 * Then (EIGEN_RIDGE=0 to skip) the whole ridge map's leave-one-out norms at that width, EIGEN_ROWS x EIGEN_DIM ->
 * EIGEN_ROWS x EIGEN_DY (ridgeGemm.ts on onnxruntime, the eigendecomposition on the compute thread, as the analysis
 * runs it) in the eigenbasis and in the tridiagonal basis, against bench/core_ref.py's ridge_loo_norms (numpy).
 * Env: EIGEN_ROUNDS (default 3), EIGEN_DIM (default 1024), EIGEN_ROWS (default 5000), EIGEN_DY (default 4096).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { readNpyVector } from '../src/core/activations/npy';
import { symmetricEigen, type EigenOptions, type SymmetricEigen } from '../src/core/linalg/eigen';
import { ridgeLooResidualNormsGemm } from '../src/core/linalg/ridgeGemm';
import { setSimdEnabled, simdAvailable } from '../src/core/linalg/simd';
import type { LinalgKernel } from '../src/core/linalg/gemm';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { D_STRONG, D_WEAK, makeCoreData } from './lib/coreData';
import { loadLine, median } from './lib/measure';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';

const ROUNDS = Number(process.env.EIGEN_ROUNDS ?? 3);
const DIM = Number(process.env.EIGEN_DIM ?? 1024);
const ROWS = Number(process.env.EIGEN_ROWS ?? 5000);
const DY = Number(process.env.EIGEN_DY ?? 4096);
const RIDGE = process.env.EIGEN_RIDGE !== '0';

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

  // the centred Gram matrix of ROWS weak rows of bench/core's data (wider: its strong rows' first DIM columns)
  const data = makeCoreData(ROWS, 1);
  const source = DIM <= D_WEAK ? data.weak : data.strong;
  const cols = DIM <= D_WEAK ? D_WEAK : D_STRONG;
  if (DIM > D_STRONG) throw new Error(`EIGEN_DIM at most ${D_STRONG}`);
  const x = new Float64Array(ROWS * DIM);
  const mean = new Float64Array(DIM);
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < DIM; j++) mean[j] += source[i * cols + j] / ROWS;
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < DIM; j++) x[i * DIM + j] = source[i * cols + j] - mean[j];
  const xm = { rows: ROWS, cols: DIM, data: x };
  const a = (await linalg.gemm(xm, xm, { transA: true })).data;
  for (let i = 0; i < DIM; i++) for (let j = 0; j < i; j++) a[i * DIM + j] = a[j * DIM + i] = 0.5 * (a[i * DIM + j] + a[j * DIM + i]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eigen-'));
  const file = path.join(dir, 'a.npy');
  await writeNpyFile(file, a, [DIM, DIM]);

  const quality = async (r: SymmetricEigen): Promise<number> => {
    // A V^T against V^T diag(values) (columns k of A V^T are A v_k), or against V^T T for the tridiagonal form
    const av = (await linalg.gemm({ rows: DIM, cols: DIM, data: a }, { rows: DIM, cols: DIM, data: r.vectors }, { transB: true })).data;
    let worst = 0;
    let top = 0;
    for (let k = 0; k < DIM; k++) top = Math.max(top, Math.abs(r.values[k]));
    const v = r.vectors;
    const tri = r.tridiagonal;
    for (let i = 0; i < DIM; i++) {
      for (let k = 0; k < DIM; k++) {
        let want = tri ? tri.diagonal[k] * v[k * DIM + i] : r.values[k] * v[k * DIM + i];
        if (tri && k > 0) want += tri.sub[k] * v[(k - 1) * DIM + i];
        if (tri && k + 1 < DIM) want += tri.sub[k + 1] * v[(k + 1) * DIM + i];
        worst = Math.max(worst, Math.abs(av[i * DIM + k] - want));
      }
    }
    return worst / top;
  };
  const variants: { name: string; simd: boolean; options: EigenOptions; onKernel?: boolean }[] = [
    { name: 'ours, EISPACK\'s order of passes (before)', simd: true, options: { fuseReduction: false, accumulateGroup: 1 } },
    { name: 'ours, full decomposition (default)', simd: true, options: {} },
    { name: 'ours, tridiagonal form only, in-thread', simd: true, options: { tridiagonal: true } },
    ...(linalg.symmetricEigen
      ? [{ name: 'ours, tridiagonal form on the kernel (ridge map >= 1,536)', simd: true, options: { tridiagonal: true }, onKernel: true }]
      : []),
    ...(process.env.EIGEN_JS === '1' ? [{ name: 'ours, JavaScript loops (no SIMD)', simd: false, options: {} }] : []),
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
        // on the kernel: the reduction on its compute thread, the basis in blocks on its Gemm (householder.ts)
        results[k] = v.onKernel
          ? await linalg.symmetricEigen!({ rows: DIM, cols: DIM, data: a }, undefined, { tridiagonal: true })
          : symmetricEigen(a, DIM, v.options);
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
  const bitwise = (p: SymmetricEigen, q: SymmetricEigen) => p.values.every((e, i) => e === q.values[i]) && p.vectors.every((e, i) => e === q.vectors[i]);
  console.log(`EISPACK's order and the default: bitwise equal ${bitwise(results[0], results[1])}; tridiagonal form's eigenvalues = the full ` +
    `decomposition's, bitwise: ${results[2].values.every((e, i) => e === results[1].values[i])}` +
    (variants.at(-1)!.simd ? '' : `; SIMD and JavaScript bitwise equal: ${bitwise(results[1], results[variants.length - 1])}`));
  const onKernel = variants.findIndex((v) => v.onKernel);
  const tri = onKernel >= 0 ? onKernel : 2;
  console.log(`verdict: full decomposition ${(median(times[1]) / median(times[0])).toFixed(2)} x its time before; ` +
    `tridiagonal form as the ridge map gets it ${(median(times[tri]) / np).toFixed(2)} x numpy's eigh, full ${(median(times[1]) / np).toFixed(2)} x`);
  if (RIDGE) await ridge(linalg, data.strong, py, kernel.coretype);
  await inference.dispose();
}

/**
 * The ridge map's leave-one-out norms at a DIM-wide weak side: X = the strong rows' first DIM columns (Float32, as
 * activations arrive), Y (DY wide) = another seed's strong rows plus a permuted copy of X's source, so the map
 * explains part of Y. Ours in both bases (the eigendecomposition on the compute thread) against numpy's.
 */
async function ridge(linalg: LinalgKernel, strong: Float32Array, py: string, coretype: string): Promise<void> {
  const other = makeCoreData(ROWS, 2).strong;
  const x = new Float32Array(ROWS * DIM);
  const y = new Float32Array(ROWS * DY);
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < DIM; j++) x[i * DIM + j] = strong[i * D_STRONG + j];
    for (let c = 0; c < DY; c++) y[i * DY + c] = other[i * D_STRONG + (c % D_STRONG)] + strong[i * D_STRONG + ((c * 7 + 3) % D_STRONG)];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eigen-ridge-'));
  await writeNpyFile(path.join(dir, 'x.npy'), x, [ROWS, DIM]);
  await writeNpyFile(path.join(dir, 'y.npy'), y, [ROWS, DY]);
  const script = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(path.resolve(__dirname, '..'))})
import numpy as np
from core_ref import ridge_loo_norms
X = np.load(sys.argv[1] + "/x.npy").astype(np.float64)
Y = np.load(sys.argv[1] + "/y.npy").astype(np.float64)
t = time.perf_counter()
norms, lam = ridge_loo_norms(X, Y)
s = time.perf_counter() - t
np.save(sys.argv[1] + "/norms.npy", norms)
print(json.dumps({"seconds": s, "lambda": lam}))
`;
  const xm = { rows: ROWS, cols: DIM, data: x };
  const ym = { rows: ROWS, cols: DY, data: y };
  const bases = ['eigen', 'tridiagonal'] as const;
  const times = bases.map(() => [] as number[]);
  const fits: Awaited<ReturnType<typeof ridgeLooResidualNormsGemm>>[] = [];
  const numpyTimes: number[] = [];
  let numpy: { seconds: number; lambda: number } | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, basis] of bases.entries()) {
      const t0 = performance.now();
      fits[k] = await ridgeLooResidualNormsGemm(xm, ym, linalg, { basis });
      times[k].push((performance.now() - t0) / 1000);
    }
    numpy = JSON.parse(execFileSync(py, ['-c', script, dir], { encoding: 'utf8', env: openblasEnv(coretype), maxBuffer: 1 << 26 }));
    numpyTimes.push(numpy!.seconds);
  }
  const ref = readNpyVector(fs.readFileSync(path.join(dir, 'norms.npy')), 'norms.npy');
  fs.rmSync(dir, { recursive: true, force: true });
  const np = median(numpyTimes);
  const rel = (a: Float64Array) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - ref[i]) / Math.max(Math.abs(ref[i]), 1e-300));
    return worst;
  };
  const rows = bases.map((basis, k) => [`ours, ${basis} basis${fits[k].fit.basis !== basis ? ` (fell back to ${fits[k].fit.basis})` : ''}`,
    median(times[k]).toFixed(2), times[k].map((t) => t.toFixed(2)).join(', '), (median(times[k]) / np).toFixed(2),
    fits[k].fit.lambda.toPrecision(6), rel(fits[k].norms).toExponential(1)]);
  rows.push(['numpy (core_ref.py ridge_loo_norms)', np.toFixed(2), numpyTimes.map((t) => t.toFixed(2)).join(', '), '1.00', numpy!.lambda.toPrecision(6), '']);
  console.log(`\nridge map leave-one-out norms, ${ROWS} x ${DIM} -> ${DY} (primal route; GCV over the 37-point grid), median of ${ROUNDS} interleaved rounds`);
  console.log(table(['implementation', 's', 'per round', 'x numpy', 'lambda', 'max rel. norm diff vs numpy'], rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
