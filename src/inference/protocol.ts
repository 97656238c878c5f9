/**
 * Messages between the extension host (client.ts) and the inference worker (worker.ts). Every request carries an id;
 * the worker answers with progress messages and exactly one `result` or `error` for it. Matrices travel as
 * transferred ArrayBuffers (moved, not copied).
 */
import type { AlignBlockSizes } from './alignKernel';
import type { EigenWire } from './eigenWire';
import type { AlignKernelMode } from '../core/detect/types';
import type { EncoderInfo, EncoderSpec, ProviderReport } from './types';
import type { DeviceChoice } from './types';

/** Passed as `workerData`: how the worker's sessions are created. */
export interface WorkerConfig {
  /** Marks the thread as ours: the module only starts serving when loaded with this. */
  role: 'overlap-inference';
  device: DeviceChoice;
  /** The encoders' intra-op threads. */
  threads: number;
  /** The dense products' intra-op threads (Gemm, the alignment kernel). */
  productThreads: number;
  modelsDir?: string;
  batchSize?: number;
  alignBlocks?: AlignBlockSizes;
}

/** A matrix whose data buffer is transferred; `dtype` says how to view it. */
export interface WireMatrix {
  rows: number;
  cols: number;
  dtype: 'float32';
  buffer: ArrayBuffer;
}

/** A Float64 matrix whose data buffer is transferred (the dense products of GemmRequest). */
export interface WireMatrix64 {
  rows: number;
  cols: number;
  dtype: 'float64';
  buffer: ArrayBuffer;
}

/** A fresh ArrayBuffer whose pages the worker touched (a `buffer` request's answer, transferred). */
export interface FreshBufferReply {
  buffer: ArrayBuffer;
}

/** A matrix the worker holds (an `upload` request's answer), named instead of sent. */
export interface WireResident {
  resident: number;
  rows: number;
  cols: number;
  /** Held as Float32 (ResidentMatrix.float32). */
  float32?: boolean;
}

/**
 * alpha op(a) op(b) + beta c on the worker's LinalgKernel (core/linalg/gemm.ts); answers with a WireMatrix64.
 * `float32`: GemmOptions.float32 (the operands then travel as Float32).
 */
export interface GemmRequest {
  type: 'gemm';
  id: number;
  a: WireMatrix | WireMatrix64 | WireResident;
  b: WireMatrix | WireMatrix64 | WireResident;
  c?: WireMatrix64;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  float32?: boolean;
}

export type WorkerRequest =
  /** Opens (or reuses) the encoder's session and answers with its EncoderInfo. */
  | { type: 'open-encoder'; id: number; spec: EncoderSpec }
  /** Encodes texts; answers with EncodeReply. */
  | { type: 'encode'; id: number; spec: EncoderSpec; texts: readonly string[] }
  /** Max alignment of each query row over the keys; answers with AlignReply. */
  | { type: 'align'; id: number; mode: AlignKernelMode; query: WireMatrix; keys: WireMatrix }
  | GemmRequest
  /**
   * Keeps a matrix in the worker for later gemm requests, as Float64, or as Float32 for float32 products (a
   * WireMatrix); answers with its WireResident.
   */
  | { type: 'upload'; id: number; m: WireMatrix64 | WireMatrix }
  /**
   * A fresh ArrayBuffer of `bytes` bytes with every page touched on the worker's thread (LinalgKernel.reserve: the
   * memory of a coming upload); answers with FreshBufferReply, the buffer transferred.
   */
  | { type: 'buffer'; id: number; bytes: number }
  /** Forgets an uploaded matrix; answers with null (also for one it does not hold). */
  | { type: 'release'; id: number; resident: number }
  /** The result map's PCA of Float32 rows on the worker's compute thread (LinalgKernel.pcaMap); answers with MapReply. */
  | { type: 'pca-map'; id: number; m: WireMatrix }
  /**
   * core's symmetricEigen of a dim x dim matrix on the worker's compute thread (stopping at the tridiagonal form when
   * asked); answers with EigenReply.
   */
  | { type: 'eigen'; id: number; m: WireMatrix64; tridiagonal?: boolean }
  /** Answers with the ProviderReport. */
  | { type: 'report'; id: number }
  /** Stops request `target` at its next batch boundary; it then answers with a CancelledError. */
  | { type: 'cancel'; target: number }
  /** Releases every session; answers with null. The host terminates the worker afterwards. */
  | { type: 'dispose'; id: number };

export interface EncodeReply {
  embeddings: WireMatrix;
  truncatedRows: number[];
  emptyRows: number[];
  warnings: { message: string }[];
  info: EncoderInfo;
}

export interface AlignReply {
  max: ArrayBuffer; // Float64Array
  argmax: ArrayBuffer; // Int32Array
}

/** An error as plain data; `name` restores InputError / CancelledError on the host. */
export interface WireError {
  name: string;
  message: string;
  file?: string;
  line?: number;
}

export type WorkerResponse =
  | { type: 'progress'; id: number; stage: string; fraction: number; detail?: string }
  /** `report`: the provider state after this request, so the host can answer device() without asking. */
  | { type: 'result'; id: number; value: EncoderInfo | EncodeReply | AlignReply | EigenReply | MapReply | FreshBufferReply | WireMatrix64 | WireResident | ProviderReport | null; report: ProviderReport }
  | { type: 'error'; id: number; error: WireError };

/** The result map's PCA projections (LinalgKernel.pcaMap): one x and one y per row, Float64. */
export interface MapReply {
  x: ArrayBuffer;
  y: ArrayBuffer;
}

/**
 * A symmetric eigendecomposition: eigenvalues ascending, eigenvectors as rows, or the tridiagonal form's basis with its
 * diagonal and subdiagonal (core/linalg/eigen.ts; computeWorker.ts EigenWire).
 */
export type EigenReply = EigenWire;
