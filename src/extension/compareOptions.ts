/**
 * The pure half of "Compare Data Sources (UCB)...": what a run is asked to do, its defaults, the validation of what
 * the user types, where the result goes and how a request reads in the log. The command (compareSources.ts) asks the
 * questions and runs `selectFromPaths`, the pipeline the CLI's `select` runs too.
 */
import * as path from 'node:path';
import { DEFAULT_ROUNDS } from '../core/select/plan';
import { STRATEGY_NAMES, type BonusMode, type StrategyName } from '../core/select/schema';
import { selectionPath } from '../core/layout';

/** How the picked files become sources (docs/selection.md): one per file, one file by a column, or reference sources. */
export type SourceMode =
  | { kind: 'files' }
  /** A column name (dots reach nested fields) or `@votes` (labelling-function coverage). */
  | { kind: 'split-by'; column: string }
  /** Sources holding 10% / 90% of one file's detected overlap rows (the reference's LLM experiment). */
  | { kind: 'reference-split' };

export interface CompareRequest {
  paths: string[];
  mode: SourceMode;
  rounds: number;
  /** Points per pull; undefined: floor(smallest pool / rounds), as the reference. */
  perRound?: number;
  strategies: StrategyName[];
  /** Number of seeds; the run uses seed, seed + 1, ... */
  seeds: number;
  seed: number;
  bonus: BonusMode;
}

/** Defaults of the command: the CLI's (50 rounds, 10 seeds, code bonus). */
export const COMPARE_DEFAULTS = { rounds: DEFAULT_ROUNDS, seeds: 10, bonus: 'code' as BonusMode };

/**
 * Strategies run unless the user changes them. "optimal" needs the true densest source, known only for reference
 * sources; elsewhere it would be left out with a plan adjustment, so it is not proposed.
 */
export function defaultStrategies(mode: SourceMode): StrategyName[] {
  return mode.kind === 'reference-split' ? ['ucb', 'random', 'optimal'] : ['ucb', 'random'];
}

/** Validation message of a whole-number input box (undefined: valid). */
export function intInputError(text: string, min: number, max: number, allowEmpty = false): string | undefined {
  const v = text.trim();
  if (v === '' && allowEmpty) return undefined;
  if (!/^\d+$/.test(v)) return allowEmpty ? `a whole number from ${min} to ${max}, or empty for the default` : `a whole number from ${min} to ${max}`;
  const n = Number(v);
  return n >= min && n <= max ? undefined : `a whole number from ${min} to ${max}`;
}

/** Arguments a caller (a test, another command) may pass instead of answering the pickers. */
export interface CompareArgs {
  paths?: string[];
  splitBy?: string;
  reference?: 'split';
  rounds?: number;
  perRound?: number;
  strategies?: StrategyName[];
  seeds?: number;
  seed?: number;
  bonus?: BonusMode;
}

/** Reads a CompareArgs object from a command argument; anything else (a Uri, nothing) gives null. */
export function compareArgsFrom(arg: unknown): CompareArgs | null {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return null;
  const a = arg as Record<string, unknown>;
  if (!('paths' in a) && !('rounds' in a) && !('seeds' in a) && !('splitBy' in a) && !('reference' in a)) return null;
  const out: CompareArgs = {};
  if (Array.isArray(a.paths) && a.paths.every((p) => typeof p === 'string')) out.paths = a.paths as string[];
  if (typeof a.splitBy === 'string' && a.splitBy.trim() !== '') out.splitBy = a.splitBy.trim();
  if (a.reference === 'split') out.reference = 'split';
  for (const k of ['rounds', 'perRound', 'seeds', 'seed'] as const) {
    const v = a[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= (k === 'seed' ? 0 : 1)) out[k] = v;
  }
  if (Array.isArray(a.strategies)) out.strategies = a.strategies.filter((s): s is StrategyName => STRATEGY_NAMES.includes(s as StrategyName));
  if (a.bonus === 'code' || a.bonus === 'ucb1') out.bonus = a.bonus;
  return out;
}

const safe = (s: string) => s.replace(/[^\w.+-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
const stem = (p: string) => path.basename(p).replace(/\.[^.]+$/, '');
const MAX_NAME = 100;

/**
 * Where a run's result goes: `.overlap/` next to the first source, named after the sources so comparing other
 * sources does not overwrite it: `a+b.select.json` (files), `train.json.by-votes.select.json` (a column split),
 * `train.json.reference.select.json` (reference sources).
 */
export function selectionOutputPath(paths: readonly string[], mode: SourceMode): string {
  if (paths.length === 0) throw new Error('selectionOutputPath: no source');
  const first = paths[0];
  let name: string;
  if (mode.kind === 'split-by') {
    name = `${safe(path.basename(first))}.by-${safe(mode.column === '@votes' ? 'votes' : mode.column)}`;
  } else if (mode.kind === 'reference-split') {
    name = `${safe(path.basename(first))}.reference`;
  } else {
    name = paths.map((p) => safe(stem(p))).join('+');
    if (name.length > MAX_NAME) name = `${safe(stem(first))}+${paths.length - 1}-more`;
  }
  return selectionPath(first, name);
}

/** How the sources are made, in words (progress title, log). */
export function describeMode(paths: readonly string[], mode: SourceMode): string {
  const names = paths.map((p) => path.basename(p));
  switch (mode.kind) {
    case 'files':
      return `${names.length} sources (${names.join(', ')})`;
    case 'split-by':
      return `${names[0]} split by ${mode.column === '@votes' ? 'labelling-function coverage' : `column "${mode.column}"`}`;
    case 'reference-split':
      return `reference sources from ${names[0]} (10% / 90% of its detected overlap)`;
  }
}

/** "50 rounds × auto points · ucb, random · 10 seeds from 0 · bonus code" for pickers and the log. */
export function describePlan(r: Pick<CompareRequest, 'rounds' | 'perRound' | 'strategies' | 'seeds' | 'seed' | 'bonus'>): string {
  return `${r.rounds} rounds × ${r.perRound ?? 'auto'} points · ${r.strategies.join(', ')} · ${r.seeds} seed${r.seeds === 1 ? '' : 's'} from ${r.seed} · bonus ${r.bonus}`;
}

/** What a picked set of files allows: two or more compare as files; one must be split (or built into reference sources). */
export function modeNeeded(count: number): 'files' | 'split' | 'none' {
  return count >= 2 ? 'files' : count === 1 ? 'split' : 'none';
}
