/**
 * Activation cache: encoder outputs stored as `.npy` under `<dataDir>/.overlap/cache/` (or a configured folder), so a
 * second analysis of unchanged data runs no inference. The key covers the dataset's content hash, the encoder id and
 * everything that changes its output (vocabulary size K, model and tokenizer file hashes, token limit), plus a hash
 * of the texts themselves (a different text field or row filter must not hit). Files are written atomically, and
 * only after an encode finished, so a cancelled run leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { activationCacheKey } from '../core/activations/cacheKey';
import { writeFileAtomic } from '../core/activations/file';
import { readNpyMatrix, writeNpy } from '../core/activations/npy';
import type { Warning } from '../core/errors';
import type { Matrix } from '../core/linalg/matrix';
import type { EncodeOptions, EncodeResult, InferenceTextEncoder } from './types';

/** `<dataDir>/.overlap/cache` for a dataset file. */
export function defaultCacheDir(dataFile: string): string {
  return join(dirname(dataFile), '.overlap', 'cache');
}

/** SHA-256 of a list of texts (length-prefixed, so ["ab"] and ["a","b"] differ). */
export function textsHash(texts: readonly string[]): string {
  const hash = createHash('sha256');
  const len = Buffer.alloc(4);
  for (const t of texts) {
    const bytes = Buffer.from(t, 'utf8');
    len.writeUInt32LE(bytes.length);
    hash.update(len).update(bytes);
  }
  return hash.digest('hex');
}

/** What is stored beside the matrix so a cache hit reports the same warnings as the run that filled it. */
interface CacheSidecar {
  encoder: string;
  cacheIdentity: string;
  rows: number;
  cols: number;
  truncatedRows: number[];
  emptyRows: number[];
  warnings: Warning[];
}

export interface CacheEntry {
  key: string;
  /** The `.npy` file (with a `.json` sidecar of the same name). */
  path: string;
}

export class ActivationCache {
  constructor(readonly dir: string) {}

  entry(key: string): CacheEntry {
    return { key, path: join(this.dir, `${key}.npy`) };
  }

  /** The cached result, or undefined when missing, unreadable or of another shape (then it is recomputed). */
  async read(key: string, rows: number): Promise<EncodeResult | undefined> {
    const { path } = this.entry(key);
    try {
      const sidecar = JSON.parse(await readFile(sidecarPath(path), 'utf8')) as CacheSidecar;
      const embeddings: Matrix<Float32Array> = readNpyMatrix(await readFile(path), path);
      if (embeddings.rows !== rows || embeddings.rows !== sidecar.rows || embeddings.cols !== sidecar.cols) return undefined;
      return { embeddings, truncatedRows: sidecar.truncatedRows, emptyRows: sidecar.emptyRows, warnings: sidecar.warnings };
    } catch {
      return undefined;
    }
  }

  /** Stores a finished result: sidecar first, matrix last, each atomically; the matrix's presence marks completion. */
  async write(key: string, result: EncodeResult, encoder: { id: string; cacheIdentity: string }): Promise<void> {
    const { path } = this.entry(key);
    await mkdir(this.dir, { recursive: true });
    const { embeddings } = result;
    const sidecar: CacheSidecar = {
      encoder: encoder.id,
      cacheIdentity: encoder.cacheIdentity,
      rows: embeddings.rows,
      cols: embeddings.cols,
      truncatedRows: result.truncatedRows,
      emptyRows: result.emptyRows,
      warnings: result.warnings,
    };
    await writeFileAtomic(sidecarPath(path), Buffer.from(JSON.stringify(sidecar)));
    await writeFileAtomic(path, writeNpy(embeddings.data, [embeddings.rows, embeddings.cols]));
  }
}

function sidecarPath(npyPath: string): string {
  return npyPath.replace(/\.npy$/, '.json');
}

export interface CacheScope {
  cache: ActivationCache;
  /** contentHash of the dataset file (core/activations/cacheKey.ts). */
  dataHash: string;
  /** Anything else of the caller's that changes the activations (e.g. the text field). */
  options?: Record<string, unknown>;
}

/** The cache key for these texts under this encoder. */
export function encodeCacheKey(encoder: InferenceTextEncoder, texts: readonly string[], scope: CacheScope): string {
  return activationCacheKey({
    contentHash: scope.dataHash,
    encoderId: encoder.id,
    options: { ...scope.options, encoder: encoder.info.cacheIdentity, texts: textsHash(texts) },
  });
}

export interface CachedEncodeResult extends EncodeResult {
  /** True when the result came from the cache and no inference ran. */
  fromCache: boolean;
  entry: CacheEntry;
}

/** Encodes through the cache: a hit reads the `.npy`; a miss encodes and then stores the result. */
export async function encodeWithCache(
  encoder: InferenceTextEncoder,
  texts: readonly string[],
  scope: CacheScope,
  opts: EncodeOptions = {},
): Promise<CachedEncodeResult> {
  const entry = scope.cache.entry(encodeCacheKey(encoder, texts, scope));
  const hit = await scope.cache.read(entry.key, texts.length);
  if (hit) {
    opts.progress?.(`encode ${encoder.id}`, 1, 'from cache');
    return { ...hit, fromCache: true, entry };
  }
  const result = await encoder.encodeDetailed(texts, opts);
  await scope.cache.write(entry.key, result, { id: encoder.id, cacheIdentity: encoder.info.cacheIdentity });
  return { ...result, fromCache: false, entry };
}

/** The encoder seen through the cache: a drop-in TextEncoder for the pipeline. */
export function cachedEncoder(encoder: InferenceTextEncoder, scope: CacheScope): InferenceTextEncoder {
  return {
    id: encoder.id,
    dim: encoder.dim,
    info: encoder.info,
    encode: async (texts, opts) => (await encodeWithCache(encoder, texts, scope, opts)).embeddings,
    encodeDetailed: (texts, opts) => encodeWithCache(encoder, texts, scope, opts),
  };
}
