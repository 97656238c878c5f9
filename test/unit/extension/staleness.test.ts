import { describe, expect, it } from 'vitest';
import { freshness, sha256Hex } from '../../../src/extension/staleness';
import { result } from './builders';

describe('staleness', () => {
  const text = '{"a":1}\n';
  const hash = sha256Hex(text);
  it('hashes text as its UTF-8 bytes', () => {
    expect(sha256Hex(text)).toBe(sha256Hex(new TextEncoder().encode(text)));
    expect(hash).toBe('e346432021b04179518d9614f3560ccd71354a4ee101ddcb893d6959a9d6301c'); // sha256sum of the same bytes
  });
  it('is fresh when a candidate hash matches, stale otherwise, unknown without a recorded hash', () => {
    const r = result([]);
    r.dataset.contentHash = hash;
    expect(freshness(r, [hash])).toBe('fresh');
    expect(freshness(r, [sha256Hex('{"a":2}\n')])).toBe('stale');
    r.dataset.contentHash = `sha256:${hash.toUpperCase()}`;
    expect(freshness(r, [hash])).toBe('fresh');
    delete r.dataset.contentHash;
    expect(freshness(r, ['x'])).toBe('unknown');
  });
  it('accepts a text known to be line-equivalent (after Annotate)', () => {
    const r = result([]);
    r.dataset.contentHash = hash;
    const annotated = sha256Hex('{"a":1, "overlap_category": "easy"}\n');
    expect(freshness(r, [annotated])).toBe('stale');
    expect(freshness(r, [annotated], [annotated])).toBe('fresh');
  });
});
