import { describe, expect, it } from 'vitest';
import { gloveTokenizer, gloveWords } from '../../../src/inference/tokenize/glove';

const vocab = ['the', ',', '.', 'of', 'movie', 'good', 'was', '!', '3'];

describe('gloveWords', () => {
  it('lower-cases and splits into [a-z0-9]+ runs and single other characters', () => {
    expect(gloveWords("The Movie's 3D-effects, WOW!!")).toEqual(['the', 'movie', "'", 's', '3d', '-', 'effects', ',', 'wow', '!', '!']);
    expect(gloveWords('  \t\n ')).toEqual([]);
    expect(gloveWords('café 😀')).toEqual(['caf', 'é', '😀']);
  });
});

describe('gloveTokenizer', () => {
  it('maps the word of rank r to id r + 1 and ranks >= K to the OOV id 0', () => {
    expect(Array.from(gloveTokenizer(vocab, 9).encode('The movie was good!').ids)).toEqual([1, 5, 7, 6, 8]);
    // K = 5 keeps the, ",", ".", of, movie: was/good/! become OOV.
    const k5 = gloveTokenizer(vocab, 5);
    expect(Array.from(k5.encode('The movie was good!').ids)).toEqual([1, 5, 0, 0, 0]);
    expect(k5.id).toBe('glove-k5');
    expect(k5.ignoreId).toBe(0);
  });

  it('truncates at maxLength and reports it', () => {
    const tok = gloveTokenizer(vocab, 9, { maxLength: 3 });
    expect(tok.encode('the the the the')).toEqual({ ids: Int32Array.from([1, 1, 1]), truncated: true });
    expect(tok.encode('the the', 10).truncated).toBe(false);
  });

  it('rejects a K outside 1..vocabulary size with an actionable message', () => {
    expect(() => gloveTokenizer(vocab, 0)).toThrow(/between 1 and 9, got 0/);
    expect(() => gloveTokenizer(vocab, 10)).toThrow(/between 1 and 9/);
  });
});
