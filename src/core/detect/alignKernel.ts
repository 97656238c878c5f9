/**
 * The stage-2 alignment kernel in pure TypeScript (METHOD.md section 2): for every query row q,
 * max over key rows k of |cos(q, k)| ("abs-cosine") or of q . k ("dot"), and the first key reaching it.
 * It is a matrix product followed by a row max, computed in blocks: a block of keys (sized to stay in cache) is
 * reused by every query of a query block, and four queries share each key load.
 * Float32 activations run on WebAssembly SIMD (linalg/simd.ts) with Float32 accumulation, the precision of the
 * reference's numpy float32 matmul and of the onnxruntime kernel; Float64 activations, or runtimes without SIMD,
 * run JavaScript loops with Float64 accumulation.
 * Zero-norm rows have cosine 0; no keys gives 0 and index -1 for every query.
 */
import { CancelledError } from '../encoder';
import { rowNorms } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
import { SIMD_MAX_BYTES, simdWorkspace, type SimdWorkspace } from '../linalg/simd';
import type { AlignKernelMode, AlignmentKernel, AlignmentResult } from './types';

type Data = Float32Array | Float64Array;

/** Bytes of key rows per block: a block stays in a typical 256 KB-1 MB L2 while all queries of a block pass over it. */
const KEY_BLOCK_BYTES = 256 * 1024;
/** Query rows per block (between two cancellation checks and progress reports). */
const QUERY_BLOCK_ROWS = 64;
/** Give the event loop a turn after about this many multiply-adds (tens of milliseconds). */
const YIELD_WORK = 5e7;

/** Four dot products q_a . k at once; the key row is loaded once for the four queries. */
function dot4(
  q: Data, o0: number, o1: number, o2: number, o3: number, k: Data, kOff: number, d: number, out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let j = 0; j < d; j++) {
    const kj = k[kOff + j];
    s0 += q[o0 + j] * kj;
    s1 += q[o1 + j] * kj;
    s2 += q[o2 + j] * kj;
    s3 += q[o3 + j] * kj;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Max alignment per query row with its argmax (first index on ties, like numpy's argmax).
 * Exported for tests and for callers that want fixed block sizes.
 */
export async function maxAlignmentBlocked(
  query: Matrix, keys: Matrix, mode: AlignKernelMode, signal?: AbortSignal,
  progress?: (fraction: number) => void, blocks: { queryRows?: number; keyRows?: number } = {},
): Promise<AlignmentResult> {
  if (mode !== 'abs-cosine' && mode !== 'dot') throw new Error(`alignment: unknown mode ${String(mode)}`);
  if (query.rows > 0 && keys.rows > 0 && query.cols !== keys.cols) {
    throw new Error(`alignment: query has ${query.cols} columns but keys have ${keys.cols}`);
  }
  if (signal?.aborted) throw new CancelledError();
  const nq = query.rows;
  const nk = keys.rows;
  const max = new Float64Array(nq);
  const argmax = new Int32Array(nq).fill(-1);
  if (nq === 0 || nk === 0) return { max, argmax };
  const cosine = mode === 'abs-cosine';
  // 1 / ||k|| with 0 for zero rows, so that a zero key scores 0 against everything
  let keyScale: Float64Array | null = null;
  let queryScale: Float64Array | null = null;
  if (cosine) {
    keyScale = rowNorms(keys);
    for (let k = 0; k < nk; k++) keyScale[k] = keyScale[k] > 0 ? 1 / keyScale[k] : 0;
    queryScale = rowNorms(query);
    for (let i = 0; i < nq; i++) queryScale[i] = queryScale[i] > 0 ? 1 / queryScale[i] : 0;
  }
  max.fill(-Infinity);
  const simd = query.data instanceof Float32Array && keys.data instanceof Float32Array
    ? simdPlan(query, keys, blocks)
    : null;
  if (simd) {
    await simdBlocks(simd, query, keys, keyScale, max, argmax, signal, progress);
  } else {
    await jsBlocks(query, keys, keyScale, max, argmax, signal, progress, blocks);
  }
  if (cosine) for (let i = 0; i < nq; i++) max[i] = Math.min(1, max[i] * queryScale![i]);
  return { max, argmax };
}

/** JavaScript loops, Float64 accumulation. */
async function jsBlocks(
  query: Matrix, keys: Matrix, keyScale: Float64Array | null, max: Float64Array, argmax: Int32Array,
  signal: AbortSignal | undefined, progress: ((fraction: number) => void) | undefined,
  blocks: { queryRows?: number; keyRows?: number },
): Promise<void> {
  const nq = query.rows;
  const nk = keys.rows;
  const d = query.cols;
  const cosine = keyScale !== null;
  const qb = Math.max(4, blocks.queryRows ?? QUERY_BLOCK_ROWS);
  const kb = Math.max(1, blocks.keyRows ?? Math.floor(KEY_BLOCK_BYTES / (Math.max(1, d) * keys.data.BYTES_PER_ELEMENT)));
  const qData = query.data;
  const kData = keys.data;
  const acc = new Float64Array(4);
  let work = 0;
  for (let q0 = 0; q0 < nq; q0 += qb) {
    const q1 = Math.min(nq, q0 + qb);
    for (let k0 = 0; k0 < nk; k0 += kb) {
      const k1 = Math.min(nk, k0 + kb);
      for (let i = q0; i < q1; i += 4) {
        const lanes = Math.min(4, q1 - i);
        // Short tails repeat the last row in the unused lanes; their results are ignored.
        const o0 = i * d;
        const o1 = (lanes > 1 ? i + 1 : i) * d;
        const o2 = (lanes > 2 ? i + 2 : i) * d;
        const o3 = (lanes > 3 ? i + 3 : i) * d;
        for (let k = k0; k < k1; k++) {
          dot4(qData, o0, o1, o2, o3, kData, k * d, d, acc);
          for (let a = 0; a < lanes; a++) {
            const s = cosine ? Math.abs(acc[a]) * keyScale![k] : acc[a];
            // strictly greater: the first key reaching the maximum keeps it
            if (s > max[i + a]) {
              max[i + a] = s;
              argmax[i + a] = k;
            }
          }
        }
      }
    }
    work += (q1 - q0) * nk * d;
    progress?.(q1 / nq);
    if (work >= YIELD_WORK && q1 < nq) {
      work = 0;
      await yieldToEventLoop();
    }
    if (signal?.aborted) throw new CancelledError();
  }
}

interface SimdPlan {
  ws: SimdWorkspace;
  qb: number;
  kb: number;
  rowBytes: number;
  outByte: number;
  queryByte: number;
  keyByte: number;
}

/** Memory layout for the SIMD path, or null when it is unavailable or the keys do not fit. */
function simdPlan(query: Matrix, keys: Matrix, blocks: { queryRows?: number; keyRows?: number }): SimdPlan | null {
  const rowBytes = Math.ceil(query.cols / 4) * 16;
  if (rowBytes === 0) return null;
  const qb = Math.max(4, Math.ceil((blocks.queryRows ?? QUERY_BLOCK_ROWS) / 4) * 4);
  const kb = Math.max(2, 2 * Math.floor((blocks.keyRows ?? Math.floor(KEY_BLOCK_BYTES / rowBytes)) / 2));
  const outBytes = 4 * 4 * (kb + 2);
  const queryBytes = qb * rowBytes;
  const keyRows = keys.rows + (keys.rows & 1);
  const total = outBytes + queryBytes + keyRows * rowBytes;
  if (total > SIMD_MAX_BYTES) return null;
  const ws = simdWorkspace(total);
  if (!ws) return null;
  const keyByte = outBytes + queryBytes;
  const dp = rowBytes / 4;
  const d = keys.cols;
  for (let k = 0; k < keys.rows; k++) ws.f32.set(keys.data.subarray(k * d, (k + 1) * d), keyByte / 4 + k * dp);
  return { ws, qb, kb, rowBytes, outByte: 0, queryByte: outBytes, keyByte };
}

/** WebAssembly SIMD: 4 queries x 2 keys per step, Float32 accumulation; max/argmax updated here in key order. */
async function simdBlocks(
  plan: SimdPlan, query: Matrix, keys: Matrix, keyScale: Float64Array | null, max: Float64Array, argmax: Int32Array,
  signal: AbortSignal | undefined, progress: ((fraction: number) => void) | undefined,
): Promise<void> {
  const { ws, qb, kb, rowBytes, outByte, queryByte, keyByte } = plan;
  const nq = query.rows;
  const nk = keys.rows;
  const d = query.cols;
  const dp = rowBytes / 4;
  const f32 = ws.f32;
  const out = f32.subarray(outByte / 4, outByte / 4 + 4 * (kb + 2));
  const cosine = keyScale !== null;
  let work = 0;
  for (let q0 = 0; q0 < nq; q0 += qb) {
    const q1 = Math.min(nq, q0 + qb);
    const groups = Math.ceil((q1 - q0) / 4);
    // copy the block's rows (zero rows pad the last group; the row padding past d stays zero)
    f32.fill(0, queryByte / 4, queryByte / 4 + groups * 4 * dp);
    for (let i = q0; i < q1; i++) f32.set(query.data.subarray(i * d, (i + 1) * d), queryByte / 4 + (i - q0) * dp);
    for (let k0 = 0; k0 < nk; k0 += kb) {
      const k1 = Math.min(nk, k0 + kb);
      const pairs = (k1 - k0 + 1) >> 1;
      for (let g = 0; g < groups; g++) {
        ws.block4x2(queryByte + 4 * g * rowBytes, keyByte + k0 * rowBytes, pairs, rowBytes, outByte);
        const base = q0 + 4 * g;
        const lanes = Math.min(4, q1 - base);
        for (let a = 0; a < lanes; a++) {
          const i = base + a;
          let best = max[i];
          let arg = argmax[i];
          for (let k = k0; k < k1; k++) {
            const r = k - k0;
            const v = out[8 * (r >> 1) + 2 * a + (r & 1)];
            const s = cosine ? Math.abs(v) * keyScale![k] : v;
            // strictly greater: the first key reaching the maximum keeps it
            if (s > best) {
              best = s;
              arg = k;
            }
          }
          max[i] = best;
          argmax[i] = arg;
        }
      }
    }
    work += (q1 - q0) * nk * d;
    progress?.(q1 / nq);
    if (work >= 4 * YIELD_WORK && q1 < nq) {
      work = 0;
      await yieldToEventLoop();
    }
    if (signal?.aborted) throw new CancelledError();
  }
}

/** The pure-TypeScript AlignmentKernel (the default when no onnxruntime kernel is supplied). */
export const tsAlignmentKernel: AlignmentKernel & Required<Pick<AlignmentKernel, 'maxAlignmentWithIndex'>> = {
  name: 'typescript',
  async maxAlignment(query, keys, mode, signal) {
    return (await maxAlignmentBlocked(query, keys, mode, signal)).max;
  },
  maxAlignmentWithIndex(query, keys, mode, signal, progress) {
    return maxAlignmentBlocked(query, keys, mode, signal, progress);
  },
};
