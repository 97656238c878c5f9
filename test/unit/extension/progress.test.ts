import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../../src/extension/progress';

describe('progress', () => {
  it('turns overall fractions into increments that add up to 100 and never go back', () => {
    const t = new ProgressTracker();
    const steps = [t.step('reading data', 0), t.step('encoding', 0.3, '120/400'), t.step('encoding', 0.2), t.step('mixing', 0.9), t.step('done', 1)];
    expect(steps.map((s) => s.increment)).toEqual([0, 30, 0, 60, 10]);
    expect(steps.reduce((a, s) => a + s.increment, 0)).toBe(100);
    expect(steps[1]!.message).toBe('encoding (120/400) · 30%');
    expect(steps[2]!.message).toBe('encoding · 30%');
    expect(t.step('x', Number.NaN).increment).toBe(0);
  });
});
