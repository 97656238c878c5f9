import { describe, expect, it } from 'vitest';
import { encodeBatch, lengthSortedBatches, maskToInt64, padBatch } from '../../../src/inference/tokenize/batch';
import { gloveTokenizer } from '../../../src/inference/tokenize/glove';

describe('padBatch', () => {
  it('pads to the longest row, masks padding and ignored ids, and lists truncated rows', () => {
    const b = padBatch(
      [
        { ids: Int32Array.from([5, 0, 7]), truncated: false },
        { ids: Int32Array.from([9]), truncated: true },
      ],
      { padId: 3, ignoreId: 0 },
    );
    expect([b.batch, b.seqLen]).toEqual([2, 3]);
    expect(Array.from(b.inputIds)).toEqual([5n, 0n, 7n, 9n, 3n, 3n]);
    expect(Array.from(b.mask)).toEqual([1, 0, 1, 1, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([3, 1]);
    expect(b.truncated).toEqual([1]);
    expect(Array.from(maskToInt64(b.mask))).toEqual([1n, 0n, 1n, 1n, 0n, 0n]);
  });

  it('keeps at least one (masked) column when every text is empty', () => {
    const b = encodeBatch(gloveTokenizer(['a'], 1), ['', '  ']);
    expect([b.batch, b.seqLen]).toEqual([2, 1]);
    expect(Array.from(b.mask)).toEqual([0, 0]);
  });

  it('truncates each text at the given limit', () => {
    const b = encodeBatch(gloveTokenizer(['a', 'b'], 2), ['a b a b', 'a'], 2);
    expect(b.seqLen).toBe(2);
    expect(b.truncated).toEqual([0]);
  });
});

describe('lengthSortedBatches', () => {
  it('covers every row once, in ascending length, in batches of at most batchSize', () => {
    const lengths = [5, 1, 9, 1, 3, 7, 2];
    const batches = lengthSortedBatches(lengths, 3);
    expect(batches).toEqual([
      [1, 3, 6],
      [4, 0, 5],
      [2],
    ]);
    expect(() => lengthSortedBatches(lengths, 0)).toThrow(/positive integer/);
  });
});
