/**
 * SentencePiece unigram tokenizer as used by Universal Sentence Encoder Lite. It reproduces the TF.js reference
 * tokenizer (`@energetic-ai/embeddings`, from tensorflow/tfjs-models universal-sentence-encoder) id for id,
 * including its quirks, because the model was run with exactly these ids:
 *  - NFKC, then "▁" prepended and every space replaced by "▁" (no whitespace collapsing);
 *  - pieces with id >= 6 go into a trie; at a position where no piece starts, one character becomes unknown (id 0,
 *    score 0);
 *  - Viterbi over summed scores, where a best score of exactly 0 counts as "unset" and ties go to the later
 *    (shorter) candidate (`best === 0 || score >= best`);
 *  - consecutive unknowns are merged into one id 0.
 * The search runs left to right and stops as soon as later text can no longer change the ids that are kept (see
 * encodePrefix), so a text of megabytes costs what its first few hundred characters cost, not gigabytes.
 */
import type { Encoding, TextTokenizer } from './types';
import { truncateIds } from './types';

export const SPM_SPACE = '\u2581';
/** Ids 0-5 are <unk>, <s>, </s> and three extra tokens: never produced by the search. */
const RESERVED = 6;

/** A vocabulary entry: piece and log-probability score (null scores count as 0, as in the reference). */
export type SentencePieceEntry = readonly [string, number | null];

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id of the piece ending here, or -1. */
  id: number;
  score: number;
}

const newNode = (): TrieNode => ({ children: new Map(), id: -1, score: 0 });

export interface SentencePieceOptions {
  /** Cache/result id; default `use-lite-spm`. */
  id?: string;
  /** Model limit; default 128 (USE-Lite drops positions >= 128). */
  maxLength?: number;
  /** Number of reserved ids kept out of the search; default 6. */
  reserved?: number;
}

export interface SentencePieceTokenizer extends TextTokenizer {
  /** The pieces of a text (for display and debugging). */
  pieces(text: string): string[];
}

export function sentencePieceUnigram(vocab: readonly SentencePieceEntry[], opts: SentencePieceOptions = {}): SentencePieceTokenizer {
  const reserved = opts.reserved ?? RESERVED;
  if (vocab.length <= reserved) throw new Error(`SentencePiece vocabulary has ${vocab.length} entries; expected more than ${reserved}`);
  const root = newNode();
  // Length in code points of each piece, used to step back through the lattice.
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
    node.id = i; // a duplicate piece keeps the later id, as the reference trie does
    node.score = score ?? 0;
  }
  // The unknown id steps back one character.
  pieceLength[0] = 1;

  // Longest piece in code points (at least 1, the unknown step): no lattice edge is longer.
  let longest = 1;
  for (let i = reserved; i < vocab.length; i++) longest = Math.max(longest, pieceLength[i]!);

  /**
   * The merged ids of `text`, stopping at `cap` ids: the first min(cap, all) ids of the full search, exactly.
   *
   * The reference builds the whole lattice, runs Viterbi over it (best[e], words[e] for every position e) and walks
   * back from the end. Here the same forward pass runs left to right over a window of `longest + 1` positions: edges
   * ending at position e start at e - longest or later, so best[e] and words[e] need no more. Instead of keeping
   * words[] for the whole text and walking back from its end, each position carries the merged ids of its own
   * walk-back, cut at `cap` ids (a persistent list: extending one shares its parent). The walk-back from the text's
   * end first enters the processed part at one of the last `longest` positions, so once all of them carry the same
   * list of `cap` ids (a list that is full no longer grows), later text cannot change the first `cap` ids and the
   * search stops. Otherwise it runs to the end of the text in O(longest * cap) memory; the text is normalised in
   * chunks cut before characters where NFKC cannot join the two sides.
   */
  const encodePrefix = (text: string, cap: number): number[] => {
    const W = longest;
    const R = W + 1;
    const best = new Float64Array(R);
    const state: IdList[] = new Array<IdList>(R).fill(EMPTY);
    const edgeCount = new Int32Array(R);
    const edgeStart = new Int32Array(R * W);
    const edgeId = new Int32Array(R * W);
    const edgeScore = new Float64Array(R * W);
    const push = (end: number, start: number, id: number, score: number): void => {
      const slot = end % R;
      const k = slot * W + edgeCount[slot]!++;
      edgeStart[k] = start;
      edgeId[k] = id;
      edgeScore[k] = score;
    };

    const chunks = nfkcChunks(text);
    let buf: string[] = []; // symbols bufBase .. bufBase + buf.length - 1
    let bufBase = 0;
    let exhausted = false;
    let started = false;
    /** Reads symbols until `upTo` (exclusive) are known or the text ends. */
    const fill = (upTo: number): void => {
      while (!exhausted && bufBase + buf.length < upTo) {
        const next = chunks.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        if (next.value.length === 0) continue;
        const symbols = Array.from(next.value.replace(/ /g, SPM_SPACE));
        if (!started) {
          symbols.unshift(SPM_SPACE);
          started = true;
        }
        buf = buf.length === 0 ? symbols : buf.concat(symbols);
      }
    };

    for (let i = 0; ; i++) {
      // Drop symbols no start can reach any more (keeps the buffer near one chunk).
      if (i - bufBase > 4096) {
        buf = buf.slice(i - bufBase);
        bufBase = i;
      }
      fill(i + W);
      const avail = bufBase + buf.length;
      if (i >= avail) break; // i is the number of symbols: the end of the text
      // Edges starting at i, in the reference's order (then the one-character unknown if no piece starts here).
      let node = root.children.get(buf[i - bufBase]!);
      let found = false;
      for (let j = i; node; j++) {
        if (node.id >= 0) {
          push(j + 1, i, node.id, node.score);
          found = true;
        }
        node = j + 1 < avail ? node.children.get(buf[j + 1 - bufBase]!) : undefined;
      }
      if (!found) push(i + 1, i, 0, 0);
      // Every edge ending at e = i + 1 is known now: settle e exactly as the reference does.
      const e = i + 1;
      const slot = e % R;
      let bestScore = 0;
      let word = 0;
      for (let k = slot * W, end = k + edgeCount[slot]!; k < end; k++) {
        const score = edgeScore[k]! + best[edgeStart[k]! % R]!;
        if (bestScore === 0 || score >= bestScore) {
          bestScore = score;
          word = edgeId[k]!;
        }
      }
      edgeCount[slot] = 0;
      best[slot] = bestScore;
      const list = extend(state[(e - pieceLength[word]!) % R]!, word, cap);
      state[slot] = list;
      if (list.count >= cap) {
        let converged = true;
        for (let p = Math.max(0, e - W + 1); p < e && converged; p++) converged = state[p % R] === list;
        if (converged) return idsOf(list);
      }
    }
    return idsOf(state[(bufBase + buf.length) % R]!);
  };

  const maxLength = opts.maxLength ?? 128;
  const encode = (text: string, limit = maxLength): Encoding => {
    // A limit that is not a whole number keeps truncateIds' own semantics on the full search.
    if (!Number.isInteger(limit) || limit < 0) return truncateIds(encodePrefix(text, Infinity), limit);
    const ids = encodePrefix(text, limit + 1);
    return ids.length > limit ? { ids: Int32Array.from(ids.slice(0, limit)), truncated: true } : { ids: Int32Array.from(ids), truncated: false };
  };
  return {
    id: opts.id ?? 'use-lite-spm',
    maxLength,
    padId: 0,
    encode,
    pieces: (text: string): string[] => encodePrefix(text, Infinity).map((id) => vocab[id]![0]),
  };
}

/** The merged ids of one walk-back, newest last: a persistent list (count = ids in it, EMPTY has none). */
interface IdList {
  readonly id: number;
  readonly up: IdList | null;
  readonly count: number;
}
const EMPTY: IdList = { id: -1, up: null, count: 0 };

/** Appends `id` unless the list is full (`cap` ids) or `id` is an unknown (0) following an unknown (merged). */
function extend(list: IdList, id: number, cap: number): IdList {
  if (list.count >= cap || (id === 0 && list.count > 0 && list.id === 0)) return list;
  return { id, up: list, count: list.count + 1 };
}

function idsOf(list: IdList): number[] {
  const ids = new Array<number>(list.count);
  for (let l: IdList = list, k = list.count - 1; k >= 0; l = l.up!, k--) ids[k] = l.id;
  return ids;
}

/**
 * Code units before which NFKC never joins the two sides: starters that are their own normal form and never the
 * second character of a composition (ASCII, CJK ideographs, kana, Hangul syllables). For such a c,
 * NFKC(a + c + b) = NFKC(a) + NFKC(c + b): decomposition is per character, reordering stops at a starter, and c
 * composes with nothing before it.
 */
function isNfkcBoundaryBefore(c: number): boolean {
  return (
    c < 0x80 ||
    (c >= 0x3041 && c <= 0x3096) ||
    (c >= 0x30a1 && c <= 0x30fa) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7a3)
  );
}

/** NFKC of `text` in pieces whose concatenation is text.normalize('NFKC'); pieces grow from 256 to 64K code units. */
export function* nfkcChunks(text: string, firstSize = 256): Generator<string> {
  let pos = 0;
  let size = firstSize;
  while (pos < text.length) {
    let end = Math.min(text.length, pos + size);
    while (end < text.length && !isNfkcBoundaryBefore(text.charCodeAt(end))) end++;
    yield text.slice(pos, end).normalize('NFKC');
    pos = end;
    size = Math.min(size * 2, 1 << 16);
  }
}

/** Parses models/use-lite-vocab.json (or the package's vocab.json): a JSON array of [piece, score] pairs. */
export function parseSentencePieceVocab(json: string, source = 'use-lite-vocab.json'): SentencePieceEntry[] {
  const v = JSON.parse(json) as unknown;
  const ok =
    Array.isArray(v) &&
    v.every((e) => Array.isArray(e) && typeof e[0] === 'string' && (typeof e[1] === 'number' || e[1] === null));
  if (!ok) throw new Error(`${source}: expected a JSON array of [piece, score] pairs`);
  return v as SentencePieceEntry[];
}
