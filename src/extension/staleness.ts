/**
 * Whether a results file still describes the document: the sha256 of the document's text must equal the hash
 * the pipeline recorded (`result.dataset.contentHash`), or a hash this extension knows to be line-equivalent
 * (the text right after Annotate Dataset, whose edits keep every row on its line).
 */
import { createHash } from 'node:crypto';
import type { AnalysisResult } from '../core/result/schema';

export function sha256Hex(data: string | Uint8Array): string {
  const h = createHash('sha256');
  if (typeof data === 'string') h.update(data, 'utf8');
  else h.update(data);
  return h.digest('hex');
}

/** Accepts "abc..." and "sha256:abc..." spellings. */
export function normalizeHash(hash: string): string {
  return hash.toLowerCase().replace(/^sha256:/, '');
}

export type Freshness = 'fresh' | 'stale' | 'unknown';

/**
 * `unknown` when the results carry no hash (then decorations are shown: nothing better is known);
 * `fresh` when any of the candidate hashes (document text, bytes on disk) matches the recorded or an equivalent one.
 */
export function freshness(
  result: AnalysisResult,
  candidates: readonly string[],
  equivalent: readonly string[] = [],
): Freshness {
  const recorded = result.dataset.contentHash;
  if (recorded === undefined || recorded === '') return 'unknown';
  const ok = new Set([normalizeHash(recorded), ...equivalent.map(normalizeHash)]);
  return candidates.some((c) => ok.has(normalizeHash(c))) ? 'fresh' : 'stale';
}
