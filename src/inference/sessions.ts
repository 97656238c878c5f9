/**
 * onnxruntime sessions, created on first use and cached per (model, execution provider choice, threads). A pool
 * belongs to one owner (the worker thread or the in-process CLI backend) and is disposed with it.
 */
import { stat } from 'node:fs/promises';
import { loadOrt, type Ort, type OrtSession } from './ort';
import {
  createWithFallback,
  planProviders,
  type BackendInfo,
  type ExecutionProviderName,
  type ProviderFailure,
} from './providers';
import type { DeviceChoice } from './types';

export interface OpenedSession {
  readonly session: OrtSession;
  /** The execution provider the session really runs on. */
  readonly provider: ExecutionProviderName;
  /** Providers tried first and why they failed. */
  readonly fallbacks: readonly ProviderFailure[];
}

/**
 * Where a model comes from: a file on disk, or bytes built in memory under a stable name (e.g. the align kernel).
 * `products`: a graph of large dense products (Gemm, the alignment kernel), opened with the pool's `productThreads`.
 */
export type ModelSource = { file: string } | { name: string; bytes: () => Uint8Array; products?: boolean };

/** How a session is created for one provider; swapped in tests to simulate failing providers. */
export type SessionFactory = (
  ort: Ort,
  model: string | Uint8Array,
  provider: ExecutionProviderName,
  threads: number,
  products?: boolean,
) => Promise<OrtSession>;

/**
 * Product sessions do not let their idle intra-op threads spin (`session.intra_op.allow_spinning` 0): between two
 * products the JavaScript thread builds the next operands, and a spinning thread takes the core it needs. Measured
 * on the 2-core development machine (5,000 x 4,096 x 36 DGEMMs with 20 ms of JavaScript between them, two threads):
 * 25-26 ms per product spinning, 14-15 ms without; bench/core's dot-max run 13.0 s -> 10.4 s.
 */
export const createOrtSession: SessionFactory = (ort, model, provider, threads, products = false) => {
  const options: import('onnxruntime-node').InferenceSession.SessionOptions = {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(products ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
};

export interface SessionPoolOptions {
  device: DeviceChoice;
  /** Intra-op threads of the encoders' sessions. */
  threads: number;
  /** Intra-op threads of `products` sessions; default `threads`. */
  productThreads?: number;
  factory?: SessionFactory;
  /** What onnxruntime-node offers; default `ort.listSupportedBackends()` (tests pass a fixed list). */
  backends?: readonly BackendInfo[];
}

export class SessionPool {
  private readonly sessions = new Map<string, Promise<OpenedSession>>();
  /** Providers that failed for a model another provider then loaded: the provider, not the model, was at fault. */
  private readonly badProviders = new Map<ExecutionProviderName, string>();
  private last: OpenedSession | undefined;

  constructor(private readonly options: SessionPoolOptions) {}

  get device(): DeviceChoice {
    return this.options.device;
  }

  get threads(): number {
    return this.options.threads;
  }

  get productThreads(): number {
    return this.options.productThreads ?? this.options.threads;
  }

  private threadsFor(source: ModelSource): number {
    return 'name' in source && source.products ? this.productThreads : this.options.threads;
  }

  /** The session that was opened most recently (its provider is what "ran"). */
  get lastOpened(): OpenedSession | undefined {
    return this.last;
  }

  async open(source: ModelSource): Promise<OpenedSession> {
    const key = await this.cacheKey(source);
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = this.create(source);
      this.sessions.set(key, pending);
      // A failed open is not cached: the user may fix the file and try again.
      pending.catch(() => this.sessions.delete(key));
    }
    const opened = await pending;
    this.last = opened;
    return opened;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) {
      try {
        await (await p).session.release();
      } catch {
        // a session that failed to open has nothing to release
      }
    }
  }

  private async cacheKey(source: ModelSource): Promise<string> {
    const { device } = this.options;
    const threads = this.threadsFor(source);
    if ('name' in source) return `mem:${source.name}|${device}|${threads}`;
    // mtime and size: a model file replaced on disk gets a new session.
    const st = await stat(source.file);
    return `file:${source.file}@${st.mtimeMs}:${st.size}|${device}|${threads}`;
  }

  private async create(source: ModelSource): Promise<OpenedSession> {
    const ort = await loadOrt();
    const plan = planProviders(this.options.device, this.options.backends ?? ort.listSupportedBackends());
    const model = 'file' in source ? source.file : source.bytes();
    const factory = this.options.factory ?? createOrtSession;
    const outcome = await createWithFallback(
      plan,
      (provider) => factory(ort, model, provider, this.threadsFor(source), 'name' in source && source.products === true),
      this.badProviders,
    );
    for (const f of outcome.fallbacks) if (!this.badProviders.has(f.provider)) this.badProviders.set(f.provider, f.reason);
    return { session: outcome.value, provider: outcome.provider, fallbacks: outcome.fallbacks };
  }
}
