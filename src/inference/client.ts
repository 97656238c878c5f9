/**
 * The extension host's side of the inference worker: the same InferenceService as the in-process backend, with every
 * session living in a worker thread so the editor never blocks. The worker starts on the first request (never at
 * activation) and is started again after a crash.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../core/encoder';
import type { ProgressFn } from '../core/encoder';
import { InputError } from '../core/errors';
import type { Matrix } from '../core/linalg/matrix';
import type { SymmetricEigen } from '../core/linalg/eigen';
import { eigenFromWire } from './eigenWire';
import type { AlignKernelMode, AlignmentResult } from '../core/detect/types';
import type { AlignReply, EigenReply, EncodeReply, FreshBufferReply, MapReply, WireError, WireMatrix, WireMatrix64, WireResident, WorkerConfig, WorkerRequest, WorkerResponse } from './protocol';
import { isResident, MAX_RESERVED_BYTES, Reservations, float32Rows, widenRows, type F64Matrix, type GemmOperand, type GemmOptions, type LinalgKernel, type ResidentMatrix } from '../core/linalg/gemm';
import { resolveProductThreads, resolveThreads } from './providers';
import type {
  EncodeOptions,
  EncodeResult,
  EncoderInfo,
  EncoderSpec,
  IndexedAlignmentKernel,
  InferenceOptions,
  InferenceService,
  InferenceTextEncoder,
  ProviderReport,
} from './types';

export interface InferenceClientOptions extends InferenceOptions {
  /**
   * The bundled worker script. Default: `worker.js` beside the running bundle (dist/worker.js next to
   * dist/extension.js and dist/cli.js, as esbuild.js lays them out).
   */
  workerPath?: string;
}

/** Where the worker bundle is expected when no path is given: beside the bundle that is running. */
export function defaultWorkerPath(): string {
  return join(__dirname, 'worker.js');
}

function fromWireError(e: WireError): Error {
  if (e.name === 'CancelledError') return new CancelledError(e.message);
  if (e.name === 'InputError') {
    // InputError's constructor prefixes the location; the message already carries it.
    const err = new InputError(e.message);
    Object.assign(err, { file: e.file, line: e.line });
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** A float32 copy of the matrix in a buffer of its own, which can be transferred without detaching the caller's data. */
function toWire(m: Matrix): WireMatrix {
  const data = Float32Array.from(m.data);
  return { rows: m.rows, cols: m.cols, dtype: 'float32', buffer: data.buffer };
}

/** A Float64 copy (Float32 values widened) in a buffer of its own (transferred to the worker; the caller's matrix stays usable). */
function toWire64(m: Matrix): WireMatrix64 {
  const data = widenRows(m);
  return { rows: m.rows, cols: m.cols, dtype: 'float64', buffer: data.buffer as ArrayBuffer };
}

/**
 * An operand as sent: a copy (Float32 for a float32 product: the values it multiplies, half the bytes), or the name of
 * a matrix the worker holds (nothing to transfer).
 */
function toWireOperand(m: GemmOperand, transfer: ArrayBuffer[], float32 = false): WireMatrix | WireMatrix64 | WireResident {
  if (isResident(m)) return { resident: m.resident, rows: m.rows, cols: m.cols };
  const w = float32 ? toWire(m) : toWire64(m);
  transfer.push(w.buffer);
  return w;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  progress?: ProgressFn;
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class InferenceClient implements InferenceService {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private report: ProviderReport;
  private disposed = false;
  /** The memory `reserve` readied for the next upload of its shape (shared with the worker). */
  private readonly reservations = new Reservations();
  private readonly config: WorkerConfig;
  private readonly workerPath: string;
  private readonly kernel: IndexedAlignmentKernel;

  constructor(options: InferenceClientOptions = {}) {
    this.workerPath = options.workerPath ?? defaultWorkerPath();
    this.config = {
      role: 'overlap-inference',
      device: options.device ?? 'auto',
      threads: resolveThreads(options.threads),
      productThreads: resolveProductThreads(options.threads),
      modelsDir: options.modelsDir,
      batchSize: options.batchSize,
      alignBlocks: options.alignBlocks,
    };
    this.report = { device: this.config.device, threads: this.config.threads, productThreads: this.config.productThreads, fallbacks: [] };
    const linalg: LinalgKernel = {
      name: 'onnxruntime (worker)',
      gemm: (a, b, opts) => this.gemm(a, b, opts),
      upload: (m, signal, rows, float32) => this.upload(m, signal, rows, float32),
      reserve: (rows, cols, float32) => this.reserve(rows, cols, float32),
      touchedBuffer: (bytes) => this.touchedBuffer(bytes),
      release: (m) => this.release(m),
      symmetricEigen: (m, signal, options) => this.symmetricEigen(m, signal, options),
      pcaMap: (m, signal) => this.pcaMap(m, signal),
    };
    this.kernel = {
      name: 'onnxruntime (worker)',
      maxAlignment: async (q, k, mode, signal) => (await this.align(q, k, mode, signal)).max,
      maxAlignmentWithIndex: (q, k, mode, signal, progress) => this.align(q, k, mode, signal, progress),
      linalg,
    };
  }

  async textEncoder(spec: EncoderSpec): Promise<InferenceTextEncoder> {
    const info = (await this.request({ type: 'open-encoder', spec })) as EncoderInfo;
    return new RemoteTextEncoder(this, spec, info);
  }

  alignmentKernel(): IndexedAlignmentKernel {
    return this.kernel;
  }

  device(): string {
    return this.report.provider ?? 'not started';
  }

  providerReport(): ProviderReport {
    return this.report;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.request({ type: 'dispose' }, undefined, undefined, true);
    } catch {
      // the worker may already be gone; terminating is enough
    }
    this.worker = undefined;
    await worker.terminate();
    this.failAll(new CancelledError('inference client disposed'));
  }

  /** Encodes through the worker (used by RemoteTextEncoder). */
  async encodeRemote(spec: EncoderSpec, texts: readonly string[], opts: EncodeOptions = {}): Promise<EncodeResult> {
    const r = (await this.request({ type: 'encode', spec, texts }, opts.signal, opts.progress)) as EncodeReply;
    return {
      embeddings: { rows: r.embeddings.rows, cols: r.embeddings.cols, data: new Float32Array(r.embeddings.buffer) },
      truncatedRows: r.truncatedRows,
      emptyRows: r.emptyRows,
      warnings: r.warnings,
    };
  }

  private async align(
    query: Matrix, keys: Matrix, mode: AlignKernelMode, signal?: AbortSignal, progress?: (fraction: number) => void,
  ): Promise<AlignmentResult> {
    if (signal?.aborted) throw new CancelledError();
    const q = toWire(query);
    const k = toWire(keys);
    const onProgress: ProgressFn | undefined = progress && ((_stage, fraction) => progress(fraction));
    const r = (await this.request({ type: 'align', mode, query: q, keys: k }, signal, onProgress, false, [q.buffer, k.buffer])) as AlignReply;
    return { max: new Float64Array(r.max), argmax: new Int32Array(r.argmax) };
  }

  private async gemm(a: GemmOperand, b: GemmOperand, options: GemmOptions = {}): Promise<F64Matrix> {
    if (options.signal?.aborted) throw new CancelledError();
    const transfer: ArrayBuffer[] = [];
    const float32 = options.float32 === true;
    const wa = toWireOperand(a, transfer, float32);
    const wb = toWireOperand(b, transfer, float32);
    const wc = options.c ? toWire64(options.c) : undefined;
    if (wc) transfer.push(wc.buffer);
    const req = {
      type: 'gemm' as const, a: wa, b: wb, c: wc, transA: options.transA === true, transB: options.transB === true,
      alpha: options.alpha ?? 1, beta: options.beta ?? 1, float32,
    };
    const r = (await this.request(req, options.signal, undefined, false, transfer)) as WireMatrix64;
    return { rows: r.rows, cols: r.cols, data: new Float64Array(r.buffer) };
  }

  /** The result map's PCA on the worker's thread: off this thread (the extension host's), the same bits. */
  private async pcaMap(m: Matrix, signal?: AbortSignal): Promise<{ x: Float64Array; y: Float64Array }> {
    if (signal?.aborted) throw new CancelledError();
    if (!(m.data instanceof Float32Array)) throw new Error('pcaMap: the worker takes Float32 rows'); // the analysis falls back to its own thread
    const wm = toWire(m);
    const r = (await this.request({ type: 'pca-map', m: wm }, signal, undefined, false, [wm.buffer])) as MapReply;
    if (r.x.byteLength !== m.rows * 8 || r.y.byteLength !== m.rows * 8) throw new Error('pcaMap: the worker answered another number of rows');
    return { x: new Float64Array(r.x), y: new Float64Array(r.y) };
  }

  /** core's eigendecomposition on the worker's compute thread (a copy of m travels; the caller keeps m). */
  private async symmetricEigen(m: F64Matrix, signal?: AbortSignal, options: { tridiagonal?: boolean } = {}): Promise<SymmetricEigen> {
    if (signal?.aborted) throw new CancelledError();
    const wm = toWire64(m);
    const tridiagonal = options.tridiagonal === true;
    const r = (await this.request({ type: 'eigen', m: wm, tridiagonal }, signal, undefined, false, [wm.buffer])) as EigenReply;
    return eigenFromWire(m.rows, r, tridiagonal);
  }

  /**
   * LinalgKernel.reserve: the worker makes the coming upload's memory and touches its pages on its own thread
   * meanwhile (the first touch is the slow part of a copy), then transfers it here; the upload fills it and transfers
   * it back: one copy of the rows, none of it made in fresh memory on this thread.
   */
  private reserve(rows: number, cols: number, float32 = false): void {
    const bytes = rows * cols * (float32 ? 4 : 8);
    if (this.disposed || !(bytes > 0) || bytes > MAX_RESERVED_BYTES) return;
    // a worker that fails leaves the memory to the upload, no worse than without the reservation
    const buffer = this.request({ type: 'buffer', bytes }).then(
      (r) => ((r as FreshBufferReply).buffer?.byteLength === bytes ? (r as FreshBufferReply).buffer : undefined),
      () => undefined,
    );
    this.reservations.add(rows, cols, buffer, float32);
  }

  /** LinalgKernel.touchedBuffer: a fresh buffer whose pages the worker touched (its compute thread when it has one). */
  private async touchedBuffer(bytes: number): Promise<ArrayBuffer> {
    if (this.disposed || !(bytes > 0)) throw new Error('touchedBuffer: no worker, or no bytes asked');
    const r = (await this.request({ type: 'buffer', bytes })) as FreshBufferReply;
    if (r.buffer?.byteLength !== bytes) throw new Error('touchedBuffer: the worker answered another size');
    return r.buffer;
  }

  /**
   * Sends m to the worker once (a Float64 copy, or a Float32 one for float32 products, transferred); later gemm
   * requests name it.
   */
  private async upload(m: Matrix, signal?: AbortSignal, rows?: ArrayLike<number>, float32?: boolean): Promise<ResidentMatrix> {
    if (signal?.aborted) throw new CancelledError();
    if (float32) {
      // a copy in a buffer of its own even when m is Float32 already (the caller's matrix stays usable): into the
      // reserved memory when there is some
      const ready = await this.reservations.take(rows ? rows.length : m.rows, m.cols, true);
      if (signal?.aborted) throw new CancelledError();
      const sel = float32Rows(m, rows, ready ? new Float32Array(ready) : undefined);
      const data = sel.data === m.data ? (sel.data as Float32Array).slice() : (sel.data as Float32Array);
      const wm: WireMatrix = { rows: sel.rows, cols: sel.cols, dtype: 'float32', buffer: data.buffer as ArrayBuffer };
      return (await this.request({ type: 'upload', m: wm }, signal, undefined, false, [wm.buffer])) as WireResident;
    }
    const n = rows ? rows.length : m.rows;
    const ready = await this.reservations.take(n, m.cols);
    if (signal?.aborted) throw new CancelledError();
    // a Float64 copy in a buffer of its own (the caller's matrix stays usable), transferred
    const data = widenRows(m, rows, ready ? new Float64Array(ready) : undefined);
    const wm: WireMatrix64 = { rows: n, cols: m.cols, dtype: 'float64', buffer: data.buffer as ArrayBuffer };
    return (await this.request({ type: 'upload', m: wm }, signal, undefined, false, [wm.buffer])) as WireResident;
  }

  /** Frees a matrix the worker holds; a disposed client or a stopped worker holds nothing, so that is no error. */
  private async release(m: ResidentMatrix): Promise<void> {
    if (this.disposed || !this.worker) return;
    try {
      await this.request({ type: 'release', resident: m.resident });
    } catch {
      // the worker went away, and the matrix with it
    }
  }

  private request(req: Request, signal?: AbortSignal, progress?: ProgressFn, allowDisposed = false, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.disposed && !allowDisposed) return Promise.reject(new Error('inference client is disposed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Answer at once; the worker stops at its next batch boundary and its late reply is ignored.
        if (!this.pending.delete(id)) return;
        worker.postMessage({ type: 'cancel', target: id } satisfies WorkerRequest);
        this.updateRef();
        reject(new CancelledError());
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        progress,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.updateRef();
      worker.postMessage({ ...req, id } as WorkerRequest, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    if (!existsSync(this.workerPath)) {
      throw new Error(`inference worker not found at ${this.workerPath}: run \`npm run build\` (it writes dist/worker.js) or pass workerPath`);
    }
    const worker = new Worker(this.workerPath, { workerData: this.config });
    worker.on('message', (msg: WorkerResponse) => this.onMessage(msg));
    worker.on('error', (e) => this.onExit(worker, e));
    worker.on('exit', (code) => this.onExit(worker, new Error(`inference worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private onMessage(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (msg.type === 'progress') {
      p?.progress?.(msg.stage, msg.fraction, msg.detail);
      return;
    }
    if (msg.type === 'result') this.report = msg.report;
    if (!p) return; // cancelled on this side already
    this.pending.delete(msg.id);
    this.updateRef();
    if (msg.type === 'result') p.resolve(msg.value);
    else p.reject(fromWireError(msg.error));
  }

  private onExit(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    // The next request starts a fresh worker; requests in flight fail with the reason.
    this.worker = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }

  /** An idle worker must not keep a CLI process alive. */
  private updateRef(): void {
    if (!this.worker) return;
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }
}

class RemoteTextEncoder implements InferenceTextEncoder {
  readonly id: string;
  readonly dim: number;

  constructor(
    private readonly client: InferenceClient,
    private readonly spec: EncoderSpec,
    readonly info: EncoderInfo,
  ) {
    this.id = info.id;
    this.dim = info.dim;
  }

  async encode(texts: readonly string[], opts?: EncodeOptions): Promise<Matrix<Float32Array>> {
    return (await this.encodeDetailed(texts, opts)).embeddings;
  }

  encodeDetailed(texts: readonly string[], opts?: EncodeOptions): Promise<EncodeResult> {
    return this.client.encodeRemote(this.spec, texts, opts);
  }
}

/** The worker-backed inference service. Nothing starts until the first encoder or kernel call. */
export function createInferenceClient(options: InferenceClientOptions = {}): InferenceService {
  return new InferenceClient(options);
}
