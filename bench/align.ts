/**
 * bench/align: the stage-2 alignment kernel (max over keys of |cos| or dot, with argmax) in GFLOP/s:
 * the ONNX graph in onnxruntime-node (1 and 2 intra-op threads) vs the pure-TypeScript kernel (WebAssembly SIMD,
 * one thread) vs numpy's float32 matrix product + abs + row max (bench/lib/align_ref.py; OpenBLAS with its default
 * threads and with 1 thread), same data, same run, rounds interleaved. FLOPs counted = 2 * nq * nk * d (the product).
 * Rates come from each contender's fastest pass: on a shared machine interference only ever adds time.
 * Env: ALIGN_ROUNDS (default 5), ALIGN_SIZES (e.g. "2500x2500x512,5000x2500x4096").
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { tsAlignmentKernel } from '../src/core/detect/alignKernel';
import type { AlignKernelMode, AlignmentResult } from '../src/core/detect/types';
import type { Matrix } from '../src/core/linalg/matrix';
import { Rng } from '../src/core/random/rng';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { fmt, loadLine, timed } from './lib/measure';

const ROUNDS = Number(process.env.ALIGN_ROUNDS ?? 5);
const SIZES = (process.env.ALIGN_SIZES ?? '2500x2500x512,5000x2500x4096').split(',').map((s) => s.split('x').map(Number) as [number, number, number]);
const MODES: AlignKernelMode[] = ['abs-cosine', 'dot'];
const best = (xs: readonly number[]) => Math.min(...xs);

function randomMatrix(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

interface PyOut {
  numpy: string;
  blas: string;
  threads: string;
  [mode: string]: { seconds: number[]; max: number[]; argmax: number[] } | string;
}

function numpyRun(py: string, dir: string, threads: 'default' | '1'): PyOut {
  const env = { ...process.env };
  if (threads === '1') env.OPENBLAS_NUM_THREADS = '1';
  else delete env.OPENBLAS_NUM_THREADS;
  const script = path.join(process.cwd(), 'bench', 'lib', 'align_ref.py');
  return JSON.parse(execFileSync(py, [script, dir, MODES.join(','), '1'], { encoding: 'utf8', env, maxBuffer: 1 << 26 }));
}

/** Largest |a - b| over the maxima and the share of rows with the same argmax. */
function agreement(ours: AlignmentResult, refMax: number[], refArg: number[]): { maxDiff: number; argSame: number } {
  let maxDiff = 0;
  let same = 0;
  for (let i = 0; i < refMax.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours.max[i]! - refMax[i]!));
    if (ours.argmax[i] === refArg[i]) same++;
  }
  return { maxDiff, argSame: same / refMax.length };
}

async function main() {
  const py = ensurePythonNumpy();
  const onnx1 = createLocalInference({ device: 'cpu', threads: 1 });
  const onnx2 = createLocalInference({ device: 'cpu', threads: 2 });
  const k1 = onnx1.alignmentKernel();
  const k2 = onnx2.alignmentKernel();
  const rows: string[][] = [];
  const notes: string[] = [];
  let pyInfo = '';
  const ratios: { size: string; mode: string; onnxVsNumpy: number; tsVsNumpy: number; onnxVsNumpyDefault: number }[] = [];
  for (const [nq, nk, d] of SIZES) {
    const size = `${nq} x ${nk} x ${d}`;
    const dir = path.join(process.cwd(), 'bench', 'out', 'align-data', `${nq}x${nk}x${d}`);
    fs.mkdirSync(dir, { recursive: true });
    const query = randomMatrix(nq, d, 1);
    const keys = randomMatrix(nk, d, 2);
    await writeNpyFile(path.join(dir, 'query.npy'), query.data, [nq, d]);
    await writeNpyFile(path.join(dir, 'keys.npy'), keys.data, [nk, d]);
    const small = { rows: 8, cols: d, data: query.data.subarray(0, 8 * d) };
    for (const mode of MODES) {
      // warm-up: session creation and the WebAssembly compile are not part of the kernel's rate
      await k1.maxAlignmentWithIndex(small, keys, mode);
      await k2.maxAlignmentWithIndex(small, keys, mode);
      await tsAlignmentKernel.maxAlignmentWithIndex(small, keys, mode);
    }
    const secs: Record<string, Record<string, number[]>> = {};
    const last: Record<string, Record<string, AlignmentResult>> = {};
    let ref: PyOut | undefined;
    const push = (who: string, mode: string, s: number) => ((secs[who] ??= {})[mode] ??= []).push(s);
    // One round runs every contender once; the order rotates from round to round so that no contender always
    // follows the same neighbour on this shared, noisy machine.
    const tasks: (() => Promise<void>)[] = [];
    for (const mode of MODES) {
      for (const [who, kernel] of [['onnx1', k1], ['onnx2', k2], ['ts', tsAlignmentKernel]] as const) {
        tasks.push(async () => {
          const t = await timed(() => kernel.maxAlignmentWithIndex(query, keys, mode));
          push(who, mode, t.seconds);
          (last[who] ??= {})[mode] = t.value;
        });
      }
    }
    for (const threads of ['default', '1'] as const) {
      tasks.push(async () => {
        const out = numpyRun(py, dir, threads);
        for (const mode of MODES) push(`numpy-${threads}`, mode, (out[mode] as { seconds: number[] }).seconds[0]!);
        if (threads === 'default') ref = out;
      });
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (let t = 0; t < tasks.length; t++) await tasks[(t + 3 * r) % tasks.length]!();
    }
    pyInfo = `numpy ${ref!.numpy} (${ref!.blas})`;
    const gflop = (2 * nq * nk * d) / 1e9;
    for (const mode of MODES) {
      const refMode = ref![mode] as { max: number[]; argmax: number[] };
      // The reference is numpy's faster configuration on this run (on a loaded 2-core machine often 1 BLAS thread).
      const numpyMed = Math.min(best(secs['numpy-default']![mode]!), best(secs['numpy-1']![mode]!));
      const numpyDefault = best(secs['numpy-default']![mode]!);
      const label: Record<string, string> = {
        onnx1: 'ONNX graph, onnxruntime CPU, 1 thread',
        onnx2: 'ONNX graph, onnxruntime CPU, 2 threads',
        ts: 'pure TS (WebAssembly SIMD), 1 thread',
        'numpy-default': 'numpy matmul + max, OpenBLAS default threads',
        'numpy-1': 'numpy matmul + max, OpenBLAS 1 thread',
      };
      for (const who of ['onnx1', 'onnx2', 'ts', 'numpy-default', 'numpy-1']) {
        const s = secs[who]![mode]!;
        const m = best(s);
        const agree = last[who]?.[mode] ? agreement(last[who]![mode]!, refMode.max, refMode.argmax) : undefined;
        rows.push([
          size, mode, label[who]!, s.map((x) => fmt(x, 2)).join(' / '), fmt(gflop / m, 1), fmt(numpyMed / m, 2),
          agree ? `${agree.maxDiff.toExponential(1)} / ${(100 * agree.argSame).toFixed(1)}%` : who === 'numpy-default' ? '(reference values)' : '',
        ]);
      }
      ratios.push({
        size, mode,
        onnxVsNumpy: numpyMed / Math.min(best(secs.onnx1![mode]!), best(secs.onnx2![mode]!)),
        tsVsNumpy: numpyMed / best(secs.ts![mode]!),
        onnxVsNumpyDefault: numpyDefault / Math.min(best(secs.onnx1![mode]!), best(secs.onnx2![mode]!)),
      });
    }
    notes.push(`${size}: ${fmt(gflop, 1)} GFLOP per pass`);
  }
  await onnx1.dispose();
  await onnx2.dispose();
  console.log(machineLine());
  console.log(loadLine());
  console.log(`reference: ${pyInfo}; query rows x key rows x dim; ${notes.join('; ')}; seconds per pass over ${ROUNDS} interleaved rounds, rate from the fastest pass; x numpy = numpy's faster thread setting's fastest pass / this one's`);
  console.log(table(['size (nq x nk x d)', 'mode', 'implementation', 'pass s (rounds)', 'GFLOP/s', 'x numpy', 'max |diff| / same argmax vs numpy'], rows));
  const range = (xs: number[]) => `${fmt(Math.min(...xs), 2)}-${fmt(Math.max(...xs), 2)}x`;
  console.log(
    `verdict: the ONNX kernel (its faster thread count) runs at ${range(ratios.map((r) => r.onnxVsNumpy))} the speed of numpy's faster BLAS setting ` +
      `(${range(ratios.map((r) => r.onnxVsNumpyDefault))} of numpy with default threads), the pure-TS kernel at ${range(ratios.map((r) => r.tsVsNumpy))}; ` +
      'the issue sets no target, only the comparison',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
