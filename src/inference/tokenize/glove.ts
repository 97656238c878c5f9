/**
 * Word tokenizer of the bundled GloVe-mean weak encoder. Vocabulary: the GloVe words in frequency order
 * (models/glove-vocab.json); word of rank r (0-based) has id r + 1, and every word of rank >= K maps to id 0,
 * the out-of-vocabulary id that the model ignores (mask 0). K is the weak model's capacity knob.
 */
import type { Encoding, TextTokenizer } from './types';
import { truncateIds } from './types';

/** Lower-cased tokens: runs of [a-z0-9], or any single other non-space character (as in the reference check). */
const TOKEN = /[a-z0-9]+|[^\sa-z0-9]/gu;

/** Default length limit: a mean has no positional limit, so this only bounds memory (B x T x 100 floats). */
export const GLOVE_DEFAULT_MAX_LENGTH = 4096;

export function gloveWords(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/**
 * Characters before which a text can be cut without changing its words: neither cased nor case-ignorable (so
 * lower-casing, whose only context rule, the final sigma, looks across case-ignorable characters to a cased letter,
 * never looks across one) and not a digit; every such character is its own lower case (checked over all code
 * points), so no [a-z0-9] run spans it. Surrogates are left out so that a cut never splits a pair.
 */
const CUT_BEFORE = /[^\p{Cased}\p{Case_Ignorable}0-9\ud800-\udfff]/gu;

/**
 * The first `max` words of `gloveWords(text)`, exactly, reading only as much of the text as they need: the text is
 * lower-cased and split in growing pieces cut before CUT_BEFORE characters (a text of megabytes costs what its
 * first words cost).
 */
export function gloveWordsPrefix(text: string, max: number): string[] {
  const words: string[] = [];
  let pos = 0;
  let size = 256;
  while (pos < text.length && words.length < max) {
    let end = Math.min(text.length, pos + size);
    if (end < text.length) {
      CUT_BEFORE.lastIndex = end;
      const cut = CUT_BEFORE.exec(text);
      end = cut ? cut.index : text.length;
    }
    for (const m of text.slice(pos, end).toLowerCase().matchAll(TOKEN)) {
      words.push(m[0]);
      if (words.length >= max) break;
    }
    pos = end;
    size = Math.min(size * 2, 1 << 16);
  }
  return words;
}

export interface GloveTokenizer extends TextTokenizer {
  readonly k: number;
  /** The words of a text, lower-cased, before vocabulary lookup. */
  words(text: string): string[];
}

/**
 * @param vocab words in frequency order (the first `vocab.length` GloVe words)
 * @param k vocabulary size to use, 1 <= k <= vocab.length
 */
export function gloveTokenizer(vocab: readonly string[], k: number, opts: { maxLength?: number } = {}): GloveTokenizer {
  if (!Number.isInteger(k) || k < 1 || k > vocab.length) {
    throw new Error(`GloVe vocabulary size K must be an integer between 1 and ${vocab.length}, got ${k}`);
  }
  const rank = new Map<string, number>();
  for (let i = 0; i < k; i++) if (!rank.has(vocab[i]!)) rank.set(vocab[i]!, i);
  const maxLength = opts.maxLength ?? GLOVE_DEFAULT_MAX_LENGTH;
  return {
    id: `glove-k${k}`,
    k,
    maxLength,
    padId: 0,
    ignoreId: 0,
    words: gloveWords,
    encode(text: string, limit = maxLength): Encoding {
      // One word past the limit tells whether the text was truncated.
      const words = Number.isInteger(limit) && limit >= 0 ? gloveWordsPrefix(text, limit + 1) : gloveWords(text);
      return truncateIds(
        words.map((w) => {
          const r = rank.get(w);
          return r === undefined ? 0 : r + 1;
        }),
        limit,
      );
    },
  };
}

/** Parses models/glove-vocab.json (a JSON array of words). */
export function parseGloveVocab(json: string, source = 'glove-vocab.json'): string[] {
  const v = JSON.parse(json) as unknown;
  if (!Array.isArray(v) || !v.every((w) => typeof w === 'string')) throw new Error(`${source}: expected a JSON array of words`);
  return v as string[];
}
