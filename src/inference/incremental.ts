/**
 * Re-encoding only the rows whose text changed (issue 17, item 2). Every cache entry keeps a hash per row
 * (`ROW_HASH_BYTES` of SHA-256 over the text's UTF-16 code units, so even lone surrogates stay distinct); a miss
 * maps the new texts onto the previous entry of the same file and encoder, encodes the texts it lacks once each,
 * and assembles the matrix in the new row order. Pure functions: cache.ts does the reading and writing.
 */
import { createHash } from 'node:crypto';
import type { Matrix } from '../core/linalg/matrix';
import { encodeWarnings, isBlankText } from './encodeWarnings';
import type { EncodeResult, EncoderInfo } from './types';

export const ROW_HASH_BYTES = 16;

/** n x ROW_HASH_BYTES bytes: the truncated SHA-256 of each text. */
export function rowHashes(texts: readonly string[]): Uint8Array {
  const out = new Uint8Array(texts.length * ROW_HASH_BYTES);
  for (let i = 0; i < texts.length; i++) {
    const digest = createHash('sha256').update(texts[i]!, 'utf16le').digest();
    out.set(digest.subarray(0, ROW_HASH_BYTES), i * ROW_HASH_BYTES);
  }
  return out;
}

/** Row `i`'s hash as a Map key. */
function hashKey(hashes: Uint8Array, i: number): string {
  return Buffer.from(hashes.buffer, hashes.byteOffset + i * ROW_HASH_BYTES, ROW_HASH_BYTES).toString('latin1');
}

export interface ReusePlan {
  /** Per new row: the previous entry's row holding its vector, or -1 when it is encoded now. */
  from: Int32Array;
  /** Per new row: its position in `encode`, or -1 when it is reused. */
  encodeIndex: Int32Array;
  /** The texts to encode, each distinct text once, in order of first appearance. */
  encode: string[];
  /** New rows whose vector comes from the previous entry. */
  reused: number;
}

/** Which rows of `texts` (hashes `hashes`) the previous entry (hashes `previous`) already holds. */
export function planReuse(previous: Uint8Array, texts: readonly string[], hashes: Uint8Array): ReusePlan {
  const known = new Map<string, number>();
  const prevRows = Math.floor(previous.length / ROW_HASH_BYTES);
  for (let r = prevRows - 1; r >= 0; r--) known.set(hashKey(previous, r), r);
  const from = new Int32Array(texts.length).fill(-1);
  const encodeIndex = new Int32Array(texts.length).fill(-1);
  const pending = new Map<string, number>();
  const encode: string[] = [];
  let reused = 0;
  for (let i = 0; i < texts.length; i++) {
    const key = hashKey(hashes, i);
    const r = known.get(key);
    if (r !== undefined) {
      from[i] = r;
      reused++;
      continue;
    }
    let j = pending.get(key);
    if (j === undefined) {
      j = encode.length;
      pending.set(key, j);
      encode.push(texts[i]!);
    }
    encodeIndex[i] = j;
  }
  return { from, encodeIndex, encode, reused };
}

/**
 * The result a full encode of `texts` gives, from the previous entry's rows and the fresh encode of `plan.encode`:
 * vectors copied bit for bit, truncated and zero rows carried over, and the warnings written again for the new rows
 * (counts and first positions) with the words the encoder uses.
 */
export function assembleResult(
  plan: ReusePlan,
  texts: readonly string[],
  previous: EncodeResult,
  fresh: EncodeResult | undefined,
  info: Pick<EncoderInfo, 'id' | 'maxTokens' | 'notes'>,
): EncodeResult {
  const cols = previous.embeddings.cols;
  if (fresh && fresh.embeddings.rows > 0 && fresh.embeddings.cols !== cols) {
    throw new Error(`${info.id}: fresh vectors have ${fresh.embeddings.cols} columns, the cached ones ${cols}`);
  }
  const n = texts.length;
  const data = new Float32Array(n * cols);
  const prevTruncated = new Set(previous.truncatedRows);
  const prevZero = new Set(previous.emptyRows);
  const freshTruncated = new Set(fresh?.truncatedRows ?? []);
  const freshZero = new Set(fresh?.emptyRows ?? []);
  const truncated: number[] = [];
  const zero: number[] = [];
  const empty: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = plan.from[i]!;
    let isTruncated: boolean;
    let isZero: boolean;
    if (r >= 0) {
      data.set(previous.embeddings.data.subarray(r * cols, (r + 1) * cols), i * cols);
      isTruncated = prevTruncated.has(r);
      isZero = prevZero.has(r);
    } else {
      const j = plan.encodeIndex[i]!;
      data.set(fresh!.embeddings.data.subarray(j * cols, (j + 1) * cols), i * cols);
      isTruncated = freshTruncated.has(j);
      isZero = freshZero.has(j);
    }
    if (isTruncated) truncated.push(i);
    if (isZero) {
      zero.push(i);
      (isBlankText(texts[i]) ? empty : unknown).push(i);
    }
  }
  const embeddings: Matrix<Float32Array> = { rows: n, cols, data };
  return {
    embeddings,
    truncatedRows: truncated,
    emptyRows: zero,
    warnings: encodeWarnings(info.id, info.maxTokens, info.notes ?? [], { truncated, empty, unknown }, n),
  };
}
