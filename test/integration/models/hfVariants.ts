/**
 * tokenizer.json files of every kind our tokenizer supports, for the parity test (hf-tokenizer.test.ts) and the
 * library comparison (bench/tokenizers.ts): vocabularies trained by HuggingFace `tokenizers` (Rust, through
 * @anush008/tokenizers) on SST-2 (../shared/data), then varied component by component; and the texts they are
 * compared on.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import * as hf from '@anush008/tokenizers';
import { SENTENCES } from './sentences';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// From this folder in the tests, from the repository root (the working directory) in the bundled bench.
const SST2 = [path.resolve(__dirname, '../../../../shared/data/sst2'), path.resolve(process.cwd(), '../shared/data/sst2')]
  .find((d) => existsSync(path.join(d, 'stsa.binary.train'))) ?? path.resolve(process.cwd(), '../shared/data/sst2');
export const haveData = existsSync(path.join(SST2, 'stsa.binary.train'));

let dir: string | undefined;

/** Removes the training folder (call once done). */
export function cleanupVariants(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** Trains a model with the Rust library and returns its tokenizer.json as an object. */
function train(name: string, model: hf.Model, setup: (t: hf.Tokenizer) => void): Json {
  const tok = new hf.Tokenizer(model);
  setup(tok);
  tok.train([path.join(SST2, 'stsa.binary.train')]);
  dir ??= mkdtempSync(path.join(tmpdir(), 'hf-tok-'));
  const file = path.join(dir, `${name}.json`);
  tok.save(file);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Adds tokens at the end of an object vocabulary (or a Unigram [piece, score] list); returns their ids. */
function addToVocab(spec: Json, tokens: string[], score = -20): Record<string, number> {
  const ids: Record<string, number> = {};
  const vocab = spec.model.vocab;
  for (const t of tokens) {
    if (Array.isArray(vocab)) {
      const found = vocab.findIndex((e: [string, number]) => e[0] === t);
      ids[t] = found >= 0 ? found : vocab.push([t, score]) - 1;
    } else {
      ids[t] = vocab[t] ?? (vocab[t] = Object.keys(vocab).length);
    }
  }
  return ids;
}

const added = (id: number, content: string, extra: Json = {}): Json => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...extra,
});

const clone = (j: Json): Json => structuredClone(j);

export function variantTexts(): string[] {
  const dev = readFileSync(path.join(SST2, 'stsa.binary.dev'), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(2));
  const chars = fc.constantFrom('a', 'e', 'T', 'ö', 'é', ' ', ' ', '  ', '\t', '.', ',', "'", '-', '1', '23', '漢', '😀', '[CLS]', '<mask>', 'ing', 'the');
  // Characters of many scripts and classes, all from old Unicode versions: tokenizers' punctuation table (the
  // unicode_categories crate) predates the Unicode of Node's ICU, so characters added since may split differently.
  const wide = fc.constantFrom(
    ...Array.from('aZé ñÅßøçÆŒ ΑΩαω ЖжЯ я שלום مرحبا हिन्दी ไทย 漢字かなカナ 한국 ﬁﬂ ＡＢ１２ ①½²Ⅻ ¿¡—–…«»“”‘’・。、【】 ¢$€£ +=<>^`|~ ★♥→⊂∞ 😀👍🏽 \u00a0\u3000\u200b\u2028\ufeff\u0007\u0301\u0308'),
    'e\u0301', '\r\n', '\n', '..', '!!', '[MASK]', '<s>',
  );
  const random = [
    ...fc.sample(fc.string({ unit: wide, maxLength: 40 }), { numRuns: 300, seed: 3 }),
    ...fc.sample(fc.string({ unit: chars, maxLength: 30 }), { numRuns: 300, seed: 5 }),
  ];
  return [...dev.slice(0, 300), ...SENTENCES, '', ' ', 'Hello [MASK] world [SEP] again', 'I like <mask> a lot </s>', ...random];
}

/** Every variant, named: [description, tokenizer.json object]. */
export function buildVariants(): [string, Json][] {
  const variants: [string, Json][] = [];
  // WordPiece, BERT style.
  const wp = train('wp', hf.WordPiece.empty(), (t) => {
    t.setNormalizer(hf.bertNormalizer({ lowercase: true }));
    t.setPreTokenizer(hf.bertPreTokenizer());
  });
  const wpIds = addToVocab(wp, ['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]']);
  wp.added_tokens = Object.entries(wpIds).map(([t, id]) => added(id, t));
  wp.post_processor = { type: 'BertProcessing', sep: ['[SEP]', wpIds['[SEP]']], cls: ['[CLS]', wpIds['[CLS]']] };
  variants.push(['WordPiece + BertNormalizer + BertPreTokenizer + BertProcessing', wp]);

  const wp2 = clone(wp);
  wp2.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] };
  wp2.pre_tokenizer = {
    type: 'Sequence',
    pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }, { type: 'Digits', individual_digits: true }],
  };
  wp2.post_processor = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [wpIds['[CLS]']], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [wpIds['[SEP]']], tokens: ['[SEP]'] },
    },
  };
  variants.push(['WordPiece + NFD/StripAccents/Lowercase + WhitespaceSplit/Punctuation/Digits + Template', wp2]);

  const wp3 = clone(wp);
  wp3.normalizer = {
    type: 'Sequence',
    normalizers: [
      { type: 'Strip', strip_left: true, strip_right: true },
      { type: 'Replace', pattern: { String: "'" }, content: ' APOS ' },
      { type: 'Replace', pattern: { Regex: '\\d+' }, content: '0' },
      { type: 'NFKC' },
      { type: 'Lowercase' },
    ],
  };
  wp3.pre_tokenizer = { type: 'Whitespace' };
  wp3.post_processor = null;
  variants.push(['WordPiece + Strip/Replace/NFKC + Whitespace', wp3]);

  for (const behavior of ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']) {
    const v = clone(wp);
    v.normalizer = { type: 'Lowercase' };
    v.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { String: ' ' }, behavior: 'Removed', invert: false },
        { type: 'Split', pattern: { Regex: "[.,!?'-]" }, behavior, invert: false },
      ],
    };
    variants.push([`WordPiece + Split ${behavior}`, v]);
  }
  const inv = clone(wp);
  inv.normalizer = { type: 'Lowercase' };
  inv.pre_tokenizer = { type: 'Split', pattern: { Regex: '\\w+' }, behavior: 'Removed', invert: true };
  variants.push(['WordPiece + Split invert', inv]);

  // WordLevel over the whole-word part of the WordPiece vocabulary.
  const wl: Json = clone(wp);
  wl.model = { type: 'WordLevel', unk_token: '[UNK]', vocab: Object.fromEntries(Object.entries(wp.model.vocab).filter(([t]) => !t.startsWith('##'))) };
  wl.normalizer = { type: 'Lowercase' };
  wl.pre_tokenizer = { type: 'CharDelimiterSplit', delimiter: ' ' };
  variants.push(['WordLevel + CharDelimiterSplit', wl]);

  // Byte-level BPE, GPT-2 / RoBERTa style.
  const bl = train('bl', hf.BPE.empty(), (t) => t.setPreTokenizer(hf.byteLevelPreTokenizer(true)));
  const blIds = addToVocab(bl, ['<s>', '</s>', '<pad>', '<unk>', '<mask>']);
  bl.added_tokens = Object.entries(blIds).map(([t, id]) => added(id, t, t === '<mask>' ? { lstrip: true } : {}));
  bl.post_processor = { type: 'RobertaProcessing', sep: ['</s>', blIds['</s>']], cls: ['<s>', blIds['<s>']], trim_offsets: true, add_prefix_space: true };
  variants.push(['byte-level BPE + RobertaProcessing + lstrip <mask>', bl]);
  const bl2 = clone(bl);
  bl2.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  bl2.post_processor = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  bl2.model.ignore_merges = true;
  variants.push(['byte-level BPE, no prefix space, ignore_merges', bl2]);

  // Character BPE with an unknown token (fused or not).
  const cb = train('cb', hf.BPE.empty(), (t) => t.setPreTokenizer(hf.whitespacePreTokenizer()));
  const cbIds = addToVocab(cb, ['<unk>']);
  cb.model.unk_token = '<unk>';
  for (const fuse of [false, true]) {
    const v = clone(cb);
    v.model.fuse_unk = fuse;
    v.added_tokens = [added(cbIds['<unk>']!, '<unk>')];
    variants.push([`BPE + Whitespace + unk (fuse_unk ${fuse})`, v]);
  }
  const bf = clone(cb);
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  addToVocab(bf, bytes);
  bf.model.byte_fallback = true;
  variants.push(['BPE + byte_fallback', bf]);

  // Unigram, T5 / ALBERT style.
  const uni = train('uni', hf.Unigram.empty(), (t) => {
    t.setNormalizer(hf.nfkcNormalizer());
    t.setPreTokenizer(hf.metaspacePreTokenizer());
  });
  const uniIds = addToVocab(uni, ['<unk>', '</s>', '<pad>']);
  uni.model.unk_id = uniIds['<unk>'];
  uni.added_tokens = Object.entries(uniIds).map(([t, id]) => added(id, t));
  uni.post_processor = {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }],
    special_tokens: { '</s>': { id: '</s>', ids: [uniIds['</s>']], tokens: ['</s>'] } },
  };
  variants.push(['Unigram + NFKC + Metaspace + Template', uni]);
  const uni2 = clone(uni);
  uni2.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false };
  uni2.normalizer = { type: 'Sequence', normalizers: [{ type: 'Nmt' }, { type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] };
  variants.push(['Unigram + Nmt/Replace + Metaspace(no split)', uni2]);
  const uni4 = clone(uni);
  uni4.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: true };
  variants.push(['Unigram + Metaspace(first)', uni4]);
  const uni3 = clone(uni);
  addToVocab(uni3, bytes, -30);
  uni3.model.byte_fallback = true;
  variants.push(['Unigram + byte_fallback', uni3]);
  return variants;
}
