/**
 * The rules of `overlap-density check` (issue 17, docs/check.md) and the repository config file that sets them,
 * `overlap-density.check.json`: one flat JSON object; unknown keys are errors with a "did you mean" when close, and
 * every error names the file and the line of the bad key or value. The JSON schema shipped for the editor
 * (schemas/overlap-density.check.schema.json) lists the same keys; a unit test keeps the two in step.
 */
import { InputError } from '../errors';
import { parseJsonAt } from '../data/jsonParse';
import { jsonErrorOffset, lineAt } from './jsonLocate';

/** How the overlap effect (training on overlap rows vs non-overlap rows, effect.ts) must come out. */
export type EffectRequirement = 'positive' | 'not-negative' | 'any';

export interface CheckRules {
  /** Alarm when the detected overlap density (|overlap| / |W2S-train|) is below this share (0..1). Off when unset. */
  minDensity?: number;
  /** Alarm when PGR is below this (PGR not measurable is a warning). Off when unset. */
  minPgr?: number;
  /**
   * `positive`: alarm unless training on overlap rows is measurably better than on non-overlap rows;
   * `not-negative`: alarm only when it is measurably worse; `any` (default): off. Off by default because the
   * effect's interval covers the mixing draws, not the split: on SST-2 dev its sign changes with the analysis seed
   * (docs/check.md), so as a gate it would alarm on edits that only re-draw the split.
   */
  overlapEffect?: EffectRequirement;
  /** With a baseline: alarm when density fell by more than this plus the noise margin (default 0.05). */
  maxDensityDrop?: number;
  /** With a baseline: alarm when PGR fell by more than this plus the noise margin (default 0.1). */
  maxPgrDrop?: number;
  /** Rows with the same text and different labels: one warning per row (default on). */
  duplicateLabels?: boolean;
  /** With a baseline: a note on each W2S-train row whose category changed (default on). */
  categoryChanges?: boolean;
  /**
   * With a baseline that knows its row texts: alarm when the rows removed since the baseline hit its overlap rows
   * more than removing rows at random would (default on).
   */
  overlapRowsRemoved?: boolean;
  /** Which findings make the status `alarm`: errors only (default) or warnings too. */
  failOn?: 'error' | 'warning';
  /** Row findings per rule before one summary finding says how many more there are (default 200). */
  maxRowFindings?: number;
}

/** Defaults: what `check` does without a config file or flags. Drops are only checked when a baseline exists. */
export const DEFAULT_RULES: Readonly<Required<Omit<CheckRules, 'minDensity' | 'minPgr'>>> & Pick<CheckRules, 'minDensity' | 'minPgr'> = Object.freeze({
  minDensity: undefined,
  minPgr: undefined,
  overlapEffect: 'any',
  maxDensityDrop: 0.05,
  maxPgrDrop: 0.1,
  duplicateLabels: true,
  categoryChanges: true,
  overlapRowsRemoved: true,
  failOn: 'error',
  maxRowFindings: 200,
});

/** The rules with every default filled in (later sources win: defaults, then the config file, then flags). */
export type ResolvedRules = Required<Omit<CheckRules, 'minDensity' | 'minPgr'>> & Pick<CheckRules, 'minDensity' | 'minPgr'>;

export function resolveRules(...layers: (CheckRules | null | undefined)[]): ResolvedRules {
  const out: ResolvedRules = { ...DEFAULT_RULES };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

type KeySpec =
  | { kind: 'number'; min: number; max: number; integer?: boolean; what: string }
  | { kind: 'boolean'; what: string }
  | { kind: 'enum'; values: readonly string[]; what: string };

/** Every key of the config file, its type and range, and one line saying what it does (the schema's descriptions). */
export const RULE_KEYS: Readonly<Record<keyof CheckRules, KeySpec>> = Object.freeze({
  minDensity: { kind: 'number', min: 0, max: 1, what: 'alarm when the overlap density (share of W2S-train rows called overlap) is below this' },
  minPgr: { kind: 'number', min: -100, max: 100, what: 'alarm when PGR (share of the weak-to-strong gap recovered) is below this' },
  overlapEffect: {
    kind: 'enum', values: ['positive', 'not-negative', 'any'],
    what: 'how training on overlap rows must compare with non-overlap rows: measurably better, not measurably worse, or not checked',
  },
  maxDensityDrop: { kind: 'number', min: 0, max: 1, what: 'with a baseline: alarm when the density fell by more than this plus the noise margin' },
  maxPgrDrop: { kind: 'number', min: 0, max: 100, what: 'with a baseline: alarm when PGR fell by more than this plus the noise margin' },
  duplicateLabels: { kind: 'boolean', what: 'warn on each row whose text appears again with a different label' },
  categoryChanges: { kind: 'boolean', what: 'with a baseline: note each W2S-train row whose category changed' },
  overlapRowsRemoved: { kind: 'boolean', what: "with a baseline: alarm when removed rows hit the baseline's overlap rows more than chance" },
  failOn: { kind: 'enum', values: ['error', 'warning'], what: 'which findings turn the status into an alarm' },
  maxRowFindings: { kind: 'number', min: 1, max: 100000, integer: true, what: 'row findings per rule before one summary finding' },
});

/** Keys allowed besides the rules: `$schema` (editors add it) and `description` (a note for people). */
const META_KEYS = new Set(['$schema', 'description']);

/** The lines (1-based) of the top-level keys of a JSON object text, in order; duplicates included. */
export function topLevelKeyLines(text: string): { key: string; line: number }[] {
  const out: { key: string; line: number }[] = [];
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const start = i;
      const startLine = line;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
      if (depth !== 1) continue;
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === ':') {
        let key: string;
        try {
          key = JSON.parse(text.slice(start, i + 1)) as string;
        } catch {
          key = text.slice(start + 1, i);
        }
        out.push({ key, line: startLine });
      }
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known key closest to an unknown one, when close enough to be a typo (or the same words in another case). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Checks one value against its key's spec; the message says what was expected, or undefined when it is fine. */
export function ruleValueProblem(key: keyof CheckRules, v: unknown): string | undefined {
  const spec = RULE_KEYS[key];
  if (spec.kind === 'boolean') return typeof v === 'boolean' ? undefined : `"${key}" must be true or false, got ${describeValue(v)}`;
  if (spec.kind === 'enum') {
    return typeof v === 'string' && spec.values.includes(v)
      ? undefined
      : `"${key}" must be one of ${spec.values.map((s) => `"${s}"`).join(', ')}, got ${describeValue(v)}`;
  }
  const range = `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
    return `"${key}" must be ${range}, got ${describeValue(v)}`;
  }
  return undefined;
}

/**
 * Reads an `overlap-density.check.json` text. Errors are InputErrors naming `file` and the line of the bad key or
 * value (the line of the JSON syntax error for malformed JSON).
 */
export function parseCheckConfig(text: string, file: string): CheckRules {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseJsonAt(body, 1);
  if ('error' in parsed) {
    // V8 gives no position for some errors ("Unexpected token ','"): find the line by scanning.
    const at = jsonErrorOffset(body);
    const line = at !== undefined ? lineAt(body, at) : parsed.line;
    throw new InputError(`${parsed.error} (the check config is one JSON object)`, { file, line });
  }
  const obj = parsed.value;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new InputError(`the check config must be one JSON object like {"minDensity": 0.2}, got ${describeValue(obj)}`, { file, line: 1 });
  }
  const lines = topLevelKeyLines(body);
  const seen = new Map<string, number>();
  for (const { key, line } of lines) {
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`"${key}" is set twice (first on line ${first})`, { file, line });
    seen.set(key, line);
  }
  const known = Object.keys(RULE_KEYS);
  const rules: CheckRules = {};
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const line = seen.get(key) ?? 1;
    if (META_KEYS.has(key)) {
      if (typeof value !== 'string') throw new InputError(`"${key}" must be a string, got ${describeValue(value)}`, { file, line });
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(RULE_KEYS, key)) {
      const near = closestKey(key, known);
      throw new InputError(
        `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}; the keys are ${known.join(', ')}`,
        { file, line },
      );
    }
    const problem = ruleValueProblem(key as keyof CheckRules, value);
    if (problem) throw new InputError(problem, { file, line });
    (rules as Record<string, unknown>)[key] = value;
  }
  return rules;
}

/** The keys a config file may hold (rules and meta keys), for the schema test and the docs. */
export function configKeys(): string[] {
  return [...Object.keys(RULE_KEYS), ...META_KEYS];
}
