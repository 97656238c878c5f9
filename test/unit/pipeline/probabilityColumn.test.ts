import { describe, expect, it } from 'vitest';
import { probabilityColumn } from '../../../src/pipeline/weakVotes';

const where = { file: 'p.jsonl', field: 'p', lines: [4] };

describe('probability columns (--weak prob:FIELD)', () => {
  it('refuses a class-probability vector that does not sum to 1, naming file and line', () => {
    expect(() => probabilityColumn([[0.9, 0.8]], 2, where)).toThrow(/p\.jsonl:4: field "p" sums to 1\.7, not 1: 2 class probabilities must sum to 1 \(within 1e-6\)/);
    expect(() => probabilityColumn([[0.2, 0.2, 0.2]], 3, where)).toThrow(/sums to 0\.6, not 1/);
  });

  it('refuses an entry outside [0, 1], naming its position', () => {
    expect(() => probabilityColumn([[1.5, -0.5]], 2, where)).toThrow(/p\.jsonl:4: field "p" has 1\.5 at position 0, not a probability in \[0, 1\]/);
    expect(() => probabilityColumn([[0.5, -0.1, 0.6]], 3, where)).toThrow(/has -0\.1 at position 1/);
  });

  it('accepts vectors that sum to 1 within 1e-6, and the text of one in a CSV cell', () => {
    expect(Array.from(probabilityColumn([[0.1, 0.2, 0.7]], 3, where))).toEqual([0.1 / 1.0, 0.2, 0.7].map((x) => x / (0.1 + 0.2 + 0.7)));
    expect(Array.from(probabilityColumn([[0.3333333, 0.3333333, 0.3333334]], 3, where)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Array.from(probabilityColumn(['[0.25, 0.75]'], 2, where))).toEqual([0.25, 0.75]);
    expect(() => probabilityColumn(['[0.25, 0.7'], 2, where)).toThrow(/p\.jsonl:4: field "p" is not a valid array of numbers/);
  });
});
