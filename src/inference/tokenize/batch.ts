/**
 * Turns tokenized texts into the padded [batch, seqLen] tensors an ONNX text encoder takes, and orders texts by
 * length so that batches carry little padding (padding costs as much compute as real tokens).
 */
import type { Encoding, TextTokenizer } from './types';

export interface TokenBatch {
  readonly batch: number;
  /** Longest kept sequence in the batch (at least 1, so tensors never have a zero dimension). */
  readonly seqLen: number;
  /** [batch, seqLen] row-major ids; padding holds the tokenizer's padId. */
  readonly inputIds: BigInt64Array;
  /** [batch, seqLen] 1 for tokens the model should read, 0 for padding and ignored ids. */
  readonly mask: Float32Array;
  /** Kept ids per row (after truncation, ignored ids included). */
  readonly lengths: Int32Array;
  /** Rows (indices into the batch) whose text was cut at the length limit. */
  readonly truncated: readonly number[];
}

export interface PadOptions {
  padId: number;
  /** Ids that get mask 0 although present (GloVe out-of-vocabulary). */
  ignoreId?: number;
}

/** Pads encodings to the longest one. */
export function padBatch(encodings: readonly Encoding[], opts: PadOptions): TokenBatch {
  const batch = encodings.length;
  let seqLen = 1;
  for (const e of encodings) seqLen = Math.max(seqLen, e.ids.length);
  const inputIds = new BigInt64Array(batch * seqLen).fill(BigInt(opts.padId));
  const mask = new Float32Array(batch * seqLen);
  const lengths = new Int32Array(batch);
  const truncated: number[] = [];
  for (let b = 0; b < batch; b++) {
    const { ids, truncated: cut } = encodings[b]!;
    const row = b * seqLen;
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t]!;
      inputIds[row + t] = BigInt(id);
      mask[row + t] = id === opts.ignoreId ? 0 : 1;
    }
    lengths[b] = ids.length;
    if (cut) truncated.push(b);
  }
  return { batch, seqLen, inputIds, mask, lengths, truncated };
}

/** Tokenizes and pads a batch of texts, truncating each at `maxLength` (default: the tokenizer's model limit). */
export function encodeBatch(tokenizer: TextTokenizer, texts: readonly string[], maxLength = tokenizer.maxLength): TokenBatch {
  const padOpts: PadOptions = { padId: tokenizer.padId };
  if (tokenizer.ignoreId !== undefined) padOpts.ignoreId = tokenizer.ignoreId;
  return padBatch(
    texts.map((t) => tokenizer.encode(t, maxLength)),
    padOpts,
  );
}

/** The mask as int64, for models (HuggingFace exports) whose attention_mask input is int64. */
export function maskToInt64(mask: Float32Array): BigInt64Array {
  const out = new BigInt64Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 1n : 0n;
  return out;
}

/**
 * Groups row indices into batches of at most `batchSize`, rows sorted by length (stable, ascending), so each batch
 * pads to nearly its own rows' length. Callers scatter results back through the returned indices.
 */
export function lengthSortedBatches(lengths: ArrayLike<number>, batchSize: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
