import { describe, expect, it } from 'vitest';
import { loadHfTokenizer, onigToJs, TokenizerJsonError } from '../../../src/inference/tokenize/huggingface';

/** A tiny BERT-style tokenizer.json (vocabulary given as a token list; id = position). */
function bertJson(tokens: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  return {
    version: '1.0',
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => ({ id: vocab[t], content: t, special: true, normalized: false })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', vocab['[SEP]']], cls: ['[CLS]', vocab['[CLS]']] },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    ...extra,
  };
}

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'movie', 'was', 'great', 'un', '##believ', '##able', '!', ',', 'cafe', '中'];

describe('loadHfTokenizer (WordPiece, BERT style)', () => {
  const tok = loadHfTokenizer(bertJson(VOCAB), { maxLength: 8 });

  it('lower-cases, strips accents, splits punctuation and CJK, and wraps in [CLS] ... [SEP]', () => {
    expect(tok.tokens('The MOVIE was unbelievable!')).toEqual(['[CLS]', 'the', 'movie', 'was', 'un', '##believ', '##able', '!', '[SEP]']);
    expect(tok.tokens('Café,中xyz')).toEqual(['[CLS]', 'cafe', ',', '中', '[UNK]', '[SEP]']);
    expect(tok.modelType).toBe('WordPiece');
    expect(tok.specialTokenCount).toBe(2);
    expect(tok.padId).toBe(0);
  });

  it('matches special tokens in the raw text before normalisation', () => {
    expect(tok.tokens('the [MASK] was great')).toEqual(['[CLS]', 'the', '[MASK]', 'was', 'great', '[SEP]']);
  });

  it('truncates the content and keeps [SEP] last', () => {
    const e = tok.encode('the movie was great the movie was great');
    expect(e.ids.length).toBe(8);
    expect(e.truncated).toBe(true);
    expect(e.ids[0]).toBe(2);
    expect(e.ids[7]).toBe(3);
    expect(tok.encode('the movie').truncated).toBe(false);
  });

  it('takes the length limit from truncation.max_length when present', () => {
    expect(loadHfTokenizer(bertJson(VOCAB, { truncation: { max_length: 4 } })).maxLength).toBe(4);
  });
});

describe('loadHfTokenizer errors and approximations', () => {
  it('names the unsupported component and lists what is supported', () => {
    const bad = (patch: Record<string, unknown>) => () => loadHfTokenizer(bertJson(VOCAB, patch), { source: 'my/tokenizer.json' });
    expect(bad({ model: { type: 'Funky', vocab: {} } })).toThrow(/my\/tokenizer.json: model type "Funky" is not supported \(supported: WordPiece, BPE, Unigram, WordLevel\)/);
    expect(bad({ normalizer: { type: 'ByteLevel' } })).toThrow(/normalizer type "ByteLevel" is not supported/);
    expect(bad({ pre_tokenizer: { type: 'UnicodeScripts' } })).toThrow(/pre-tokenizer type "UnicodeScripts" is not supported/);
    expect(bad({ post_processor: { type: 'Magic' } })).toThrow(TokenizerJsonError);
    expect(bad({ model: { type: 'WordPiece', unk_token: '<oov>', vocab: { a: 0 } } })).toThrow(/unk_token "<oov>" is not in the vocabulary/);
    expect(() => loadHfTokenizer('{not json', { source: 't.json' })).toThrow(/t.json: not valid JSON/);
  });

  it('reports the Precompiled normalizer as an NFKC approximation', () => {
    const tok = loadHfTokenizer(bertJson(VOCAB, { normalizer: { type: 'Precompiled', precompiled_charsmap: 'AAAA' } }));
    expect(tok.warnings).toEqual(['normalizer Precompiled (a SentencePiece charsmap) is approximated by NFKC']);
  });
});

describe('onigToJs', () => {
  it('makes \\w, \\d and \\s Unicode-aware, inside and outside classes', () => {
    const re = new RegExp(onigToJs('\\w+|[^\\w\\s]+'), 'gu');
    expect('naïve ², ①'.match(re)).toEqual(['naïve', '²', ',', '①']);
    expect(new RegExp(onigToJs('\\d+'), 'u').test('١٢')).toBe(true);
  });
});
