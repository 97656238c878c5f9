import { describe, expect, it } from 'vitest';
import { largeFileMessage, lensTitle, statusText, treeDescription } from '../../../src/extension/summaryText';
import { result, row } from './builders';

function resultWith(overlap: number, total: number, pgr: number | null) {
  const rows = Array.from({ length: total }, (_, i) => row(i, i + 1, i < overlap ? 'overlap' : 'easy'));
  return result(rows, { pgr });
}

describe('summary text', () => {
  it('writes the CodeLens line the way the issue specifies', () => {
    const r = resultWith(412, 1784, 0.41);
    expect(lensTitle(r)).toBe('overlap density 23.1% · regime medium · PGR 0.41 · 412 overlap rows');
  });

  it('says n/a for an undefined PGR and uses the singular for one row', () => {
    const r = resultWith(1, 10, null);
    expect(lensTitle(r)).toBe('overlap density 10.0% · regime medium · PGR n/a · 1 overlap row');
  });

  it('puts density and regime in the tree and the status bar, and a warning when stale', () => {
    const r = resultWith(412, 1784, 0.41);
    expect(treeDescription(r)).toBe('23.1% · medium');
    expect(statusText(r, false)).toBe('$(graph) Overlap 23.1% · medium');
    expect(statusText(r, true)).toContain('out of date');
  });

  it('explains why editor features are off on big files', () => {
    expect(largeFileMessage('big.jsonl', 120 * 1024 * 1024)).toMatch(/big\.jsonl is 120 MB.*over 50 MB.*Analysis still runs/);
  });
});
