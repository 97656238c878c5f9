import { describe, expect, it } from 'vitest';
import { compareResults } from '../../../src/core/report/compare';
import { comparisonPage } from '../../../src/extension/compareText';
import { result, row } from './builders';

const names = { dataset: 'reviews.jsonl', earlier: 'baseline', later: 'now' };

describe('comparisonPage', () => {
  it('puts the numbers side by side, the changes per category and the changed rows with their lines', () => {
    const before = result([row(0, 1, 'overlap'), row(1, 2, 'overlap'), row(2, 3, 'easy'), row(3, 4, 'hard')], { createdAt: '2026-12-01T10:00:00.000Z' });
    const after = result([row(0, 1, 'overlap'), row(1, 2, 'easy'), row(2, 3, 'easy'), row(3, 4, 'hard')], { createdAt: '2026-12-02T10:00:00.000Z', pgr: 0.3 });
    const page = comparisonPage(compareResults(before, after), names);
    expect(page).toContain('| overlap density | 50.0% | 25.0% | -25.0 points |');
    expect(page).toContain('| PGR | 0.41 | 0.30 | -0.11 |');
    expect(page).toContain('| analysed | 2026\\-12\\-01T10\\:00\\:00\\.000Z | 2026\\-12\\-02T10\\:00\\:00\\.000Z | same file contents |');
    expect(page).toContain('Rows paired by row number (the file is unchanged): 4. 1 paired row changed category.');
    expect(page).toContain('| overlap | easy\\-only | 1 |');
    expect(page).toContain('| 2 | 2 | overlap | easy\\-only |');
  });

  it('says why rows were not compared when they cannot be paired, and escapes data', () => {
    const before = result([row(0, 1, 'overlap')]);
    const after = result([row(0, 1, 'easy')], { dataset: { ...before.dataset, contentHash: 'other' } });
    const page = comparisonPage(compareResults(before, after), { ...names, dataset: '![x](https://example.invalid/t.png)' });
    expect(page).toContain('Rows were not compared: the two results describe different file contents');
    expect(page).toContain('file contents changed');
    expect(page).not.toContain('![x]');
    expect(page).toContain('\\!\\[x\\]');
  });

  it('pairs rows by text across an edit and counts rows gone and new in words', () => {
    const before = result([row(0, 1, 'overlap'), row(1, 2, 'hard'), row(2, 3, 'easy')]);
    const after = result([row(0, 1, 'easy'), row(1, 2, 'easy'), row(2, 3, 'hard')], { dataset: { ...before.dataset, contentHash: 'other' } });
    // Row 2 of the earlier file was edited (its text changed); the others moved one line down in the new file.
    const page = comparisonPage(compareResults(before, after, ['a', 'b', 'c'], ['new', 'a', 'c']), names);
    expect(page).toContain('Rows paired by their text: 2; 1 earlier row is gone or edited, 1 row is new or edited. 2 paired rows changed category.');
    expect(page).toContain('| 2 | 2 | overlap | easy\\-only |');
    expect(page).toContain('| 3 | 3 | easy\\-only | hard\\-only |');
  });
});
