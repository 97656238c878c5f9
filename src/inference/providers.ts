/**
 * Execution-provider choice and fallback. The order is the product's (DESIGN.md "Models"): a discrete-GPU provider
 * of the platform first (CUDA, DirectML, CoreML), then WebGPU, then CPU, which always works. A provider can be
 * listed by onnxruntime-node yet unusable (CUDA without its shared libraries, WebGPU without a GPU adapter), so
 * the choice is only final once a session was actually created with it.
 */
import { availableParallelism } from 'node:os';
import type { DeviceChoice } from './types';

export type ExecutionProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

/** Preference order for `device: 'auto'`. */
export const PROVIDER_ORDER: readonly ExecutionProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/** One entry of `ort.listSupportedBackends()`. `bundled: false` means the provider needs libraries installed separately. */
export interface BackendInfo {
  readonly name: string;
  readonly bundled?: boolean;
}

/** Why a provider was not used: it was skipped without trying or it failed to create a session. */
export interface ProviderFailure {
  readonly provider: ExecutionProviderName;
  readonly reason: string;
}

export interface ProviderPlan {
  /** Providers to try, in order; always ends with 'cpu'. */
  readonly candidates: readonly ExecutionProviderName[];
  /** Providers the user asked for that this build cannot offer at all. */
  readonly skipped: readonly ProviderFailure[];
}

/**
 * Which providers to try for a device choice, given what the onnxruntime-node build lists. `auto` tries every listed
 * provider in PROVIDER_ORDER; an explicit choice tries that one and then CPU, so an analysis never fails only
 * because an accelerator is missing (the fallback is reported).
 */
export function planProviders(
  device: DeviceChoice, supported: readonly BackendInfo[], platform: string = process.platform,
): ProviderPlan {
  const listed = new Set(supported.map((b) => b.name));
  if (device === 'auto') {
    // WebGPU in Node needs a Vulkan/Metal/D3D12 adapter; on Linux without one, probing it only prints native
    // warnings to stderr before falling back. `auto` tries it on Linux only when asked for by name.
    const auto = PROVIDER_ORDER.filter((p) => p === 'cpu' || (listed.has(p) && !(p === 'webgpu' && platform === 'linux')));
    return { candidates: auto, skipped: [] };
  }
  if (device === 'cpu') return { candidates: ['cpu'], skipped: [] };
  if (!listed.has(device)) {
    const have = supported.map((b) => b.name).join(', ') || 'none';
    return {
      candidates: ['cpu'],
      skipped: [{ provider: device, reason: `not available in this onnxruntime-node build (it offers: ${have})` }],
    };
  }
  return { candidates: [device, 'cpu'], skipped: [] };
}

/**
 * Default intra-op threads: 1 on machines with two cores or fewer (the editor and the extension host need the other
 * one; MODELS.md measured 1 thread beating 2 on a loaded 2-core machine), otherwise half the cores.
 */
export function defaultThreads(cores: number = availableParallelism()): number {
  return cores <= 2 ? 1 : Math.floor(cores / 2);
}

/**
 * Intra-op threads of the dense products (the linear-algebra kernel's Gemm and the alignment kernel): a user's
 * explicit thread count, else every core. Unlike the encoders' small batches, a product of thousands of rows by
 * thousands of columns scales with the cores (bench/core: MLAS DGEMM at 5,000 x 4,096 x 36 ran 1.9x faster on two
 * threads than on one on the 2-core development machine), and numpy's BLAS uses every core too.
 */
export function resolveProductThreads(threads: number | undefined, cores: number = availableParallelism()): number {
  if (threads === undefined || threads === 0) return Math.max(1, cores);
  return resolveThreads(threads, cores);
}

/** Validates a user thread count; undefined or 0 means the default. */
export function resolveThreads(threads: number | undefined, cores: number = availableParallelism()): number {
  if (threads === undefined || threads === 0) return defaultThreads(cores);
  if (!Number.isInteger(threads) || threads < 0) {
    throw new RangeError(`threads must be a non-negative integer (0 = default), got ${threads}`);
  }
  return threads;
}

export interface FallbackOutcome<S> {
  readonly value: S;
  readonly provider: ExecutionProviderName;
  /** Every provider tried before `provider`, with the reason it failed (plus the plan's skipped ones). */
  readonly fallbacks: readonly ProviderFailure[];
}

/**
 * Tries `create` with each candidate in turn and returns the first that works. Providers in `knownBad` (failed
 * earlier in this process for another model) are skipped with their recorded reason. When every candidate fails the
 * last error is rethrown: then the model itself is at fault, not a provider.
 */
export async function createWithFallback<S>(
  plan: ProviderPlan,
  create: (provider: ExecutionProviderName) => Promise<S>,
  knownBad: ReadonlyMap<ExecutionProviderName, string> = new Map(),
): Promise<FallbackOutcome<S>> {
  const fallbacks: ProviderFailure[] = [...plan.skipped];
  let lastError: unknown;
  for (const provider of plan.candidates) {
    const bad = knownBad.get(provider);
    if (bad !== undefined && provider !== 'cpu') {
      fallbacks.push({ provider, reason: bad });
      continue;
    }
    try {
      return { value: await create(provider), provider, fallbacks };
    } catch (e) {
      lastError = e;
      fallbacks.push({ provider, reason: firstLine(e) });
    }
  }
  throw lastError ?? new Error('no execution provider to try');
}

/** One line of an error message (onnxruntime prefixes native errors with source paths and can span lines). */
export function firstLine(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  // Native asserts read "<file>.cc:136 <function> <condition> was false. <reason>": keep the reason.
  const assert = /was false\.\s*([\s\S]+)$/.exec(msg);
  if (assert) msg = assert[1]!;
  const line = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** A short human summary, e.g. "cpu (webgpu failed: Failed to get a WebGPU adapter ...)". */
export function describeProvider(provider: string, fallbacks: readonly ProviderFailure[]): string {
  if (fallbacks.length === 0) return provider;
  return `${provider} (${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')})`;
}
