/**
 * core's LinalgKernel (core/linalg/gemm.ts) on onnxruntime: one Float64 Gemm node per (transA, transB, addend)
 * combination, run on the pool's execution provider. On the CPU this is MLAS's DGEMM (about 50 GFLOP/s on one
 * thread of the development machine, against about 1-3 for the WebAssembly rows; bench/ridge.ts). Execution
 * providers without Float64 kernels (WebGPU, for one) leave the node to onnxruntime's CPU provider, which every
 * session has as its last resort.
 */
import {
  gemmByRowBlocks, gemmShape, isResident, scaleAdd, transposeInto, MAX_RESERVED_BYTES, WIDEN_BLOCK_VALUES, Reservations, ResidentStore, float32Rows, widenRows, type F64Matrix, type GemmOperand, type GemmOptions, type LinalgKernel, type ResidentMatrix,
} from '../core/linalg/gemm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../core/encoder';
import type { SymmetricEigen } from '../core/linalg/eigen';
import { accumulateReflectors } from '../core/linalg/householder';
import type { Matrix } from '../core/linalg/matrix';
import { COMPUTE_WORKER_ROLE, touchedBuffer, type ComputeRequest, type ComputeResponse } from './computeWorker';
import { eigenFromWire } from './eigenWire';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
import { attrFloat, OnnxGraphBuilder } from './onnx/builder';
import { loadOrt } from './ort';
import type { SessionPool } from './sessions';

/**
 * Y = alpha op(A) op(B) + beta C as one Gemm node, so MLAS starts from beta C and adds the product in place (no
 * extra pass over the output). Gemm's alpha and beta are float32 attributes: a graph per (alpha, beta) pair, built
 * only for values float32 holds exactly (1, -1, ...); others are applied on the host.
 */
export function buildGemmGraph(
  transA: boolean, transB: boolean, withC: boolean, alpha = 1, beta = 1, type: 'float64' | 'float32' = 'float64',
): Uint8Array {
  const g = new OnnxGraphBuilder({
    name: `gemm-${+transA}${+transB}${+withC}${type === 'float32' ? '-f32' : ''}`, opset: 17,
    docString: `${alpha} op(A) op(B)${withC ? ` + ${beta} C` : ''} in ${type}`,
  });
  const a = g.input('a', type, ['m_a', 'k_a']);
  const b = g.input('b', type, ['m_b', 'k_b']);
  const inputs = [a, b];
  if (withC) inputs.push(g.input('c', type, ['m', 'n']));
  g.node('Gemm', inputs, ['y'], { transA: transA ? 1 : 0, transB: transB ? 1 : 0, alpha: attrFloat(alpha), beta: attrFloat(beta) });
  g.output('y', type, ['m', 'n']);
  return g.serialize();
}

const exactF32 = (v: number) => Number.isFinite(v) && Math.fround(v) === v;


export class OnnxLinalgKernel implements LinalgKernel {
  /** Resident matrices: in process the kernel just keeps the caller's Float64Array (a Tensor wraps it, no copy). */
  readonly residents = new ResidentStore();
  /** core's eigendecomposition on the compute worker thread; absent when its bundle is not beside this one. */
  readonly symmetricEigen?: (a: F64Matrix, signal?: AbortSignal, options?: { tridiagonal?: boolean }) => Promise<SymmetricEigen>;
  /** LinalgKernel.touchedBuffer: memory touched on the compute thread; absent without it (no other thread to do it). */
  readonly touchedBuffer?: (bytes: number) => Promise<ArrayBuffer>;
  private readonly compute?: ComputeThread;
  /** The memory `reserve` readied for the next upload of its shape. */
  private readonly reservations = new Reservations();
  /** gemmByRowBlocks's Float64 buffers, kept for the next call (one per call in flight). */
  private readonly scratches: Float64Array[] = [];
  /** Float32 outputs of float32 products (`outputScratch`), kept for the next call (one per call in flight). */
  private readonly scratches32: Float32Array[] = [];
  /** Transposed copies of large Float32 residents (`transposedOf`), keyed by the held matrix: gone with it. */
  private readonly transposed = new WeakMap<Matrix, TransposedCopy>();
  /** Float32 products X^T B served from a transposed copy so far (tests, bench/transposed). */
  transposedProducts = 0;
  /** false: no transposed copies, every X^T B as onnxruntime's transposed Gemm (bench/transposed's old route). */
  transposedCopies = true;

  constructor(private readonly pool: SessionPool, computeWorkerPath: string | null = defaultComputeWorkerPath()) {
    if (computeWorkerPath && existsSync(computeWorkerPath)) {
      const thread = new ComputeThread(computeWorkerPath);
      this.compute = thread;
      // the tridiagonal form's basis is accumulated on this kernel's Gemm (householder.ts)
      this.symmetricEigen = (a, signal, options) => thread.symmetricEigen(a, signal, options, this);
      this.touchedBuffer = (bytes) => thread.touchedBuffer(bytes);
    }
  }

  /** Stops the compute thread (pending requests fail with CancelledError). */
  async dispose(): Promise<void> {
    await this.compute?.dispose();
  }

  /**
   * LinalgKernel.reserve: the Float64 memory of a coming upload, its pages touched on the compute thread; nothing for
   * one held as Float32 (this kernel keeps Float32 data as it is).
   */
  reserve(rows: number, cols: number, float32 = false): void {
    const values = rows * cols;
    if (float32 || !this.compute || !(values > 0) || values * 8 > MAX_RESERVED_BYTES) return;
    // a thread that fails leaves the memory to the upload, no worse than without the reservation
    this.reservations.add(rows, cols, this.compute.touchedBuffer(values * 8).catch(() => undefined));
  }

  /**
   * A fresh ArrayBuffer with every page touched: on the compute thread when there is one (the inference worker asks
   * here for the editor's reservations, so that its own thread keeps serving products meanwhile), else here.
   */
  async freshBuffer(bytes: number): Promise<ArrayBuffer> {
    return this.compute ? this.compute.touchedBuffer(bytes).catch(() => touchedBuffer(bytes)) : touchedBuffer(bytes);
  }


  async upload(m: Matrix, signal?: AbortSignal, rows?: ArrayLike<number>, float32?: boolean): Promise<ResidentMatrix> {
    if (signal?.aborted) throw new CancelledError();
    // Float32: the caller's Float32 data itself (a Tensor wraps it), or the selected rows / rounded values
    if (float32) return this.residents.add(float32Rows(m, rows));
    if (m.data instanceof Float64Array && !rows) return this.residents.add(m as F64Matrix);
    const n = rows ? rows.length : m.rows;
    const ready = await this.reservations.take(n, m.cols);
    if (signal?.aborted) throw new CancelledError();
    const data = widenRows(m, rows, ready ? new Float64Array(ready) : undefined);
    return this.residents.add({ rows: n, cols: m.cols, data });
  }

  async release(m: ResidentMatrix): Promise<void> {
    this.residents.delete(m);
  }

  get name(): string {
    return `onnxruntime (${this.pool.lastOpened?.provider ?? this.pool.device})`;
  }

  async gemm(ra: GemmOperand, rb: GemmOperand, options: GemmOptions = {}): Promise<F64Matrix> {
    const a = this.residents.resolve(ra);
    const b = this.residents.resolve(rb);
    const { m, k, n } = gemmShape(a, b, options);
    if (options.signal?.aborted) throw new CancelledError();
    if (m === 0 || n === 0) return { rows: m, cols: n, data: new Float64Array(m * n) };
    if (k === 0) {
      // onnxruntime's Gemm refuses an empty inner dimension; the product is zero.
      const data = new Float64Array(m * n);
      if (options.c) for (let t = 0; t < m * n; t++) data[t] = (options.beta ?? 1) * options.c.data[t];
      return { rows: m, cols: n, data };
    }
    if (!options.float32) {
      // a large Float32 operand (a resident held as Float32) widened a block of rows at a time, not copied whole; each
      // call its own scratch (products of concurrent calls wait for the event loop: a shared one could change under
      // a pending one)
      let scratch: Float64Array | undefined;
      try {
        const y = await gemmByRowBlocks(
          a, b, options, () => (scratch = this.scratches.pop() ?? new Float64Array(WIDEN_BLOCK_VALUES)),
          (x, z, transA, transB) => this.product(x, z, { transA, transB, signal: options.signal }),
        );
        if (y) return y;
      } finally {
        if (scratch) this.scratches.push(scratch);
      }
    }
    if (options.float32 && options.transA && isResident(ra) && ra.float32) {
      // X^T B = (X^T) B: the copy as a plain left operand
      const t = this.transposedOf(a);
      if (t) {
        this.transposedProducts++;
        return this.product(t, b, { ...options, transA: false });
      }
    } else if (options.float32 && options.transA && !options.transB && isResident(rb) && rb.float32 && !options.c && (options.alpha ?? 1) === 1) {
      // R^T X (the softmax fits' gradient rows) = ((X^T) R)^T: the product on the copy, its d x K result turned here
      const t = this.transposedOf(b);
      if (t) {
        this.transposedProducts++;
        const y = await this.product(t, a, { float32: true, signal: options.signal });
        const out = options.into && options.into.length >= y.rows * y.cols ? options.into.subarray(0, y.rows * y.cols) : new Float64Array(y.rows * y.cols);
        transposeInto(y.data, y.rows, y.cols, out);
        return { rows: y.cols, cols: y.rows, data: out };
      }
    }
    return this.product(a, b, options);
  }

  /**
   * X^T as a Float32 matrix of its own for a large Float32 resident X that float32 products take transposed (the
   * probes' gradients X^T R, or R^T X with more than two classes: every round of a batch), or undefined while there is
   * none yet. MLAS transposes A's blocks in every such call: at bench/core's 5,000 x 4,096 W2S-train rows that is
   * ~4 ms of a 12 ms product with 38 columns and ~5 of 7 ms with a few, while X^T times R as a plain product costs
   * what the forward X V does (docs/benchmarks.md, "The gradients' product on a transposed copy"). The first such call asks for the copy's
   * memory, its pages touched on the compute thread (fresh pages cost this machine ~11 us each, ~0.23 s for 80 MB);
   * the calls until it arrives take X transposed as before, the first one after copies X into it (~50 ms for 80 MB),
   * and the rest use it. The copy goes with X (release, or the store's clear). Held only for X of at least
   * TRANSPOSE_MIN_VALUES and at most MAX_RESERVED_BYTES: it doubles X's memory.
   */
  private transposedOf(x: Matrix): Matrix | undefined {
    const bytes = x.rows * x.cols * 4;
    if (!this.transposedCopies || !(x.data instanceof Float32Array) || x.data.length < TRANSPOSE_MIN_VALUES || bytes > MAX_RESERVED_BYTES) return undefined;
    const copy = this.transposed.get(x);
    if (!copy) {
      const entry: TransposedCopy = {};
      this.transposed.set(x, entry);
      const buffer = this.compute ? this.compute.touchedBuffer(bytes) : Promise.resolve(new ArrayBuffer(bytes));
      // a thread that fails leaves X to be taken transposed, as without the copy
      buffer.then((b) => (entry.buffer = b), () => undefined);
      return undefined;
    }
    if (copy.matrix) return copy.matrix;
    if (!copy.buffer) return undefined;
    const data = new Float32Array(copy.buffer);
    copy.buffer = undefined;
    transposeInto(x.data, x.rows, x.cols, data);
    copy.matrix = { rows: x.cols, cols: x.rows, data };
    return copy.matrix;
  }

  /** gemm's product on onnxruntime, for operands with no empty dimension. */
  private async product(a: Matrix, b: Matrix, options: GemmOptions): Promise<F64Matrix> {
    const { m, n } = gemmShape(a, b, options);
    const transA = options.transA === true;
    const transB = options.transB === true;
    const alpha = options.alpha ?? 1;
    const beta = options.beta ?? 1;
    // In the graph when float32 holds alpha and beta exactly; otherwise the plain product, scaled and added here.
    const inGraph = exactF32(alpha) && exactF32(beta);
    const withC = inGraph && options.c !== undefined;
    // float32 products (GemmOptions.float32): float32 operands (a Float32 resident matrix as is, anything else rounded
    // here), the result widened; otherwise Float64 operands (Float32 ones widened for this product)
    const type = options.float32 ? 'float32' : 'float64';
    const suffix = type === 'float32' ? '-f32' : '';
    const name = (inGraph ? `gemm-${+transA}${+transB}${+withC}-${alpha}-${withC ? beta : 0}` : `gemm-${+transA}${+transB}0-1-0`) + suffix;
    const { session } = await this.pool.open({
      name, bytes: () => (inGraph ? buildGemmGraph(transA, transB, withC, alpha, beta, type) : buildGemmGraph(transA, transB, false, 1, 1, type)),
      products: true,
    });
    const { Tensor } = await loadOrt();
    const values = (v: Float32Array | Float64Array) =>
      (type === 'float32' ? (v instanceof Float32Array ? v : Float32Array.from(v)) : v instanceof Float64Array ? v : Float64Array.from(v));
    const feeds: Record<string, InstanceType<typeof Tensor>> = {
      a: new Tensor(type, values(a.data), [a.rows, a.cols]),
      b: new Tensor(type, values(b.data), [b.rows, b.cols]),
    };
    if (withC) feeds.c = new Tensor(type, values(options.c!.data), [m, n]);
    // The output where onnxruntime writes it (a pre-allocated output): Float64 into the caller's `into`; float32 into
    // a scratch of this kernel's, widened into `into`. Otherwise onnxruntime's own fresh buffer, and a fresh Float64
    // copy of a float32 one, every call.
    const into = options.into && options.into.length >= m * n ? options.into.subarray(0, m * n) : undefined;
    const scratch = type === 'float32' ? this.outputScratch(m * n) : undefined;
    try {
      const target = type === 'float64' ? into : scratch;
      const out = target ? await session.run(feeds, { y: new Tensor(type, target, [m, n]) }) : await session.run(feeds);
      const y = out.y!;
      if (y.dims.length !== 2 || y.dims[0] !== m || y.dims[1] !== n) {
        throw new Error(`gemm: onnxruntime returned ${y.dims.join(' x ')}, expected ${m} x ${n}`);
      }
      let data: Float64Array;
      if (type === 'float64') data = into ?? (y.data as Float64Array);
      else {
        data = into ?? new Float64Array(m * n);
        data.set(scratch ?? (y.data as Float32Array));
      }
      if (!inGraph) scaleAdd(data, alpha, options.c?.data, beta);
      return { rows: m, cols: n, data };
    } finally {
      if (scratch) this.scratches32.push(scratch);
    }
  }

  /**
   * A Float32 output of `values` values from this kernel's scratches (one per product in flight, given back after
   * it), for outputs up to OUTPUT_SCRATCH_VALUES; undefined for larger ones (onnxruntime's own buffer then).
   */
  private outputScratch(values: number): Float32Array | undefined {
    if (values > OUTPUT_SCRATCH_VALUES) return undefined;
    const held = this.scratches32.pop();
    const buffer = held && held.buffer.byteLength >= values * 4 ? held.buffer : new ArrayBuffer(Math.max(values * 4, held?.buffer.byteLength ?? 0));
    return new Float32Array(buffer, 0, values);
  }
}

/** The largest float32 product output (values) written into a kept scratch: 16 MiB. */
const OUTPUT_SCRATCH_VALUES = 1 << 22;

/** The smallest Float32 resident (values) that gets a transposed copy (`transposedOf`): 4 MiB. */
export const TRANSPOSE_MIN_VALUES = 1 << 20;

/** A Float32 resident's transposed copy: its memory once it has arrived, then the copy itself. */
interface TransposedCopy {
  buffer?: ArrayBuffer;
  matrix?: Matrix;
}

/** dist/compute-worker.js beside the running bundle (dist/cli.js, dist/worker.js, bench/out/NAME.js). */
export function defaultComputeWorkerPath(): string {
  return join(__dirname, 'compute-worker.js');
}

/**
 * One worker thread for core's one-core computations (computeWorker.ts), started on first use. It keeps the process
 * alive only while a request is pending (an idle thread must not hold a finished CLI run open). A cancel rejects the
 * request at once; the computation itself runs to its end on that thread and its answer is dropped.
 */
class ComputeThread {
  private worker?: Worker;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: ComputeResponse) => void; reject: (e: Error) => void }>();

  constructor(private readonly path: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.path, { workerData: { role: COMPUTE_WORKER_ROLE } });
    worker.on('message', (r: ComputeResponse) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      this.idle();
      p.resolve(r);
    });
    const fail = (e: Error) => {
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the compute worker stopped (exit code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker?.unref();
  }

  /**
   * core's symmetricEigen of `a` on this thread. For the tridiagonal form with a `gemm` kernel, the thread returns the
   * reflectors unaccumulated and the basis is formed in blocks on that kernel's products (householder.ts): at 4,096
   * columns 13 of the form's 28 s were the one-core accumulation.
   */
  async symmetricEigen(a: F64Matrix, signal?: AbortSignal, options: { tridiagonal?: boolean } = {}, gemm?: LinalgKernel): Promise<SymmetricEigen> {
    if (a.rows !== a.cols || a.data.length !== a.rows * a.cols) throw new Error(`symmetricEigen: a ${a.rows} x ${a.cols} matrix`);
    const buffer = a.data.slice().buffer as ArrayBuffer; // the caller keeps its matrix
    const tridiagonal = options.tridiagonal === true;
    // the tridiagonal form's basis is products: the thread reduces, this kernel's Gemm accumulates (householder.ts)
    const onGemm = tridiagonal ? gemm : undefined;
    const r = await this.request({ op: 'symmetric-eigen', dim: a.rows, buffer, tridiagonal, accumulate: !onGemm }, [buffer], signal);
    if (!('values' in r)) throw new Error('symmetricEigen (compute worker): no eigenvalues in the answer');
    const eig = eigenFromWire(a.rows, r, tridiagonal, onGemm !== undefined);
    if (!onGemm) return eig;
    const vectors = await accumulateReflectors(eig.vectors, eig.householder!, a.rows, onGemm, { signal });
    return { dim: eig.dim, values: eig.values, vectors, tridiagonal: eig.tridiagonal };
  }

  /** A fresh ArrayBuffer whose pages the thread has touched (computeWorker.ts `touchedBuffer`), transferred here. */
  async touchedBuffer(bytes: number): Promise<ArrayBuffer> {
    const r = await this.request({ op: 'buffer', bytes }, []);
    if (!('buffer' in r) || r.buffer.byteLength !== bytes) throw new Error('touchedBuffer (compute worker): no buffer of that size in the answer');
    return r.buffer;
  }

  private async request(
    req: DistributiveOmit<ComputeRequest, 'id'>, transfer: ArrayBuffer[], signal?: AbortSignal,
  ): Promise<Exclude<ComputeResponse, { error: string }>> {
    if (signal?.aborted) throw new CancelledError();
    const worker = this.start();
    const id = this.next++;
    const done = new Promise<ComputeResponse>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.ref();
    const onAbort = () => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.idle();
      p.reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker.postMessage({ ...req, id }, transfer);
      const r = await done;
      if ('error' in r) throw new Error(`${req.op} (compute worker): ${r.error}`);
      return r;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new CancelledError('compute worker disposed'));
    this.pending.clear();
    if (worker) await worker.terminate();
  }
}

