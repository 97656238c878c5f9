/**
 * Activation cache: encoder outputs stored as `.npy` under `<dataDir>/.overlap/cache/` (or a configured folder), so a
 * second analysis of unchanged data runs no inference. The key covers the dataset's content hash, the encoder id and
 * everything that changes its output (vocabulary size K, model and tokenizer file hashes, token limit), plus a hash
 * of the texts themselves (a different text field or row filter must not hit). Files are written atomically, and
 * only after an encode finished, so a cancelled run leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/**
 * What is stored beside the matrix so a cache hit reports the same warnings as the run that filled it, with the
 * SHA-256 of the `.npy` bytes: a cache file changed after it was written (edited, replaced, half-copied) is
 * recomputed, never trusted.
 */
interface CacheSidecar {
  encoder: string;
  cacheIdentity: string;
  rows: number;
  cols: number;
  truncatedRows: number[];
  emptyRows: number[];
  warnings: Warning[];
  sha256: string;
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const isRowList = (v: unknown, rows: number): v is number[] =>
  Array.isArray(v) && v.every((i) => Number.isSafeInteger(i) && i >= 0 && i < rows);

/** A sidecar as written by `write`, for a matrix of `rows` rows; anything else is not one. */
function isSidecar(v: unknown, rows: number): v is CacheSidecar {
  const s = v as Partial<CacheSidecar> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.sha256 === 'string' && s.rows === rows && Number.isSafeInteger(s.cols) &&
    isRowList(s.truncatedRows, rows) && isRowList(s.emptyRows, rows) &&
    Array.isArray(s.warnings) && s.warnings.every((w) => typeof w === 'object' && w !== null && typeof (w as Warning).message === 'string')
  );
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

  /**
   * The cached result; undefined when missing, unreadable, of another shape, or when the `.npy` bytes no longer have
   * the checksum stored when they were written (then it is recomputed; `changed` says why).
   */
  async read(key: string, rows: number): Promise<EncodeResult | { changed: string } | undefined> {
    const { path } = this.entry(key);
    try {
      const sidecar: unknown = JSON.parse(await readFile(sidecarPath(path), 'utf8'));
      if (!isSidecar(sidecar, rows)) return undefined;
      const bytes = await readFile(path);
      if (sha256Hex(bytes) !== sidecar.sha256) return { changed: `${basename(path)} changed after it was written (its checksum does not match)` };
      const embeddings: Matrix<Float32Array> = readNpyMatrix(bytes, path);
      if (embeddings.rows !== rows || embeddings.cols !== sidecar.cols) return undefined;
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
    const npy = writeNpy(embeddings.data, [embeddings.rows, embeddings.cols]);
    const sidecar: CacheSidecar = {
      encoder: encoder.id,
      cacheIdentity: encoder.cacheIdentity,
      rows: embeddings.rows,
      cols: embeddings.cols,
      truncatedRows: result.truncatedRows,
      emptyRows: result.emptyRows,
      warnings: result.warnings,
      sha256: sha256Hex(npy),
    };
    await writeFileAtomic(sidecarPath(path), Buffer.from(JSON.stringify(sidecar)));
    await writeFileAtomic(path, npy);
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

/** The progress detail of a cache hit; the stage reads "activations from cache (<encoder>)". */
export const FROM_CACHE = 'from cache';

/** Encodes through the cache: a hit reads the `.npy`; a miss encodes and then stores the result. */
export async function encodeWithCache(
  encoder: InferenceTextEncoder,
  texts: readonly string[],
  scope: CacheScope,
  opts: EncodeOptions = {},
): Promise<CachedEncodeResult> {
  const entry = scope.cache.entry(encodeCacheKey(encoder, texts, scope));
  const hit = await scope.cache.read(entry.key, texts.length);
  if (hit && !('changed' in hit)) {
    opts.progress?.(`activations from cache (${encoder.id})`, 1, FROM_CACHE);
    return { ...hit, fromCache: true, entry };
  }
  const result = await encoder.encodeDetailed(texts, opts);
  await scope.cache.write(entry.key, result, { id: encoder.id, cacheIdentity: encoder.info.cacheIdentity });
  const warnings = hit ? [...result.warnings, { message: `activation cache: ${hit.changed}; recomputed` }] : result.warnings;
  return { ...result, warnings, fromCache: false, entry };
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
