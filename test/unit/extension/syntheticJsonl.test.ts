import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';

describe('synthetic dataset file', () => {
  it('writes one row a line with label, membership and both activation vectors', () => {
    const data = generateSynthetic({ scenario: 'mixed', nOverlap: 10, nNonOverlap: 20, seed: 1 });
    const lines = syntheticJsonl(data).trimEnd().split('\n');
    expect(lines.length).toBe(30);
    const rows = lines.map((l) => JSON.parse(l) as { label: number; membership: string; weak_acts: number[]; strong_acts: number[] });
    expect(rows.filter((r) => r.membership === 'overlap').length).toBe(10);
    expect(rows.filter((r) => r.membership === 'easy').length).toBe(10);
    expect(rows[0]!.strong_acts.length).toBe(40);
    expect(rows[0]!.label).toBe(data.labels[0]);
    expect(rows[3]!.strong_acts[5]).toBeCloseTo(data.strong.data[3 * 40 + 5]!, 4);
  });
});
