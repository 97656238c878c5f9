import { parseArgs } from 'node:util';
import * as path from 'node:path';
import type { AnalysisOptions } from '../core/experiment/analyze';
import type { AlignMode, HardRule } from '../core/detect/types';
import type { DeviceChoice, ModelSpec } from '../pipeline/types';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import { GLOVE_VOCAB, MIXING_SEEDS } from '../pipeline/limits';
import { UsageError } from './errors';

/** parseArgs option table for the analysis options shared by `analyze`, `select` and `demo`. */
export const ANALYSIS_FLAGS = {
  'hard-rule': { type: 'string' },
  align: { type: 'string' },
  pseudo: { type: 'string' },
  l2: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  jump: { type: 'string' },
  'stage1-scale': { type: 'string' },
} as const;

export const ANALYSIS_HELP = `Analysis options:
  --hard-rule segment|probing        stage 1: hard = c < t1 (segment, default) or c <= t1 (probing)
  --align residual|dot-max|abs-cosine-max
                                     stage 2 score (default residual, or dot-max when the weak side is votes or
                                     probabilities; dot-max and abs-cosine-max are the paper's; docs/detectors.md)
  --stage1-scale auto|linear|log     stage 1 change point on c or on log(c) (default auto: log for residual)
  --pseudo soft|hard                 W2S training targets: weak probabilities or argmax labels (default soft)
  --l2 X                             probe penalty on the mean loss (default 1e-3)
  --seed N                           seed of splits and draws (default 0)
  --seeds K                          seeds of the mixing experiment (default 10; the overlap effect's interval is over them)
  --jump 5|1                         change-point grid: ruptures' default 5, or 1 for the exact split`;

type Values = Record<string, string | undefined>;

function num(values: Values, name: string, check: (x: number) => boolean, what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || !check(x)) {
    throw new UsageError(`--${name} must be ${what}, got "${String(raw)}"`);
  }
  return x;
}

function oneOf<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!allowed.includes(raw as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${String(raw)}"`);
  return raw as T;
}

export function analysisOptionsFrom(values: Values): Partial<AnalysisOptions> {
  const out: Partial<AnalysisOptions> = {};
  const hardRule = oneOf<HardRule>(values, 'hard-rule', ['segment', 'probing']);
  const align = oneOf<AlignMode>(values, 'align', ['dot-max', 'abs-cosine-max', 'residual']);
  const pseudo = oneOf(values, 'pseudo', ['soft', 'hard'] as const);
  const l2 = num(values, 'l2', (x) => x >= 0, 'a non-negative number');
  const seed = num(values, 'seed', (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
  const seeds = num(values, 'seeds', (x) => Number.isInteger(x) && x >= MIXING_SEEDS.min && x <= MIXING_SEEDS.max, `an integer in ${MIXING_SEEDS.min}..${MIXING_SEEDS.max}`);
  const jump = num(values, 'jump', (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const stage1Scale = oneOf(values, 'stage1-scale', ['auto', 'linear', 'log'] as const);
  if (stage1Scale) out.stage1Scale = stage1Scale;
  if (hardRule) out.hardRule = hardRule;
  if (align) out.align = align;
  if (pseudo) out.pseudo = pseudo;
  if (l2 !== undefined) out.l2 = l2;
  if (seed !== undefined) out.seed = seed;
  if (seeds !== undefined) out.seeds = seeds;
  if (jump !== undefined) out.jump = jump;
  return out;
}

export function intOption(values: Values, name: string, min: number, fallback: number): number {
  return num(values, name, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`) ?? fallback;
}

export function deviceFrom(values: Values): DeviceChoice {
  return oneOf<DeviceChoice>(values, 'device', ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']) ?? 'auto';
}

/**
 * Model specs on the command line (file paths are relative to the working folder and made absolute here):
 *   weak:   glove-mean | glove-mean:K | onnx:PATH[#TOKENIZER] | npy:PATH | safetensors:PATH[#TENSOR] | field:NAME | votes[:FIELD] |
 *           label-model[:FIELD] | prob:FIELD
 *   strong: use-lite | onnx:PATH[#TOKENIZER] | npy:PATH | safetensors:PATH[#TENSOR] | field:NAME
 */
export function parseModelSpec(raw: string, side: 'weak' | 'strong'): ModelSpec {
  const [head, ...rest] = raw.split(':');
  const arg = rest.join(':');
  const flag = `--${side}`;
  switch (head) {
    case 'glove-mean': {
      if (side !== 'weak') break;
      if (!arg) return { kind: 'bundled', id: 'glove-mean' };
      const k = Number(arg);
      if (!Number.isInteger(k) || k < GLOVE_VOCAB.min || k > GLOVE_VOCAB.max) throw new UsageError(`${flag} glove-mean:K needs K in ${GLOVE_VOCAB.min}..${GLOVE_VOCAB.max}, got "${arg}"`);
      return { kind: 'bundled', id: 'glove-mean', vocab: k };
    }
    case 'use-lite':
      if (side !== 'strong') break;
      return { kind: 'bundled', id: 'use-lite' };
    case 'onnx': {
      if (!arg) throw new UsageError(`${flag} onnx:PATH needs a path`);
      const [p, tok] = arg.split('#');
      return tok ? { kind: 'onnx', path: path.resolve(p), tokenizer: path.resolve(tok) } : { kind: 'onnx', path: path.resolve(p) };
    }
    case 'npy':
      if (!arg) throw new UsageError(`${flag} npy:PATH needs a path`);
      return { kind: 'npy', path: path.resolve(arg) };
    case 'safetensors': {
      if (!arg) throw new UsageError(`${flag} safetensors:PATH needs a path`);
      const [p, tensor] = arg.split('#');
      return tensor ? { kind: 'safetensors', path: path.resolve(p), tensor } : { kind: 'safetensors', path: path.resolve(p) };
    }
    case 'field':
      if (!arg) throw new UsageError(`${flag} field:NAME needs a field name`);
      return { kind: 'field', field: arg };
    case 'votes':
      if (side !== 'weak') break;
      return arg ? { kind: 'votes', field: arg } : { kind: 'votes' };
    case 'label-model':
      if (side !== 'weak') break;
      return arg ? { kind: 'votes', field: arg, aggregate: 'dawid-skene' } : { kind: 'votes', aggregate: 'dawid-skene' };
    case 'prob':
      if (side !== 'weak') break;
      if (!arg) throw new UsageError(`${flag} prob:FIELD needs a field name`);
      return { kind: 'probabilities', field: arg };
  }
  throw new UsageError(`${flag} "${raw}" is not a ${side} model spec (see --help)`);
}

/** parseArgs option table for the field overrides shared by `analyze` and `select`. */
export const FIELD_FLAGS = {
  header: { type: 'string' },
  'class-names': { type: 'string' },
  'text-field': { type: 'string' },
  'label-field': { type: 'string' },
  'weak-labels-field': { type: 'string' },
  'split-field': { type: 'string' },
} as const;

/** The field overrides given on the command line (the readers detect the rest). */
export function fieldOverridesFrom(values: Values): FieldMap {
  const out: FieldMap = {};
  if (values['text-field']) {
    const names = values['text-field'].split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (names.length === 0) throw new UsageError('--text-field needs a field name (several: --text-field title,description)');
    out.text = names.length === 1 ? names[0] : names;
  }
  if (values['label-field']) out.label = values['label-field'];
  if (values['weak-labels-field']) out.weakLabels = values['weak-labels-field'];
  if (values['split-field']) out.split = values['split-field'];
  return out;
}

/** The reading options given on the command line: `--header auto|yes|no|NAME,NAME,...`, `--class-names A,B,...`. */
export function readOptionsFrom(values: Values): { header?: HeaderChoice; classNames?: string[] } {
  const out: { header?: HeaderChoice; classNames?: string[] } = {};
  const h = values.header?.trim();
  if (h !== undefined) {
    if (h === 'auto' || h === 'yes' || h === 'no') out.header = h;
    else if (h.includes(',')) out.header = h.split(',').map((c) => c.trim());
    else throw new UsageError('--header is auto, yes, no, or the column names separated by commas');
  }
  if (values['class-names'] !== undefined) {
    const names = values['class-names'].split(',').map((c) => c.trim());
    if (names.length < 2 || names.some((c) => c === '') || new Set(names).size !== names.length) {
      throw new UsageError('--class-names needs two or more distinct names separated by commas, in class id order');
    }
    out.classNames = names;
  }
  return out;
}

/** Flags are strings; boolean flags read as a truthy value when given. */
export type FlagValues = Record<string, string | undefined>;

/** Strict parseArgs whose errors become usage errors (exit 2 with a hint) instead of stack traces. */
export function parse(config: {
  args: string[];
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  allowPositionals?: boolean;
}): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ ...config, strict: true });
    return { values: values as FlagValues, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
