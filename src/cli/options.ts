import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalysisOptions } from '../core/experiment/analyze';
import type { DeviceChoice, ModelSpec } from '../pipeline/types';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import {
  cliName, OPTION_NAMES, optionSpec, parseOptionText, REQUEST_OPTIONS, type OptionGroup, type OptionName, type OptionValue,
} from '../pipeline/request';
import { UsageError } from './errors';

/** The request options of one group, in table order, that have a CLI flag. */
function flagged(group: OptionGroup): OptionName[] {
  return OPTION_NAMES.filter((n) => optionSpec(n).group === group && optionSpec(n).flag);
}

function flagTable(group: OptionGroup): Record<string, { type: 'string' }> {
  return Object.fromEntries(flagged(group).map((n) => [optionSpec(n).flag!, { type: 'string' as const }]));
}

/** parseArgs option table for the analysis options shared by `analyze`, `select`, `check`, `curate` (src/pipeline/request.ts). */
export const ANALYSIS_FLAGS = flagTable('analysis');
/** parseArgs option table for --device and --threads. */
export const INFERENCE_FLAGS = flagTable('inference');

const HELP_COLUMN = 37;
const HELP_WIDTH = 120;

/** One `--help` entry: `  --flag VALUE   help (default D)`, wrapped under the help column. */
export function helpLine(usage: string, text: string): string {
  const head = `  ${usage}`;
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && HELP_COLUMN + line.length + 1 + w.length > HELP_WIDTH) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  const pad = ' '.repeat(HELP_COLUMN);
  const first = head.length < HELP_COLUMN - 1 ? head.padEnd(HELP_COLUMN) + lines.shift() : head;
  return [first, ...lines.map((l) => pad + l)].join('\n');
}

/** The `--help` line of one request option, from the table. */
export function optionHelp(name: OptionName): string {
  const spec = optionSpec(name);
  const value = spec.placeholder ?? (spec.type === 'choice' ? spec.values.join('|') : 'N');
  const bounds = spec.type !== 'choice' && spec.max !== undefined ? `, ${spec.min}..${spec.max}` : '';
  return helpLine(`${cliName(name)} ${value}`, `${spec.help} (default ${spec.defaultHelp ?? spec.default}${bounds})`);
}

/** The `--help` lines of every flagged option of a group. */
export function groupHelp(group: OptionGroup): string {
  return flagged(group).map(optionHelp).join('\n');
}

export const ANALYSIS_HELP = `Analysis options:\n${groupHelp('analysis')}`;
export const INFERENCE_HELP = `Inference options (bundled and ONNX encoders):\n${groupHelp('inference')}`;

type Values = Record<string, string | undefined>;

/** The value of a request option's flag when given, checked against the table; errors name the flag. */
export function optionFrom<K extends OptionName>(values: Values, name: K): OptionValue<K> | undefined {
  const raw = values[optionSpec(name).flag!];
  if (raw === undefined) return undefined;
  return parseOptionText(name, raw);
}

function num(values: Values, name: string, check: (x: number) => boolean, what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || !check(x)) {
    throw new UsageError(`--${name} must be ${what}, got "${String(raw)}"`);
  }
  return x;
}

export function analysisOptionsFrom(values: Values): Partial<AnalysisOptions> {
  const out: Record<string, unknown> = {};
  for (const name of flagged('analysis')) {
    const v = optionFrom(values, name);
    if (v !== undefined) out[name] = v;
  }
  return out as Partial<AnalysisOptions>;
}

export function intOption(values: Values, name: string, min: number, fallback: number): number {
  return num(values, name, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`) ?? fallback;
}

export function deviceFrom(values: Values): DeviceChoice {
  return optionFrom(values, 'device') ?? REQUEST_OPTIONS.device.default;
}

/** --threads N; 0 or absent: onnxruntime's default (undefined here). */
export function threadsFrom(values: Values): number | undefined {
  return optionFrom(values, 'threads') || undefined;
}

/**
 * Model specs on the command line (file paths are relative to the working folder and made absolute here):
 *   weak:   glove-mean | glove-mean:K | onnx:PATH[#TOKENIZER] | npy:PATH | safetensors:PATH[#TENSOR] | field:NAME | votes[:FIELD] |
 *           label-model[:FIELD] | prob:FIELD
 *   strong: use-lite | onnx:PATH[#TOKENIZER] | npy:PATH | safetensors:PATH[#TENSOR] | field:NAME
 */
/**
 * PATH#PART (a safetensors tensor, an ONNX model's tokenizer), where PATH itself may hold '#': the whole argument when
 * it names a file, else split at the last '#' whose left part names a file, else at the first '#'.
 */
export function pathAndPart(arg: string): [string, string | undefined] {
  if (!arg.includes('#') || fs.existsSync(arg)) return [arg, undefined];
  for (let at = arg.lastIndexOf('#'); at > 0; at = arg.lastIndexOf('#', at - 1)) {
    if (fs.existsSync(arg.slice(0, at))) return [arg.slice(0, at), arg.slice(at + 1) || undefined];
  }
  const at = arg.indexOf('#');
  return [arg.slice(0, at), arg.slice(at + 1) || undefined];
}

export function parseModelSpec(raw: string, side: 'weak' | 'strong'): ModelSpec {
  const [head, ...rest] = raw.split(':');
  const arg = rest.join(':');
  const flag = `--${side}`;
  switch (head) {
    case 'glove-mean': {
      if (side !== 'weak') break;
      if (rest.length > 0 && !arg) throw new UsageError(`${flag} glove-mean:K needs K (the vocabulary size), or no colon`);
      if (!arg) return { kind: 'bundled', id: 'glove-mean' };
      return { kind: 'bundled', id: 'glove-mean', vocab: parseOptionText('weakVocabulary', arg) };
    }
    case 'use-lite':
      if (side !== 'strong') break;
      return { kind: 'bundled', id: 'use-lite' };
    case 'onnx': {
      if (!arg) throw new UsageError(`${flag} onnx:PATH needs a path`);
      const [p, tok] = pathAndPart(arg);
      return tok ? { kind: 'onnx', path: path.resolve(p), tokenizer: path.resolve(tok) } : { kind: 'onnx', path: path.resolve(p) };
    }
    case 'npy':
      if (!arg) throw new UsageError(`${flag} npy:PATH needs a path`);
      return { kind: 'npy', path: path.resolve(arg) };
    case 'safetensors': {
      if (!arg) throw new UsageError(`${flag} safetensors:PATH needs a path`);
      const [p, tensor] = pathAndPart(arg);
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

/** A negative number as written on a command line: -1, -0.5, -.5, -1e-3. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--seed -1` as `--seed=-1`: parseArgs reads a value that starts with a dash as another option and refuses it as
 * ambiguous, so a negative number never reached the option's own check (which then says what the range is).
 */
export function joinNegativeValues(args: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): string[] {
  const out: string[] = [];
  const takesValue = (arg: string): boolean => {
    if (arg.startsWith('--')) return !arg.includes('=') && Object.hasOwn(options, arg.slice(2)) && options[arg.slice(2)].type === 'string';
    return arg.length === 2 && arg[0] === '-' && Object.values(options).some((o) => o.short === arg[1] && o.type === 'string');
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (takesValue(arg) && i + 1 < args.length && NEGATIVE_NUMBER.test(args[i + 1])) {
      out.push(arg.startsWith('--') ? `${arg}=${args[i + 1]}` : `${arg}${args[i + 1]}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Strict parseArgs whose errors become usage errors (exit 2 with a hint) instead of stack traces. */
export function parse(config: {
  args: string[];
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  allowPositionals?: boolean;
}): { values: FlagValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ ...config, args: joinNegativeValues(config.args, config.options), strict: true });
    // an empty value (`--out ""`) is a mistake, not "absent": the default would be used without a word
    for (const [name, value] of Object.entries(parsed.values)) {
      if (value === '' && config.options[name]?.type === 'string') throw new UsageError(`--${name} needs a value, not an empty string`);
    }
    // `--out -` reads as "standard output" elsewhere; here it would be a file named "-"
    if (parsed.values.out === '-') throw new UsageError('--out - would write a file named "-"; give a file path (check without --out prints its report to the terminal)');
    return { values: parsed.values as FlagValues, positionals: parsed.positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // a file whose name starts with '-' reads as options: say so, naming the file, instead of Node's words about '-d'
    const dashFile = config.args.find((a) => /^-[^-]/.test(a) && a.length > 2 && !(a.slice(1) in config.options) && fs.existsSync(a));
    if (dashFile) throw new UsageError(`${dashFile} is read as options because its name starts with "-"; give it as ./${dashFile}`);
    throw new UsageError((e as Error).message);
  }
}
