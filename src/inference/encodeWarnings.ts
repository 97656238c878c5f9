/**
 * The per-row warnings of an encode, in one place: the ONNX encoder writes them after a full encode, and the
 * activation cache rewrites them for a result it assembled from cached and freshly encoded rows (cache.ts), so
 * both say the same words with the same counts and positions.
 */
import type { Warning } from '../core/errors';

/** A text the encoders do not run: it becomes a zero vector (the rule of onnxEncoder.ts). */
export function isBlankText(text: unknown): boolean {
  return typeof text !== 'string' || text.trim() === '';
}

export interface RowFlags {
  /** Rows (0-based, input order) cut at the token limit. */
  truncated: readonly number[];
  /** Blank rows (zero vectors). */
  empty: readonly number[];
  /** Rows with no token the model knows (zero vectors). */
  unknown: readonly number[];
}

/** The encoder's notes, then one warning per kind of row problem, naming the first such row (1-based). */
export function encodeWarnings(id: string, maxTokens: number, notes: readonly string[], flags: RowFlags, total: number): Warning[] {
  const warnings: Warning[] = notes.map((message) => ({ message: `${id}: ${message}` }));
  const first = (rows: readonly number[]) => `(first: text ${rows[0]! + 1} of ${total})`;
  if (flags.truncated.length > 0) {
    warnings.push({ message: `${id}: ${flags.truncated.length} text(s) longer than ${maxTokens} tokens were truncated ${first(flags.truncated)}` });
  }
  if (flags.empty.length > 0) {
    warnings.push({ message: `${id}: ${flags.empty.length} empty text(s) were encoded as zero vectors ${first(flags.empty)}` });
  }
  if (flags.unknown.length > 0) {
    warnings.push({ message: `${id}: ${flags.unknown.length} text(s) have no token the model knows and were encoded as zero vectors ${first(flags.unknown)}` });
  }
  return warnings;
}
