/**
 * Loads a HuggingFace `tokenizer.json` (the format written by the Rust `tokenizers` library) for user-supplied ONNX
 * encoders, and reproduces its `encode(text).ids` for single texts.
 *
 * Supported (anything else fails at load time with an error that names the component):
 *  - models: WordPiece, BPE (incl. byte-level, continuing_subword_prefix, end_of_word_suffix, fuse_unk,
 *    byte_fallback, ignore_merges), Unigram (incl. byte_fallback), WordLevel;
 *  - normalizers: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, Replace, Prepend, Nmt,
 *    Sequence, and Precompiled, which is APPROXIMATED by NFKC (see `warnings`);
 *  - pre-tokenizers: BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace, ByteLevel,
 *    Split, CharDelimiterSplit, Sequence;
 *  - post-processors: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence;
 *  - added tokens (special or not) are matched before normalisation (normalized: false) or after it (true),
 *    honouring lstrip / rstrip / single_word.
 * Truncation keeps the first ids and then adds the special tokens, as `tokenizers` does. Dropout is ignored.
 * Tokenization stops once the kept ids and the truncation flag are known, and when every component is one whose
 * output provably splits at a lone space between printable ASCII characters (see `cuttable`), a long text is read
 * in pieces cut there, so a text of megabytes costs what its first words cost.
 */
import type { Encoding, TextTokenizer } from './types';

type Json = Record<string, unknown>;

export class TokenizerJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerJsonError';
  }
}

export interface HfTokenizerOptions {
  /** File name used in error messages. */
  source?: string;
  /** Model limit when tokenizer.json has no `truncation.max_length`; default 512. */
  maxLength?: number;
  /** Cache/result id; default `hf-<model type>`. */
  id?: string;
  /** false: always tokenize the whole text in one piece (the reference the pieces are tested against); default true. */
  chunked?: boolean;
}

export interface HfTokenizer extends TextTokenizer {
  readonly modelType: 'WordPiece' | 'BPE' | 'Unigram' | 'WordLevel';
  /** Ids the post-processor adds around a single text (e.g. [CLS] ... [SEP] gives 2). */
  readonly specialTokenCount: number;
  /** Places where this loader approximates `tokenizers` (empty when exact). */
  readonly warnings: readonly string[];
  /** Token strings of a text, with special tokens (for display and debugging). */
  tokens(text: string): string[];
}

// ---------- Unicode classes as `tokenizers` (Rust) defines them ----------

const RE_WHITESPACE = /^\p{White_Space}$/u;
const RE_BERT_PUNCT = /^(?:[!-/:-@[-`{-~]|\p{P})$/u;
const RE_CONTROL = /^[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]$/u;
const RE_MN = /\p{Mn}/gu;
const RE_MARK = /\p{M}/gu;
const RE_NUMERIC = /^\p{N}$/u;
const isWhitespace = (c: string): boolean => RE_WHITESPACE.test(c);
const isBertPunct = (c: string): boolean => RE_BERT_PUNCT.test(c);
const isNumeric = (c: string): boolean => RE_NUMERIC.test(c);

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Per-character lower-casing (Rust `char::to_lowercase`: no final-sigma rule). */
const lowercase = (s: string): string => Array.from(s, (c) => c.toLowerCase()).join('');
const stripMarks = (s: string): string => s.replace(RE_MN, '');

// ---------- normalizers ----------

type Normalizer = (s: string) => string;

/** `\w` in Rust's regex crate (the Whitespace pre-tokenizer): the Unicode Word class. */
const RUST_WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
/** `\w` in Oniguruma (Split and Replace patterns): the same, plus Latin-1's ² ³ ¹ ¼ ½ ¾ (checked against tokenizers). */
const ONIG_WORD = `${RUST_WORD}\\u00b2\\u00b3\\u00b9\\u00bc-\\u00be`;

/**
 * Rewrites an Oniguruma pattern (what tokenizers compiles) for JavaScript: there \w, \d and \s are Unicode-aware
 * (see ONIG_WORD; Nd; White_Space), in JavaScript they are ASCII-only.
 */
export function onigToJs(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const e = pattern[++i]!;
      const map: Record<string, [string, string]> = {
        w: [`[${ONIG_WORD}]`, ONIG_WORD],
        W: [`[^${ONIG_WORD}]`, ''],
        d: ['\\p{Nd}', '\\p{Nd}'],
        D: ['\\P{Nd}', '\\P{Nd}'],
        s: ['\\p{White_Space}', '\\p{White_Space}'],
        S: ['\\P{White_Space}', '\\P{White_Space}'],
      };
      const m = map[e];
      if (m) {
        if (inClass && !m[1]) throw new Error(`\\${e} inside a character class has no JavaScript equivalent`);
        out += inClass ? m[1] : m[0];
      } else out += `\\${e}`;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

function regexOrString(pattern: unknown, what: string, source: string): RegExp {
  const p = pattern as Json | undefined;
  if (p && typeof p.String === 'string') return new RegExp(p.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  if (p && typeof p.Regex === 'string') {
    try {
      return new RegExp(onigToJs(p.Regex), 'gu');
    } catch (e) {
      throw new TokenizerJsonError(`${source}: ${what} regex /${p.Regex}/ is not valid in JavaScript: ${(e as Error).message}`);
    }
  }
  throw new TokenizerJsonError(`${source}: ${what} pattern must be {"String": ...} or {"Regex": ...}`);
}

const NMT_REMOVE = new Set([...Array.from({ length: 8 }, (_, i) => 1 + i), 0x0b, ...Array.from({ length: 18 }, (_, i) => 0x0e + i), 0x7f, 0x8f, 0x9f]);
const NMT_SPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1680, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x2581, 0xfeff, 0xfffd]);

function buildNormalizer(spec: Json | null | undefined, source: string, warnings: string[]): Normalizer {
  if (!spec) return (s) => s;
  switch (spec.type) {
    case 'BertNormalizer': {
      const clean = spec.clean_text !== false;
      const chinese = spec.handle_chinese_chars !== false;
      const lower = spec.lowercase !== false;
      const strip = typeof spec.strip_accents === 'boolean' ? spec.strip_accents : lower;
      return (s) => {
        let out = '';
        for (const c of s) {
          const cp = c.codePointAt(0)!;
          if (clean) {
            if (cp === 0 || cp === 0xfffd || (c !== '\t' && c !== '\n' && c !== '\r' && RE_CONTROL.test(c))) continue;
            if (isWhitespace(c)) {
              out += ' ';
              continue;
            }
          }
          out += chinese && isChineseChar(cp) ? ` ${c} ` : c;
        }
        if (strip) out = stripMarks(out.normalize('NFD'));
        return lower ? lowercase(out) : out;
      };
    }
    case 'Lowercase':
      return lowercase;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = spec.type;
      return (s) => s.normalize(form);
    }
    case 'StripAccents':
      // Unlike BertNormalizer (non-spacing marks only), StripAccents drops every combining mark (Mn, Mc, Me).
      return (s) => s.replace(RE_MARK, '');
    case 'Strip': {
      const left = spec.strip_left !== false;
      const right = spec.strip_right !== false;
      return (s) => {
        const chars = Array.from(s);
        let a = 0;
        let b = chars.length;
        if (left) while (a < b && isWhitespace(chars[a]!)) a++;
        if (right) while (b > a && isWhitespace(chars[b - 1]!)) b--;
        return chars.slice(a, b).join('');
      };
    }
    case 'Replace': {
      const re = regexOrString(spec.pattern, 'Replace normalizer', source);
      const content = String(spec.content ?? '');
      return (s) => s.replace(re, () => content);
    }
    case 'Prepend': {
      const prepend = String(spec.prepend ?? '');
      return (s) => (s.length > 0 ? prepend + s : s);
    }
    case 'Nmt':
      return (s) =>
        Array.from(s)
          .filter((c) => !NMT_REMOVE.has(c.codePointAt(0)!))
          .map((c) => (NMT_SPACE.has(c.codePointAt(0)!) ? ' ' : c))
          .join('');
    case 'Precompiled':
      warnings.push('normalizer Precompiled (a SentencePiece charsmap) is approximated by NFKC');
      return (s) => s.normalize('NFKC');
    case 'Sequence': {
      const parts = ((spec.normalizers as Json[] | undefined) ?? []).map((n) => buildNormalizer(n, source, warnings));
      return (s) => parts.reduce((acc, f) => f(acc), s);
    }
    default:
      throw new TokenizerJsonError(
        `${source}: normalizer type "${String(spec.type)}" is not supported (supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, Replace, Prepend, Nmt, Precompiled, Sequence)`,
      );
  }
}

// ---------- splitting (NormalizedString::split semantics) ----------

type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
/** Consecutive spans [start, end) covering the string, each flagged as a delimiter match or not. */
type Spans = [number, number, boolean][];

function spansFromMatches(s: string, matches: [number, number][]): Spans {
  const spans: Spans = [];
  let last = 0;
  for (const [a, b] of matches) {
    if (a > last) spans.push([last, a, false]);
    spans.push([a, b, true]);
    last = b;
  }
  if (last < s.length) spans.push([last, s.length, false]);
  return spans;
}

function charMatches(s: string, pred: (c: string) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  for (const c of s) {
    if (pred(c)) out.push([i, i + c.length]);
    i += c.length;
  }
  return out;
}

function regexMatches(s: string, re: RegExp): [number, number][] {
  const out: [number, number][] = [];
  re.lastIndex = 0;
  for (const m of s.matchAll(re)) if (m[0].length > 0) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

function applyBehavior(s: string, spans: Spans, behavior: Behavior): string[] {
  let pieces: [number, number, boolean][];
  switch (behavior) {
    case 'Isolated':
      pieces = spans.map(([a, b]) => [a, b, false]);
      break;
    case 'Removed':
      pieces = spans;
      break;
    case 'Contiguous':
    case 'MergedWithPrevious': {
      pieces = [];
      let previous = false;
      for (const [a, b, m] of spans) {
        const merge = behavior === 'Contiguous' ? m === previous : m && !previous;
        if (merge && pieces.length > 0) pieces[pieces.length - 1]![1] = b;
        else pieces.push([a, b, false]);
        previous = m;
      }
      break;
    }
    case 'MergedWithNext': {
      pieces = [];
      let previous = false;
      for (let k = spans.length - 1; k >= 0; k--) {
        const [a, b, m] = spans[k]!;
        if (m && !previous && pieces.length > 0) pieces[pieces.length - 1]![0] = a;
        else pieces.push([a, b, false]);
        previous = m;
      }
      pieces.reverse();
      break;
    }
  }
  return pieces.filter(([a, b, removed]) => !removed && b > a).map(([a, b]) => s.slice(a, b));
}

function split(s: string, matches: [number, number][], behavior: Behavior, invert = false): string[] {
  let spans = spansFromMatches(s, matches);
  if (invert) spans = spans.map(([a, b, m]) => [a, b, !m]);
  return applyBehavior(s, spans, behavior);
}

// ---------- pre-tokenizers ----------

/** Splits one normalized segment into words; `first` says whether it starts the text (Metaspace "first"). */
type PreTokenizer = (pieces: string[], first: boolean) => string[];

/** GPT-2's byte -> printable character table. */
const BYTE_TO_CHAR: string[] = (() => {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(bs.includes(b) ? b : 256 + n++);
  return table;
})();
// Oniguruma (which tokenizers uses for this pattern) reads \s as White_Space.
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;
const WORD_SPLIT = new RegExp(`[${RUST_WORD}]+|[^${RUST_WORD}\\p{White_Space}]+`, 'gu');
const utf8 = new TextEncoder();

function behaviorOf(v: unknown, fallback: Behavior, source: string): Behavior {
  if (v === undefined || v === null) return fallback;
  const ok = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];
  if (typeof v !== 'string' || !ok.includes(v)) throw new TokenizerJsonError(`${source}: split behavior "${String(v)}" is not one of ${ok.join(', ')}`);
  return v as Behavior;
}

function buildPreTokenizer(spec: Json | null | undefined, source: string): PreTokenizer {
  if (!spec) return (pieces) => pieces;
  // Empty pieces produce nothing (tokenizers drops empty splits before pre-tokenizing them).
  const each = (f: (s: string, first: boolean) => string[]): PreTokenizer => (pieces, first) =>
    pieces.flatMap((p, i) => (p.length === 0 ? [] : f(p, first && i === 0)));
  switch (spec.type) {
    case 'BertPreTokenizer':
      return each((s) => split(s, charMatches(s, isWhitespace), 'Removed').flatMap((w) => split(w, charMatches(w, isBertPunct), 'Isolated')));
    case 'Whitespace':
      return each((s) => split(s, regexMatches(s, WORD_SPLIT), 'Removed', true));
    case 'WhitespaceSplit':
      return each((s) => split(s, charMatches(s, isWhitespace), 'Removed'));
    case 'Punctuation': {
      const behavior = behaviorOf(spec.behavior, 'Isolated', source);
      return each((s) => split(s, charMatches(s, isBertPunct), behavior));
    }
    case 'Digits': {
      const behavior: Behavior = spec.individual_digits ? 'Isolated' : 'Contiguous';
      return each((s) => split(s, charMatches(s, isNumeric), behavior));
    }
    case 'CharDelimiterSplit': {
      const d = String(spec.delimiter);
      return each((s) => split(s, charMatches(s, (c) => c === d), 'Removed'));
    }
    case 'Metaspace': {
      const rep = String(spec.replacement ?? '\u2581');
      const scheme = (spec.prepend_scheme as string | undefined) ?? (spec.add_prefix_space === false ? 'never' : 'always');
      const doSplit = spec.split !== false;
      return each((s, first) => {
        let t = s.replace(/ /g, rep);
        if ((scheme === 'always' || (scheme === 'first' && first)) && !t.startsWith(rep)) t = rep + t;
        return doSplit ? split(t, charMatches(t, (c) => c === rep), 'MergedWithNext') : [t];
      });
    }
    case 'ByteLevel': {
      const addPrefix = spec.add_prefix_space === true;
      const useRegex = spec.use_regex !== false;
      return each((s) => {
        const t = addPrefix && !s.startsWith(' ') ? ` ${s}` : s;
        const words = useRegex ? split(t, regexMatches(t, GPT2_SPLIT), 'Isolated') : [t];
        return words.map((w) => Array.from(utf8.encode(w), (b) => BYTE_TO_CHAR[b]!).join(''));
      });
    }
    case 'Split': {
      const re = regexOrString(spec.pattern, 'Split pre-tokenizer', source);
      const behavior = behaviorOf(spec.behavior, 'Isolated', source);
      const invert = spec.invert === true;
      return each((s) => split(s, regexMatches(s, re), behavior, invert));
    }
    case 'Sequence': {
      const parts = ((spec.pretokenizers as Json[] | undefined) ?? []).map((p) => buildPreTokenizer(p, source));
      return (pieces, first) => parts.reduce((acc, f) => f(acc, first), pieces);
    }
    default:
      throw new TokenizerJsonError(
        `${source}: pre-tokenizer type "${String(spec.type)}" is not supported (supported: BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, CharDelimiterSplit, Metaspace, ByteLevel, Split, Sequence)`,
      );
  }
}

// ---------- models ----------

interface WordModel {
  readonly type: HfTokenizer['modelType'];
  /** Ids of one pre-tokenized word. */
  tokenize(word: string): number[];
  readonly idToToken: (id: number) => string;
  readonly tokenToId: ReadonlyMap<string, number>;
}

function vocabMap(v: unknown, source: string): Map<string, number> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TokenizerJsonError(`${source}: model.vocab must be an object of token -> id`);
  return new Map(Object.entries(v as Record<string, number>));
}

function reverseOf(map: ReadonlyMap<string, number>): (id: number) => string {
  const rev: string[] = [];
  for (const [t, id] of map) rev[id] = t;
  return (id) => rev[id] ?? '';
}

function byteFallbackIds(s: string, vocab: ReadonlyMap<string, number>): number[] | undefined {
  const ids: number[] = [];
  for (const b of utf8.encode(s)) {
    const id = vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    if (id === undefined) return undefined;
    ids.push(id);
  }
  return ids;
}

function wordPiece(m: Json, source: string): WordModel {
  const vocab = vocabMap(m.vocab, source);
  const unk = String(m.unk_token ?? '[UNK]');
  const unkId = vocab.get(unk);
  if (unkId === undefined) throw new TokenizerJsonError(`${source}: WordPiece unk_token "${unk}" is not in the vocabulary`);
  const prefix = String(m.continuing_subword_prefix ?? '##');
  const maxChars = Number(m.max_input_chars_per_word ?? 100);
  return {
    type: 'WordPiece',
    tokenToId: vocab,
    idToToken: reverseOf(vocab),
    tokenize(word) {
      const chars = Array.from(word);
      if (chars.length > maxChars) return [unkId];
      const out: number[] = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found: number | undefined;
        while (start < end) {
          const sub = (start > 0 ? prefix : '') + chars.slice(start, end).join('');
          found = vocab.get(sub);
          if (found !== undefined) break;
          end--;
        }
        if (found === undefined) return [unkId];
        out.push(found);
        start = end;
      }
      return out;
    },
  };
}

function wordLevel(m: Json, source: string): WordModel {
  const vocab = vocabMap(m.vocab, source);
  const unk = String(m.unk_token ?? '<unk>');
  return {
    type: 'WordLevel',
    tokenToId: vocab,
    idToToken: reverseOf(vocab),
    tokenize(word) {
      const id = vocab.get(word) ?? vocab.get(unk);
      if (id === undefined) throw new TokenizerJsonError(`${source}: WordLevel unk_token "${unk}" is not in the vocabulary`);
      return [id];
    },
  };
}

function bpe(m: Json, source: string, warnings: string[]): WordModel {
  const vocab = vocabMap(m.vocab, source);
  const prefix = typeof m.continuing_subword_prefix === 'string' ? m.continuing_subword_prefix : undefined;
  const suffix = typeof m.end_of_word_suffix === 'string' ? m.end_of_word_suffix : undefined;
  const unk = typeof m.unk_token === 'string' ? m.unk_token : undefined;
  const fuseUnk = m.fuse_unk === true;
  const byteFallback = m.byte_fallback === true;
  const ignoreMerges = m.ignore_merges === true;
  if (typeof m.dropout === 'number' && m.dropout > 0) warnings.push(`BPE dropout ${m.dropout} is ignored (deterministic encoding)`);
  // Merge (a, b) -> [rank, id of a + b without b's subword prefix], keyed by "idA idB".
  const merges = new Map<string, [number, number]>();
  ((m.merges as unknown[]) ?? []).forEach((entry, rank) => {
    let a: string;
    let b: string;
    if (typeof entry === 'string') {
      const at = entry.indexOf(' ', 1);
      a = entry.slice(0, at);
      b = entry.slice(at + 1);
    } else [a, b] = entry as [string, string];
    const ia = vocab.get(a);
    const ib = vocab.get(b);
    const merged = a + (prefix ? b.slice(prefix.length) : b);
    const im = vocab.get(merged);
    if (ia === undefined || ib === undefined || im === undefined) {
      throw new TokenizerJsonError(`${source}: BPE merge "${a} ${b}" (rank ${rank}) uses tokens missing from the vocabulary`);
    }
    if (!merges.has(`${ia} ${ib}`)) merges.set(`${ia} ${ib}`, [rank, im]);
  });
  const unkIdOf = (): number => {
    const id = vocab.get(unk!);
    if (id === undefined) throw new TokenizerJsonError(`${source}: BPE unk_token "${unk}" is not in the vocabulary`);
    return id;
  };
  return {
    type: 'BPE',
    tokenToId: vocab,
    idToToken: reverseOf(vocab),
    tokenize(word) {
      if (ignoreMerges) {
        const whole = vocab.get(word);
        if (whole !== undefined) return [whole];
      }
      const chars = Array.from(word);
      const symbols: number[] = [];
      let pendingUnk = false;
      const flushUnk = () => {
        if (pendingUnk) symbols.push(unkIdOf());
        pendingUnk = false;
      };
      chars.forEach((c, i) => {
        let s = c;
        if (i > 0 && prefix) s = prefix + s;
        if (i === chars.length - 1 && suffix) s = s + suffix;
        const id = vocab.get(s);
        if (id !== undefined) {
          flushUnk();
          symbols.push(id);
          return;
        }
        if (byteFallback) {
          const bytes = byteFallbackIds(s, vocab);
          if (bytes) {
            // tokenizers keeps a pending unknown across byte-fallback tokens.
            symbols.push(...bytes);
            return;
          }
        }
        if (unk !== undefined) {
          if (pendingUnk && !fuseUnk) symbols.push(unkIdOf());
          pendingUnk = true;
        }
      });
      flushUnk();
      return mergeAll(symbols, (a, b) => merges.get(`${a} ${b}`));
    },
  };
}

/**
 * BPE's merges on one word: repeatedly the lowest-ranked adjacent pair, leftmost first, until none has a merge. A
 * heap of candidate pairs over a linked list of symbols (as Hugging Face's tokenizers does), so a long word without
 * a pre-tokenizer costs O(n log n), not the O(n^2) of scanning every pair after every merge; entries made stale by
 * an earlier merge are skipped when they come up. Same result as the scan (test/unit/tokenize/bpeMerge.test.ts).
 */
export function mergeAll(symbols: number[], mergeOf: (a: number, b: number) => readonly [number, number] | undefined): number[] {
  const n = symbols.length;
  if (n < 2) return symbols;
  const id = Int32Array.from(symbols);
  const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const alive = new Uint8Array(n).fill(1);
  // candidates: [rank, left node, left id, right node, right id, merged id], ordered by rank then left node
  type Candidate = [number, number, number, number, number, number];
  const heap: Candidate[] = [];
  const before = (a: Candidate, b: Candidate) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const push = (c: Candidate) => {
    heap.push(c);
    for (let k = heap.length - 1; k > 0;) {
      const up = (k - 1) >> 1;
      if (!before(heap[k], heap[up])) break;
      [heap[k], heap[up]] = [heap[up], heap[k]];
      k = up;
    }
  };
  const pop = (): Candidate => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let k = 0; ;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === k) break;
        [heap[k], heap[m]] = [heap[m], heap[k]];
        k = m;
      }
    }
    return top;
  };
  const consider = (left: number) => {
    const right = left >= 0 ? next[left] : -1;
    if (right < 0) return;
    const merge = mergeOf(id[left], id[right]);
    if (merge) push([merge[0], left, id[left], right, id[right], merge[1]]);
  };
  for (let i = 0; i + 1 < n; i++) consider(i);
  while (heap.length > 0) {
    const [, left, leftId, right, rightId, merged] = pop();
    if (!alive[left] || !alive[right] || next[left] !== right || id[left] !== leftId || id[right] !== rightId) continue;
    id[left] = merged;
    alive[right] = 0;
    next[left] = next[right];
    if (next[right] >= 0) prev[next[right]] = left;
    consider(prev[left]);
    consider(left);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(id[i]);
  return out;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  id: number;
}

function unigram(m: Json, source: string): WordModel {
  const entries = m.vocab as [string, number][] | undefined;
  if (!Array.isArray(entries)) throw new TokenizerJsonError(`${source}: Unigram model.vocab must be an array of [piece, score]`);
  const unkId = typeof m.unk_id === 'number' ? m.unk_id : undefined;
  const byteFallback = m.byte_fallback === true;
  const tokenToId = new Map<string, number>();
  const root: TrieNode = { next: new Map(), id: -1 };
  let minScore = Infinity;
  entries.forEach(([piece, score], id) => {
    if (!tokenToId.has(piece)) tokenToId.set(piece, id);
    minScore = Math.min(minScore, score);
    let node = root;
    for (const c of piece) {
      let n = node.next.get(c);
      if (!n) node.next.set(c, (n = { next: new Map(), id: -1 }));
      node = n;
    }
    if (node.id < 0) node.id = id;
  });
  const unkScore = minScore - 10; // kUnkPenalty in sentencepiece and tokenizers
  const requireUnk = (word: string): number => {
    if (unkId === undefined) throw new TokenizerJsonError(`${source}: Unigram met a character it cannot encode in "${word}" and the model has no unk_id`);
    return unkId;
  };
  return {
    type: 'Unigram',
    tokenToId,
    idToToken: (id) => entries[id]?.[0] ?? '',
    tokenize(word) {
      const chars = Array.from(word);
      const n = chars.length;
      if (n === 0) return [];
      const bestScore = new Float64Array(n + 1);
      const startAt = new Int32Array(n + 1).fill(-1);
      const bestId = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) {
        if (i > 0 && startAt[i]! < 0) continue;
        const base = bestScore[i]!;
        let hasSingle = false;
        let node: TrieNode | undefined = root.next.get(chars[i]!);
        for (let j = i; j < n && node; j++) {
          if (node.id >= 0) {
            const cand = entries[node.id]![1] + base;
            if (startAt[j + 1]! < 0 || cand > bestScore[j + 1]!) {
              bestScore[j + 1] = cand;
              startAt[j + 1] = i;
              bestId[j + 1] = node.id;
            }
            if (j === i) hasSingle = true;
          }
          node = j + 1 < n ? node.next.get(chars[j + 1]!) : undefined;
        }
        if (!hasSingle) {
          const cand = unkScore + base;
          if (startAt[i + 1]! < 0 || cand > bestScore[i + 1]!) {
            bestScore[i + 1] = cand;
            startAt[i + 1] = i;
            bestId[i + 1] = unkId ?? -1;
          }
        }
      }
      // Walk back; consecutive unknowns fuse into one string (fuse_unk is always on for Unigram).
      const strings: string[] = [];
      let unkRun: string[] = [];
      for (let end = n; end > 0; ) {
        const start = startAt[end]!;
        const s = chars.slice(start, end).join('');
        if (unkId === undefined ? bestId[end] === -1 : bestId[end] === unkId) unkRun.push(s);
        else {
          if (unkRun.length) strings.push(unkRun.reverse().join(''));
          unkRun = [];
          strings.push(s);
        }
        end = start;
      }
      if (unkRun.length) strings.push(unkRun.reverse().join(''));
      strings.reverse();
      const ids: number[] = [];
      for (const s of strings) {
        const id = tokenToId.get(s);
        if (id !== undefined) ids.push(id);
        else if (byteFallback) ids.push(...(byteFallbackIds(s, tokenToId) ?? [requireUnk(word)]));
        else ids.push(requireUnk(word));
      }
      return ids;
    },
  };
}

function buildModel(m: Json | undefined, source: string, warnings: string[]): WordModel {
  if (!m) throw new TokenizerJsonError(`${source}: no "model" section`);
  const type = m.type ?? (m.merges ? 'BPE' : Array.isArray(m.vocab) ? 'Unigram' : m.continuing_subword_prefix !== undefined ? 'WordPiece' : 'WordLevel');
  switch (type) {
    case 'WordPiece':
      return wordPiece(m, source);
    case 'BPE':
      return bpe(m, source, warnings);
    case 'Unigram':
      return unigram(m, source);
    case 'WordLevel':
      return wordLevel(m, source);
    default:
      throw new TokenizerJsonError(`${source}: model type "${String(type)}" is not supported (supported: WordPiece, BPE, Unigram, WordLevel)`);
  }
}

// ---------- post-processors ----------

interface PostProcessor {
  readonly before: number[];
  readonly after: number[];
}

function buildPostProcessor(spec: Json | null | undefined, source: string): PostProcessor {
  if (!spec) return { before: [], after: [] };
  switch (spec.type) {
    case 'ByteLevel':
      return { before: [], after: [] };
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const cls = spec.cls as [string, number];
      const sep = spec.sep as [string, number];
      return { before: [cls[1]], after: [sep[1]] };
    }
    case 'TemplateProcessing': {
      const specials = (spec.special_tokens ?? {}) as Record<string, { ids: number[] }>;
      const before: number[] = [];
      const after: number[] = [];
      let seenSequence = false;
      for (const item of (spec.single as Json[] | undefined) ?? []) {
        if (item.Sequence) {
          seenSequence = true;
          continue;
        }
        const special = item.SpecialToken as { id: string } | undefined;
        if (!special) throw new TokenizerJsonError(`${source}: TemplateProcessing item ${JSON.stringify(item)} is not understood`);
        const ids = Object.hasOwn(specials, special.id) ? specials[special.id]?.ids : undefined;
        if (!ids) throw new TokenizerJsonError(`${source}: TemplateProcessing special token "${special.id}" has no ids`);
        (seenSequence ? after : before).push(...ids);
      }
      return { before, after };
    }
    case 'Sequence': {
      // Each processor wraps the result of the previous one.
      let before: number[] = [];
      let after: number[] = [];
      for (const p of ((spec.processors as Json[] | undefined) ?? []).map((q) => buildPostProcessor(q, source))) {
        before = [...p.before, ...before];
        after = [...after, ...p.after];
      }
      return { before, after };
    }
    default:
      throw new TokenizerJsonError(
        `${source}: post-processor type "${String(spec.type)}" is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)`,
      );
  }
}

// ---------- added tokens ----------

interface AddedToken {
  id: number;
  content: string;
  lstrip: boolean;
  rstrip: boolean;
  singleWord: boolean;
  normalized: boolean;
}

type Segment = { text: string; id?: number };

const RE_WORD_CHAR = new RegExp(`^[${RUST_WORD}]$`, 'u');

/** Splits text around added tokens, leftmost-longest, as tokenizers' AddedVocabulary does. */
function splitOnAdded(text: string, tokens: readonly AddedToken[]): Segment[] {
  if (tokens.length === 0 || text.length === 0) return [{ text }];
  const segments: Segment[] = [];
  let cursor = 0;
  let i = 0;
  while (i < text.length) {
    let best: AddedToken | undefined;
    for (const t of tokens) {
      if (t.content.length > 0 && text.startsWith(t.content, i) && (!best || t.content.length > best.content.length)) {
        if (t.singleWord) {
          const before = i > 0 ? String.fromCodePoint(text.codePointAt(i - 1)!) : '';
          const after = text.slice(i + t.content.length, i + t.content.length + 2);
          if ((before && RE_WORD_CHAR.test(before.slice(-1))) || (after && RE_WORD_CHAR.test(String.fromCodePoint(after.codePointAt(0)!)))) continue;
        }
        best = t;
      }
    }
    if (!best) {
      i++;
      continue;
    }
    let start = i;
    let end = i + best.content.length;
    if (best.lstrip) while (start > cursor && isWhitespace(text[start - 1]!)) start--;
    if (best.rstrip) while (end < text.length && isWhitespace(text[end]!)) end++;
    if (start > cursor) segments.push({ text: text.slice(cursor, start) });
    segments.push({ text: text.slice(start, end), id: best.id });
    cursor = end;
    i = end;
  }
  if (cursor < text.length) segments.push({ text: text.slice(cursor) });
  return segments;
}

// ---------- reading long texts in pieces ----------

/**
 * A text can be read in pieces cut before a lone space whose neighbours are printable ASCII ("a b" -> "a", " b")
 * when every component keeps such a cut exact:
 *  - normalizers that work character by character there (NFC/NFD/NFKC/NFKD: the space and ASCII are starters that
 *    compose with nothing before them; Replace only of a fixed string without white space by printable ASCII), so
 *    normalize(A + " " + B) = normalize(A) + normalize(" " + B), the space stays a space and its neighbours stay
 *    non-white-space;
 *  - a pre-tokenizer, or the first of a Sequence, that always ends a word there (white-space splitting; Metaspace
 *    with split, which starts a word at each replacement; ByteLevel's regex, whose matches there start at the
 *    space: ` ?\p{L}+`, ...), after which every component and model works word by word;
 *  - added tokens without white space in their content and without rstrip (lstrip stops at the non-space
 *    neighbour either way).
 * The Metaspace "first" flag is carried across cuts (see contentIds). Anything else is tokenized in one piece.
 */
function normalizerCuttable(spec: Json | null | undefined): boolean {
  if (!spec) return true;
  switch (spec.type) {
    case 'BertNormalizer':
    case 'Lowercase':
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
    case 'StripAccents':
    case 'Nmt':
    case 'Precompiled':
      return true;
    case 'Replace': {
      const pattern = (spec.pattern as Json | undefined)?.String;
      return typeof pattern === 'string' && /^\P{White_Space}+$/u.test(pattern) && typeof spec.content === 'string' && /^[!-~]+$/.test(spec.content);
    }
    case 'Sequence':
      return ((spec.normalizers as Json[] | undefined) ?? []).every((n) => normalizerCuttable(n));
    default:
      return false;
  }
}

function preTokenizerCuttable(spec: Json | null | undefined): boolean {
  if (!spec) return false;
  switch (spec.type) {
    case 'BertPreTokenizer':
    case 'Whitespace':
    case 'WhitespaceSplit':
      return true;
    case 'CharDelimiterSplit':
      return String(spec.delimiter) === ' ';
    case 'Metaspace':
      return spec.split !== false && Array.from(String(spec.replacement ?? '\u2581')).length === 1;
    case 'ByteLevel':
      return spec.use_regex !== false;
    case 'Sequence': {
      const parts = spec.pretokenizers as Json[] | undefined;
      return Array.isArray(parts) && parts.length > 0 && preTokenizerCuttable(parts[0]);
    }
    default:
      return false;
  }
}

const isAsciiGraph = (c: number): boolean => c > 0x20 && c < 0x7f;

/** The text in pieces (1K code units, doubling to 64K) cut before lone spaces between printable ASCII characters. */
function* cutText(text: string, firstSize = 1024): Generator<string> {
  let pos = 0;
  let size = firstSize;
  while (pos < text.length) {
    let end = pos + size;
    for (;;) {
      end = end >= text.length ? -1 : text.indexOf(' ', end);
      if (end < 0) {
        end = text.length;
        break;
      }
      if (isAsciiGraph(text.charCodeAt(end - 1)) && isAsciiGraph(text.charCodeAt(end + 1))) break;
      end++;
    }
    yield text.slice(pos, end);
    pos = end;
    size = Math.min(size * 2, 1 << 16);
  }
}

// ---------- the tokenizer ----------

/** Parses tokenizer.json text (or its parsed object) into a tokenizer. Throws TokenizerJsonError on what it cannot do. */
export function loadHfTokenizer(json: string | Json, opts: HfTokenizerOptions = {}): HfTokenizer {
  const source = opts.source ?? 'tokenizer.json';
  let spec: Json;
  try {
    spec = typeof json === 'string' ? (JSON.parse(json) as Json) : json;
  } catch (e) {
    throw new TokenizerJsonError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const warnings: string[] = [];
  const model = buildModel(spec.model as Json | undefined, source, warnings);
  const normalize = buildNormalizer(spec.normalizer as Json | null, source, warnings);
  const preTokenize = buildPreTokenizer(spec.pre_tokenizer as Json | null, source);
  const post = buildPostProcessor(spec.post_processor as Json | null, source);
  const added: AddedToken[] = ((spec.added_tokens as Json[] | undefined) ?? []).map((t) => ({
    id: Number(t.id),
    content: String(t.content),
    lstrip: t.lstrip === true,
    rstrip: t.rstrip === true,
    singleWord: t.single_word === true,
    normalized: t.normalized === true,
  }));
  const addedById = new Map(added.map((t) => [t.id, t.content]));
  const rawAdded = added.filter((t) => !t.normalized);
  const normAdded = added.filter((t) => t.normalized);

  const cuttable =
    opts.chunked !== false &&
    normalizerCuttable(spec.normalizer as Json | null) &&
    preTokenizerCuttable(spec.pre_tokenizer as Json | null) &&
    added.every((t) => !t.rstrip && !/\p{White_Space}/u.test(t.content));

  /**
   * The content ids of a text (no special tokens), stopping once at least `need` are known: the first `need` ids
   * of the whole text, exactly. Only the text's first raw segment is pre-tokenized with first = true (Metaspace
   * "first"): across a cut, the part that goes on from the previous piece gets false (its words are not the first
   * of their part), the other parts of that segment true.
   */
  const contentIds = (text: string, need: number): number[] => {
    const ids: number[] = [];
    let inFirst = true; // this piece starts inside the text's first raw segment
    let continuing = false; // the previous piece ended inside a text part
    for (const piece of cuttable ? cutText(text) : [text]) {
      const segments = splitOnAdded(piece, rawAdded);
      let endsInText = false;
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        endsInText = false;
        if (seg.id !== undefined) {
          ids.push(seg.id);
        } else {
          const parts = splitOnAdded(normalize(seg.text), normAdded);
          for (let j = 0; j < parts.length; j++) {
            const part = parts[j]!;
            endsInText = part.id === undefined;
            if (part.id !== undefined) ids.push(part.id);
            else {
              const first = k === 0 && inFirst && !(j === 0 && continuing);
              for (const word of preTokenize([part.text], first)) {
                if (word.length > 0) ids.push(...model.tokenize(word));
                if (ids.length >= need) return ids;
              }
            }
          }
        }
        if (ids.length >= need) return ids;
      }
      inFirst = inFirst && segments.length === 1 && segments[0]!.id === undefined;
      continuing = endsInText;
    }
    return ids;
  };

  const truncation = spec.truncation as Json | null | undefined;
  const maxLength = typeof truncation?.max_length === 'number' ? truncation.max_length : (opts.maxLength ?? 512);
  const padding = spec.padding as Json | null | undefined;
  const padId =
    typeof padding?.pad_id === 'number'
      ? padding.pad_id
      : (['[PAD]', '<pad>', '<|padding|>'].map((t) => model.tokenToId.get(t)).find((id) => id !== undefined) ?? 0);
  const specialTokenCount = post.before.length + post.after.length;
  if (maxLength <= specialTokenCount) throw new TokenizerJsonError(`${source}: max length ${maxLength} leaves no room besides the ${specialTokenCount} special tokens`);

  const encodeIds = (text: string, limit: number): Encoding => {
    const room = limit - specialTokenCount;
    // One id past the room tells whether the text was cut (Infinity and NaN read the whole text).
    const content = contentIds(text, Math.max(0, Math.floor(room)) + 1);
    const truncated = content.length > room;
    const kept = truncated ? content.slice(0, Math.max(0, room)) : content;
    return { ids: Int32Array.from([...post.before, ...kept, ...post.after]), truncated };
  };

  return {
    id: opts.id ?? `hf-${model.type.toLowerCase()}`,
    modelType: model.type,
    maxLength,
    padId,
    specialTokenCount,
    warnings,
    encode: (text: string, limit = maxLength) => encodeIds(text, limit),
    tokens: (text: string) => Array.from(encodeIds(text, Infinity).ids, (id) => addedById.get(id) ?? model.idToToken(id)),
  };
}
