/**
 * The inference engine: one session pool, the encoders opened from it and the alignment kernel. The in-process
 * backend (local.ts) uses it directly; the worker (worker.ts) owns one and serves it to the extension host.
 */
import { OnnxAlignmentKernel } from './alignKernel';
import { openEncoder } from './encoders/open';
import type { OnnxTextEncoder } from './encoders/onnxEncoder';
import { resolveProductThreads, resolveThreads } from './providers';
import { SessionPool, type SessionFactory } from './sessions';
import type { EncoderSpec, InferenceOptions, ProviderReport } from './types';

/** A stable key for an encoder spec (the fields that change the encoder, in a fixed order). */
export function encoderSpecKey(spec: EncoderSpec): string {
  return spec.kind === 'bundled'
    ? `bundled:${spec.id}:${spec.vocab ?? ''}`
    : `onnx:${spec.path}:${spec.tokenizer ?? ''}`;
}

export class InferenceEngine {
  readonly pool: SessionPool;
  readonly kernel: OnnxAlignmentKernel;
  private readonly encoders = new Map<string, Promise<OnnxTextEncoder>>();

  /** `productThreads`: the dense products' threads as already resolved (the worker gets them from its client). */
  constructor(private readonly options: InferenceOptions & { sessionFactory?: SessionFactory; productThreads?: number } = {}) {
    this.pool = new SessionPool({
      device: options.device ?? 'auto',
      threads: resolveThreads(options.threads),
      productThreads: options.productThreads ?? resolveProductThreads(options.threads),
      factory: options.sessionFactory,
    });
    this.kernel = new OnnxAlignmentKernel(this.pool, options.alignBlocks);
  }

  /** The encoder for a spec, opened on first request (the session is created then, not before). */
  textEncoder(spec: EncoderSpec): Promise<OnnxTextEncoder> {
    const key = encoderSpecKey(spec);
    const cached = this.encoders.get(key);
    if (cached) return cached;
    const pending = openEncoder(spec, this.pool, { modelsDir: this.options.modelsDir, batchSize: this.options.batchSize });
    this.encoders.set(key, pending);
    // A failed open is forgotten so a corrected file can be tried again.
    pending.catch(() => this.encoders.delete(key));
    return pending;
  }

  providerReport(): ProviderReport {
    const last = this.pool.lastOpened;
    return {
      device: this.pool.device,
      threads: this.pool.threads,
      productThreads: this.pool.productThreads,
      provider: last?.provider,
      fallbacks: last?.fallbacks ?? [],
    };
  }

  async dispose(): Promise<void> {
    this.kernel.linalg.residents.clear(); // matrices uploaded for products (the worker's batched fits)
    await this.kernel.linalg.dispose(); // its compute thread
    this.encoders.clear();
    await this.pool.dispose();
  }
}
