import { createHash } from 'node:crypto';
import { sha256File } from './file';

/** SHA-256 (hex) of a file's bytes: given a Uint8Array, of those bytes; given a string, of the file at that path. */
export async function contentHash(input: Uint8Array | string): Promise<string> {
  if (typeof input === 'string') return sha256File(input);
  return createHash('sha256').update(input).digest('hex');
}

export interface ActivationCacheKeyParts {
  /** contentHash of the dataset file. */
  contentHash: string;
  /** The encoder's stable id, e.g. `glove-mean-k2000`. */
  encoderId: string;
  /** Anything else that changes the activations (text field, max length, pooling); must be JSON-serialisable. */
  options?: Record<string, unknown>;
}

/** Characters kept from the encoder id so the key stays readable in a file listing. */
const READABLE_PREFIX = 40;

/**
 * A short, filename-safe key for cached activations, e.g. `use-lite-3f9a0c1d2e4b5a69`. Equal inputs give equal keys
 * whatever the order of keys in `options`; any change to the data, encoder or options gives a different key.
 */
export function activationCacheKey(parts: ActivationCacheKeyParts): string {
  const canonical = canonicalJson({ contentHash: parts.contentHash, encoderId: parts.encoderId, options: parts.options ?? {} });
  const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
  const readable = parts.encoderId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, READABLE_PREFIX);
  return readable ? `${readable}-${digest}` : digest;
}

/** JSON with object keys sorted at every level and undefined members dropped, so equal values serialise equally. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return JSON.stringify(String(v));
  return JSON.stringify(v) ?? 'null';
}
