import { describe, expect, it } from 'vitest';
import { bucketLength, encodeBatch, lengthSortedBatches, maskToInt64, padBatch, shapeStableBatches } from '../../../src/inference/tokenize/batch';
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

describe('shape-stable batches (each text padded by its own length only)', () => {
  it('bucketLength: steps of 4, 8, 16; never below the length, never past maxTokens unless the text is longer', () => {
    expect([1, 4, 5, 63, 64, 65, 127, 129].map((n) => bucketLength(n, 512))).toEqual([4, 4, 8, 64, 64, 72, 128, 144]);
    expect(bucketLength(126, 128)).toBe(128);
    expect(bucketLength(7, 6)).toBe(7);
  });

  it('never mixes buckets, pads each batch to its bucket, keeps batchSize, covers every row once', () => {
    const lengths = [5, 1, 9, 1, 3, 7, 2, 8, 4];
    const batches = shapeStableBatches(lengths, 2, 512);
    expect(batches).toEqual([
      { rows: [1, 3], seqLen: 4 },
      { rows: [6, 4], seqLen: 4 },
      { rows: [8], seqLen: 4 },
      { rows: [0, 5], seqLen: 8 },
      { rows: [7], seqLen: 8 },
      { rows: [2], seqLen: 12 },
    ]);
    expect(() => shapeStableBatches(lengths, 0, 512)).toThrow(/positive integer/);
  });

  it('padBatch pads to the given length and adds filler rows up to minRows', () => {
    const b = padBatch([{ ids: Int32Array.from([7, 8]), truncated: false }], { padId: 0 }, { seqLen: 4, minRows: 2 });
    expect(b.batch).toBe(2);
    expect(b.seqLen).toBe(4);
    expect([...b.inputIds]).toEqual([7n, 8n, 0n, 0n, 7n, 8n, 0n, 0n]);
    expect([...b.mask]).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });
});
