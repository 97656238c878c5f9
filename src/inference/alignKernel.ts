/**
 * The stage-2 alignment kernel as an ONNX graph: for each query row, the maximum over key rows of |cos(q,k)|
 * ("abs-cosine", the paper's overlap detector) or q.k ("dot"), and the index of that key. Runs on the chosen
 * execution provider in blocks of query rows x key rows, so memory stays bounded for 10^5-10^6 rows.
 */
import { CancelledError } from '../core/encoder';
import type { AlignKernelMode, AlignmentKernel, AlignmentResult } from '../core/detect/types';
import type { Matrix } from '../core/linalg/matrix';
import { OnnxLinalgKernel } from './linalgKernel';
import { OnnxGraphBuilder } from './onnx/builder';
import { loadOrt } from './ort';
import type { SessionPool } from './sessions';

export interface AlignBlockSizes {
  /** Query rows per session run. */
  queryRows: number;
  /** Key rows per session run; more keys are combined on the host by a running maximum. */
  keyRows: number;
}

/** A [1024 x 8192] float32 score block is 32 MB; onnxruntime keeps two of them (scores and their absolute value). */
export const DEFAULT_BLOCKS: AlignBlockSizes = { queryRows: 1024, keyRows: 8192 };

/** Row sums of squares below this count as a zero row, whose cosine with anything is 0 (core/detect/types.ts). */
const ZERO_NORM_SQ = 1e-30;

/** The graph: inputs query [nq,d], keys [nk,d]; outputs max [nq] float32, argmax [nq] int64. */
export function buildAlignGraph(mode: AlignKernelMode): Uint8Array {
  const g = new OnnxGraphBuilder({ name: `align-${mode}`, opset: 17, docString: `max over keys of ${mode}` });
  let q = g.input('query', 'float32', ['nq', 'd']);
  let k = g.input('keys', 'float32', ['nk', 'd']);
  if (mode === 'abs-cosine') {
    const eps = g.constF32([ZERO_NORM_SQ]);
    const normalise = (x: string): string => {
      const sumSq = g.op('ReduceSumSquare', [x], { axes: [1], keepdims: 1 });
      const norm = g.op('Sqrt', [g.op('Max', [sumSq, eps])]);
      return g.op('Div', [x, norm]);
    };
    q = normalise(q);
    k = normalise(k);
  }
  const kt = g.op('Transpose', [k], { perm: [1, 0] });
  let scores = g.op('MatMul', [q, kt]);
  if (mode === 'abs-cosine') scores = g.op('Abs', [scores]);
  const argmax = g.op('ArgMax', [scores], { axis: 1, keepdims: 1 });
  // Gathering the winners reads the score block once instead of a second full ReduceMax pass.
  const best = g.op('GatherElements', [scores, argmax], { axis: 1 });
  g.node('Squeeze', [best, g.constI64([1])], ['max']);
  g.node('Squeeze', [argmax, g.constI64([1])], ['argmax']);
  g.output('max', 'float32', ['nq']);
  g.output('argmax', 'int64', ['nq']);
  return g.serialize();
}

/** Float32 view of a matrix's rows [from, to) (a copy only when the data is Float64). */
function rowsF32(m: Matrix, from: number, to: number): Float32Array {
  const part = m.data.subarray(from * m.cols, to * m.cols);
  return part instanceof Float32Array ? part : Float32Array.from(part);
}

/**
 * The onnxruntime implementation of core's AlignmentKernel. Sessions come from the owner's pool, so they are created
 * on first use and run on the pool's execution provider.
 */
export class OnnxAlignmentKernel implements AlignmentKernel {
  readonly name = 'onnxruntime';
  /** Dense Float64 products on the same pool (the residual detector's ridge map). */
  readonly linalg: OnnxLinalgKernel;

  constructor(
    private readonly pool: SessionPool,
    private readonly blocks: AlignBlockSizes = DEFAULT_BLOCKS,
  ) {
    this.linalg = new OnnxLinalgKernel(pool);
  }

  async maxAlignment(query: Matrix, keys: Matrix, mode: AlignKernelMode, signal?: AbortSignal): Promise<Float64Array> {
    return (await this.maxAlignmentWithIndex(query, keys, mode, signal)).max;
  }

  /** Like maxAlignment, plus the nearest key per query row (first index on ties; -1 without keys). */
  async maxAlignmentWithIndex(
    query: Matrix,
    keys: Matrix,
    mode: AlignKernelMode,
    signal?: AbortSignal,
    progress?: (fraction: number) => void,
  ): Promise<AlignmentResult> {
    if (query.rows > 0 && keys.rows > 0 && query.cols !== keys.cols) {
      throw new Error(`alignment: query has ${query.cols} columns but keys have ${keys.cols}`);
    }
    const max = new Float64Array(query.rows);
    const argmax = new Int32Array(query.rows).fill(-1);
    if (query.rows === 0 || keys.rows === 0) return { max, argmax };
    if (query.cols === 0) {
      // Zero-dimensional rows: every score is 0, the first key wins.
      argmax.fill(0);
      return { max, argmax };
    }
    max.fill(-Infinity);
    const { session } = await this.pool.open({ name: `align-${mode}`, bytes: () => buildAlignGraph(mode), products: true });
    const { Tensor } = await loadOrt();
    const d = query.cols;
    const qStep = Math.max(1, this.blocks.queryRows);
    const kStep = Math.max(1, this.blocks.keyRows);
    const total = Math.ceil(query.rows / qStep) * Math.ceil(keys.rows / kStep);
    let done = 0;
    for (let k0 = 0; k0 < keys.rows; k0 += kStep) {
      const k1 = Math.min(keys.rows, k0 + kStep);
      const keyTensor = new Tensor('float32', rowsF32(keys, k0, k1), [k1 - k0, d]);
      for (let q0 = 0; q0 < query.rows; q0 += qStep) {
        if (signal?.aborted) throw new CancelledError();
        const q1 = Math.min(query.rows, q0 + qStep);
        const out = await session.run({ query: new Tensor('float32', rowsF32(query, q0, q1), [q1 - q0, d]), keys: keyTensor });
        const blockMax = out.max!.data as Float32Array;
        const blockArg = out.argmax!.data as BigInt64Array;
        for (let i = 0; i < q1 - q0; i++) {
          // Strictly greater: on ties the earlier key block keeps the win, matching ArgMax's first index.
          if (blockMax[i]! > max[q0 + i]!) {
            max[q0 + i] = blockMax[i]!;
            argmax[q0 + i] = k0 + Number(blockArg[i]!);
          }
        }
        progress?.(++done / total);
      }
    }
    return { max, argmax };
  }
}
