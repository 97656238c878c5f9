/** What every tokenizer of a bundled or user ONNX text encoder produces. Pure TypeScript: no Node APIs. */

/** One text's token ids, already cut to the length limit (special tokens such as [SEP] are kept). */
export interface Encoding {
  readonly ids: Int32Array;
  /** True when tokens were dropped to fit `maxLength`. */
  readonly truncated: boolean;
}

export interface TextTokenizer {
  /** Stable id for cache keys and results, e.g. `glove-k2000` or `use-lite-spm`. */
  readonly id: string;
  /** Longest id sequence the model accepts; longer texts are truncated and reported. */
  readonly maxLength: number;
  /** Id written into padding positions (their mask is 0 anyway). */
  readonly padId: number;
  /** Ids that the model must ignore (mask 0), e.g. GloVe's out-of-vocabulary id 0; undefined if none. */
  readonly ignoreId?: number;
  /** Tokenizes one text, keeping at most `maxLength` ids (default: the tokenizer's own limit). */
  encode(text: string, maxLength?: number): Encoding;
}

/** Keeps the first `maxLength` ids. */
export function truncateIds(ids: readonly number[] | Int32Array, maxLength: number): Encoding {
  const all = ids instanceof Int32Array ? ids : Int32Array.from(ids);
  return all.length > maxLength ? { ids: all.slice(0, maxLength), truncated: true } : { ids: all, truncated: false };
}
