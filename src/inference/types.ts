/**
 * The inference layer's public shapes, shared by the in-process backend (local.ts, CLI and tests) and the
 * worker-thread client (client.ts, extension). Both implement InferenceBackend, what the pipeline needs from this
 * layer. The layer owns its types: the pipeline imports them (and builds its ModelSpec on EncoderSpec), never the
 * other way round (test/unit/architecture/imports.test.ts).
 */
import type { ProgressFn, TextEncoder } from '../core/encoder';
import type { AlignmentKernel } from '../core/detect/types';
import type { Warning } from '../core/errors';
import type { Matrix } from '../core/linalg/matrix';
import type { AlignBlockSizes } from './alignKernel';
import type { ProviderFailure } from './providers';

/** The model specs an encoder can be built from (bundled GloVe-mean / USE-Lite, or a user ONNX file). */
export type EncoderSpec =
  | { kind: 'bundled'; id: 'glove-mean' | 'use-lite'; /** GloVe vocabulary size K (weak capacity). */ vocab?: number }
  | { kind: 'onnx'; path: string; tokenizer?: string };

/** The onnxruntime execution provider asked for; `auto` tries the machine's accelerators, then the CPU. */
export type DeviceChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

/**
 * What the pipeline needs from the inference layer. The CLI passes an in-process implementation, the extension one
 * backed by a worker thread; tests may pass fakes.
 */
export interface InferenceBackend {
  /** A text encoder for a bundled or ONNX model spec. */
  textEncoder(spec: EncoderSpec): Promise<InferenceTextEncoder>;
  alignmentKernel(): AlignmentKernel;
  /** The execution provider that actually ran (after any fallback), e.g. "cpu". */
  device(): string;
  dispose(): Promise<void>;
}

export interface EncodeOptions {
  signal?: AbortSignal;
  progress?: ProgressFn;
}

export interface EncodeResult {
  embeddings: Matrix<Float32Array>;
  /** Rows (0-based, input order) longer than the encoder's token limit; they were truncated. */
  truncatedRows: number[];
  /** Rows encoded as a zero vector: blank text, or no token the model knows (e.g. no word among GloVe's first K). */
  emptyRows: number[];
  /** One summary warning per kind of problem, for the user. */
  warnings: Warning[];
}

/** What identifies an encoder to callers and caches; plain data, so it crosses the worker boundary. */
export interface EncoderInfo {
  /** e.g. `glove-mean-k50000`, `use-lite`, `onnx-all-MiniLM-L6-v2`. */
  readonly id: string;
  readonly dim: number;
  /** Everything that changes the output (model and tokenizer file hashes, vocabulary size, token limit). */
  readonly cacheIdentity: string;
  /** Tokens per text beyond which text is truncated. */
  readonly maxTokens: number;
  /** The execution provider its session runs on, and the providers that failed first. */
  readonly provider: string;
  readonly fallbacks: readonly ProviderFailure[];
  /** Caveats the encoder repeats as warnings with every result (e.g. an approximate tokenizer). */
  readonly notes?: readonly string[];
}

/** A TextEncoder with the details the pipeline and the cache need. */
export interface InferenceTextEncoder extends TextEncoder {
  readonly info: EncoderInfo;
  encodeDetailed(texts: readonly string[], opts?: EncodeOptions): Promise<EncodeResult>;
}

/** The alignment kernel with the nearest-key index (optional in core's interface, always present here). */
export type IndexedAlignmentKernel = AlignmentKernel & Required<Pick<AlignmentKernel, 'maxAlignmentWithIndex'>>;

/** Which execution provider ran, and why others did not. */
export interface ProviderReport {
  readonly device: DeviceChoice;
  /** The encoders' intra-op threads. */
  readonly threads: number;
  /** The dense products' intra-op threads (the Gemm and alignment kernels). */
  readonly productThreads: number;
  /** Undefined until a first session was created. */
  readonly provider?: string;
  readonly fallbacks: readonly ProviderFailure[];
}

export interface InferenceOptions {
  /** Execution-provider choice; default 'auto'. */
  device?: DeviceChoice;
  /**
   * Intra-op threads; undefined or 0 = default: for the encoders 1 on <= 2 cores, else half the cores; for the dense
   * products (Gemm, the alignment kernel) every core. An explicit count applies to both.
   */
  threads?: number;
  /** Folder with the bundled models and manifest.json; default: the `models/` folder of the installed package. */
  modelsDir?: string;
  /** Texts per session run. */
  batchSize?: number;
  /** Alignment-kernel block sizes (memory bound); default DEFAULT_BLOCKS. */
  alignBlocks?: AlignBlockSizes;
}

export interface InferenceService extends InferenceBackend {
  textEncoder(spec: EncoderSpec): Promise<InferenceTextEncoder>;
  alignmentKernel(): IndexedAlignmentKernel;
  /** The execution provider of the latest session ('not started' before the first one). */
  device(): string;
  providerReport(): ProviderReport;
  dispose(): Promise<void>;
}
