/**
 * Activation cache: encoder outputs stored as `.npy` under `<dataDir>/.overlap/cache/` (or a configured folder), so a
 * second analysis of unchanged data runs no inference. The key covers the dataset's content hash, the encoder id and
 * everything that changes its output (vocabulary size K, model and tokenizer file hashes, token limit), plus a hash
 * of the texts themselves (a different text field or row filter must not hit). Files are written atomically, and
 * only after an encode finished, so a cancelled run leaves nothing behind.
 *
 * After an edit (a miss), only the rows whose text is not in the previous entry of the same file and encoder are
 * encoded (incremental.ts): each entry keeps a `.rows` file of per-row text hashes, and a small
 * `<lineage>.latest.json` per (file, encoder, options) names the newest entry. Writing a new entry removes the one it
 * replaces, so the cache holds one entry per file and encoder (plus entries that other pointers still name).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { activationCacheKey } from '../core/activations/cacheKey';
import { CHUNKED_READ_BYTES, readActivationFile, sha256File, writeFileAtomic } from '../core/activations/file';
import { readNpyMatrix, writeNpy } from '../core/activations/npy';
import type { Warning } from '../core/errors';
import type { Matrix } from '../core/linalg/matrix';
import { throwIfAborted } from '../core/encoder';
import { assembleResult, planReuse, ROW_HASH_BYTES, rowHashes } from './incremental';
import type { EncodeOptions, EncodeResult, InferenceTextEncoder } from './types';
import { cacheDir } from '../core/layout';

/** `<dataDir>/.overlap/cache` for a dataset file. */
export function defaultCacheDir(dataFile: string): string {
  return cacheDir(dataFile);
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
  /** SHA-256 of the `.rows` file (per-row text hashes); absent in entries written before it existed. */
  rowHashesSha256?: string;
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
  constructor(
    readonly dir: string,
    /**
     * Entries from this size on are hashed as a stream and read in chunks (readActivationFile): Node reads at most
     * 2 GiB at once, so a whole read of a bigger entry failed and every run was a silent miss (re-encoding).
     */
    private readonly streamFrom = CHUNKED_READ_BYTES,
  ) {}

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
      const changed = { changed: `${basename(path)} changed after it was written (its checksum does not match)` };
      let embeddings: Matrix<Float32Array>;
      if ((await stat(path)).size >= this.streamFrom) {
        if ((await sha256File(path)) !== sidecar.sha256) return changed;
        embeddings = await readActivationFile(path, { chunkedFrom: 0 });
      } else {
        const bytes = await readFile(path);
        if (sha256Hex(bytes) !== sidecar.sha256) return changed;
        embeddings = readNpyMatrix(bytes, path);
      }
      if (embeddings.rows !== rows || embeddings.cols !== sidecar.cols) return undefined;
      return { embeddings, truncatedRows: sidecar.truncatedRows, emptyRows: sidecar.emptyRows, warnings: sidecar.warnings };
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a finished result: sidecar first, row hashes next, matrix last, each atomically; the matrix's presence
   * marks completion.
   */
  async write(key: string, result: EncodeResult, encoder: { id: string; cacheIdentity: string }, hashes?: Uint8Array): Promise<void> {
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
      ...(hashes ? { rowHashesSha256: sha256Hex(hashes) } : {}),
    };
    await writeFileAtomic(sidecarPath(path), Buffer.from(JSON.stringify(sidecar)));
    if (hashes) await writeFileAtomic(rowsPath(path), hashes);
    await writeFileAtomic(path, npy);
  }

  /**
   * The entry a lineage's pointer names, with its row hashes, when it is whole and unchanged (checksums of the
   * matrix and the row hashes); undefined otherwise. Only this one previous entry is ever read.
   */
  async readBase(lineage: string, except: string): Promise<{ key: string; result: EncodeResult; hashes: Uint8Array } | undefined> {
    const key = await this.latest(lineage);
    if (!key || key === except) return undefined;
    const { path } = this.entry(key);
    try {
      const hashes = new Uint8Array(await readFile(rowsPath(path)));
      if (hashes.length % ROW_HASH_BYTES !== 0) return undefined;
      const sidecar: unknown = JSON.parse(await readFile(sidecarPath(path), 'utf8'));
      const rows = hashes.length / ROW_HASH_BYTES;
      if (!isSidecar(sidecar, rows) || sidecar.rowHashesSha256 !== sha256Hex(hashes)) return undefined;
      const hit = await this.read(key, rows);
      return hit && !('changed' in hit) ? { key, result: hit, hashes } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The key the lineage's pointer names; undefined when there is none or it is not a key this cache writes. */
  async latest(lineage: string): Promise<string | undefined> {
    try {
      const text = await readFile(pointerPath(this.dir, lineage), 'utf8');
      if (text.length > MAX_POINTER_BYTES) return undefined;
      const key = (JSON.parse(text) as { key?: unknown } | null)?.key;
      return typeof key === 'string' && CACHE_KEY.test(key) ? key : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Points the lineage at `key` and removes the entry it pointed at before, unless another lineage's pointer still
   * names it (two files with the same bytes share entries). Disk: one entry per lineage.
   */
  async setLatest(lineage: string, key: string): Promise<void> {
    const before = await this.latest(lineage);
    if (before === key) return;
    await writeFileAtomic(pointerPath(this.dir, lineage), JSON.stringify({ key }));
    if (before && !(await this.isNamedByAnotherPointer(before, lineage))) await this.remove(before);
  }

  private async isNamedByAnotherPointer(key: string, lineage: string): Promise<boolean> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith(POINTER_SUFFIX) || name === `${lineage}${POINTER_SUFFIX}`) continue;
      if ((await this.latest(name.slice(0, -POINTER_SUFFIX.length))) === key) return true;
    }
    return false;
  }

  /** Removes an entry's files, the matrix first (an entry without it is incomplete, never read). */
  async remove(key: string): Promise<void> {
    const { path } = this.entry(key);
    for (const file of [path, sidecarPath(path), rowsPath(path)]) await unlink(file).catch(() => undefined);
  }
}

/** Keys as activationCacheKey writes them: a readable prefix and a hex digest, nothing that leaves the folder. */
const CACHE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}$/;
const POINTER_SUFFIX = '.latest.json';
const MAX_POINTER_BYTES = 1024;

function pointerPath(dir: string, lineage: string): string {
  return join(dir, `${lineage}${POINTER_SUFFIX}`);
}

function rowsPath(npyPath: string): string {
  return npyPath.replace(/\.npy$/, '.rows');
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
  /**
   * The dataset file the texts come from. With it, a miss re-encodes only the rows whose text the previous entry of
   * this file and encoder lacks; without it every miss encodes everything.
   */
  source?: string;
}

/** The cache key for these texts under this encoder. */
export function encodeCacheKey(encoder: InferenceTextEncoder, texts: readonly string[], scope: CacheScope): string {
  return activationCacheKey({
    contentHash: scope.dataHash,
    encoderId: encoder.id,
    options: { ...scope.options, encoder: encoder.info.cacheIdentity, texts: textsHash(texts) },
  });
}

/**
 * The cache key's lineage: the same encoder, identity and caller options for the same file, whatever its bytes.
 * Its pointer names the newest entry, the base of the next incremental encode.
 */
export function lineageKey(encoder: InferenceTextEncoder, scope: CacheScope & { source: string }): string {
  return activationCacheKey({
    contentHash: 'lineage',
    encoderId: encoder.id,
    options: { ...scope.options, encoder: encoder.info.cacheIdentity, source: resolve(scope.source) },
  });
}

export interface CachedEncodeResult extends EncodeResult {
  /** True when the result came from the cache and no inference ran. */
  fromCache: boolean;
  entry: CacheEntry;
  /** Rows whose vectors came from the cache (all of them on a hit; the unchanged ones after an edit). */
  reusedRows: number;
  /** Rows that were encoded now. */
  encodedRows: number;
}

/** The progress detail of a cache hit; the stage reads "activations from cache (<encoder>)". */
export const FROM_CACHE = 'from cache';

/** The progress detail of a partial hit: `from cache: <reused>/<total>`. */
const PARTIAL_PREFIX = 'from cache: ';

/** The share of rows a progress detail says came from the cache (1 for a hit), or undefined for other details. */
export function cachedShare(detail: string | undefined): number | undefined {
  if (detail === FROM_CACHE) return 1;
  if (!detail?.startsWith(PARTIAL_PREFIX)) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(detail.slice(PARTIAL_PREFIX.length));
  return m && Number(m[2]) > 0 ? Math.min(1, Number(m[1]) / Number(m[2])) : undefined;
}

const count = (n: number) => n.toLocaleString('en-US');

/** "activations: 9,998 from cache, 2 encoded (glove-mean-k2000)", the words the CLI and the editor show. */
export function partialCacheStage(reused: number, encoded: number, encoderId: string, done: boolean): string {
  return `activations: ${count(reused)} from cache, ${count(encoded)} ${done ? 'encoded' : 'to encode'} (${encoderId})`;
}

/**
 * Encodes through the cache: a hit reads the `.npy`; a miss encodes (with a `source`, only the rows the previous
 * entry of that file lacks) and then stores the result. Nothing is written before the encode finished.
 */
export async function encodeWithCache(
  encoder: InferenceTextEncoder,
  texts: readonly string[],
  scope: CacheScope,
  opts: EncodeOptions = {},
): Promise<CachedEncodeResult> {
  const { cache } = scope;
  const entry = cache.entry(encodeCacheKey(encoder, texts, scope));
  const lineage = scope.source ? lineageKey(encoder, { ...scope, source: scope.source }) : undefined;
  const hit = await cache.read(entry.key, texts.length);
  if (hit && !('changed' in hit)) {
    opts.progress?.(`activations from cache (${encoder.id})`, 1, FROM_CACHE);
    const note = lineage ? await cacheWriteNote(cache, () => cache.setLatest(lineage, entry.key)) : undefined;
    return { ...hit, warnings: note ? [...hit.warnings, { message: note }] : hit.warnings, fromCache: true, entry, reusedRows: texts.length, encodedRows: 0 };
  }
  const hashes = rowHashes(texts);
  const { result, reused } = await encodeMissing(encoder, texts, hashes, lineage ? await cache.readBase(lineage, entry.key) : undefined, opts);
  throwIfAborted(opts.signal);
  const note = await cacheWriteNote(cache, async () => {
    await cache.write(entry.key, result, { id: encoder.id, cacheIdentity: encoder.info.cacheIdentity }, hashes);
    if (lineage) await cache.setLatest(lineage, entry.key);
  });
  const warnings = [...result.warnings, ...(hit ? [{ message: `activation cache: ${hit.changed}; recomputed` }] : []), ...(note ? [{ message: note }] : [])];
  return { ...result, warnings, fromCache: false, entry, reusedRows: reused, encodedRows: texts.length - reused };
}

/** File-system refusals that make the cache unwritable there (a read-only mount, no permission, a full disk). */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT', 'ENOENT', 'ENOTDIR']);

/**
 * Runs a cache write; when the folder cannot be written (read-only data, no permission, a full disk) the activations
 * already computed are used all the same and the words say so: the cache saves time later, it is never a reason for
 * an analysis to fail. Any other error (a cancel among them) goes on.
 */
async function cacheWriteNote(cache: ActivationCache, write: () => Promise<void>): Promise<string | undefined> {
  try {
    await write();
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined || !UNWRITABLE.has(code)) throw e;
    return `activation cache: not written to ${cache.dir} (${code}: ${code === 'EROFS' ? 'a read-only file system' : code === 'ENOSPC' || code === 'EDQUOT' ? 'no space left' : 'the folder cannot be written'}); the activations were computed and used, and are computed again next time: --cache-dir DIR keeps them in a writable folder`;
  }
}

/** All of `texts` encoded, or only those the base entry lacks, assembled in the order of `texts`. */
async function encodeMissing(
  encoder: InferenceTextEncoder,
  texts: readonly string[],
  hashes: Uint8Array,
  base: { result: EncodeResult; hashes: Uint8Array } | undefined,
  opts: EncodeOptions,
): Promise<{ result: EncodeResult; reused: number }> {
  const plan = base && base.result.embeddings.cols === encoder.dim ? planReuse(base.hashes, texts, hashes) : undefined;
  if (!base || !plan || plan.reused === 0) return { result: await encoder.encodeDetailed(texts, opts), reused: 0 };
  const encoded = texts.length - plan.reused;
  const detail = `${PARTIAL_PREFIX}${plan.reused}/${texts.length}`;
  opts.progress?.(partialCacheStage(plan.reused, encoded, encoder.id, false), 0, detail);
  const fresh = plan.encode.length > 0 ? await encoder.encodeDetailed(plan.encode, opts) : undefined;
  const result = assembleResult(plan, texts, base.result, fresh, encoder.info);
  opts.progress?.(partialCacheStage(plan.reused, encoded, encoder.id, true), 1, detail);
  return { result, reused: plan.reused };
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
