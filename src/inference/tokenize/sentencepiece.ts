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

  const encodeAll = (text: string): number[] => {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = Array.from(SPM_SPACE + normalized.replace(/ /g, SPM_SPACE));
    const n = symbols.length;
    // Lattice edges grouped by end position; pushing starts in ascending order keeps the reference's visit order.
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

  const maxLength = opts.maxLength ?? 128;
  return {
    id: opts.id ?? 'use-lite-spm',
    maxLength,
    padId: 0,
    encode: (text: string, limit = maxLength): Encoding => truncateIds(encodeAll(text), limit),
    pieces: (text: string): string[] => encodeAll(text).map((id) => vocab[id]![0]),
  };
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
