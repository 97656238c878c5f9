/**
 * The analysis request: every option the CLI and the extension share, written once. Each entry gives the option's
 * neutral name (the key), its type, allowed values or bounds, default, a one-line help, its CLI flag and its VS Code
 * setting key. `src/cli/options.ts` builds its parseArgs table, `--help` lines and validation from it;
 * `src/extension/config.ts` reads the settings through it; a unit test holds package.json's
 * `contributes.configuration` and `analyze --help` to it. A new option is added here (docs/architecture.md).
 *
 * Errors name the option neutrally (`OptionError.option`); each surface renders its own name for it (the CLI its
 * flag, the extension its setting).
 */
import type { AlignMode, HardRule } from '../core/detect/types';
import { InputError } from '../core/errors';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../core/experiment/analyze';
import type { DeviceChoice } from '../inference/types';
import { GLOVE_VOCAB, MIXING_SEEDS } from './limits';
import type { ModelSpec } from './types';

/** Where an option acts: the analysis itself, the inference engine, or the bundled weak model. */
export type OptionGroup = 'analysis' | 'inference' | 'model';

interface OptionBase {
  group: OptionGroup;
  /** One line for `--help` and the docs (the default is appended). */
  help: string;
  /** The default as `--help` says it, when it needs more words than the value. */
  defaultHelp?: string;
  /** CLI flag without the dashes; absent when the CLI sets it another way (`cliForm`). */
  flag?: string;
  /** How the CLI sets an option that has no flag of its own (for messages). */
  cliForm?: string;
  /** Placeholder of the value in `--help` (default: the choices joined with |, or N). */
  placeholder?: string;
  /** Key under `overlapDensity.` in package.json's `contributes.configuration`; absent when there is no setting. */
  setting?: string;
}

export interface ChoiceOption<T extends string = string> extends OptionBase {
  type: 'choice';
  values: readonly T[];
  default: T;
}

export interface NumberOption extends OptionBase {
  type: 'integer' | 'number';
  min: number;
  max?: number;
  default: number;
}

export type OptionSpec = ChoiceOption | NumberOption;

const D = DEFAULT_ANALYSIS_OPTIONS;

export const HARD_RULES: readonly HardRule[] = ['segment', 'probing'];
export const ALIGN_MODES: readonly AlignMode[] = ['residual', 'dot-max', 'abs-cosine-max'];
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

/** The table. Its order is the order of the `--help` lines. */
export const REQUEST_OPTIONS = {
  hardRule: {
    type: 'choice', group: 'analysis', values: HARD_RULES, default: D.hardRule, flag: 'hard-rule', setting: 'analysis.hardRule',
    help: 'stage 1: hard = c < t1 (segment) or c <= t1 (probing)',
  } satisfies ChoiceOption<HardRule>,
  align: {
    type: 'choice', group: 'analysis', values: ALIGN_MODES, default: D.align, flag: 'align', setting: 'analysis.align',
    help: "stage 2 score; dot-max and abs-cosine-max are the paper's (docs/detectors.md)",
    defaultHelp: `${D.align}, or dot-max when the weak side is votes or probabilities`,
  } satisfies ChoiceOption<AlignMode>,
  stage1Scale: {
    type: 'choice', group: 'analysis', values: ['auto', 'linear', 'log'] as const, default: D.stage1Scale, flag: 'stage1-scale',
    help: 'stage 1 change point on c or on log(c)', defaultHelp: `${D.stage1Scale}: log for residual`,
  } satisfies ChoiceOption<AnalysisOptions['stage1Scale']>,
  pseudo: {
    type: 'choice', group: 'analysis', values: ['soft', 'hard'] as const, default: D.pseudo, flag: 'pseudo', setting: 'analysis.pseudo',
    help: 'W2S targets: weak probabilities (soft) or argmax labels (hard)',
  } satisfies ChoiceOption<AnalysisOptions['pseudo']>,
  l2: {
    // above 1e6 the penalty swamps any loss (and near float64's range the objective overflows)
    type: 'number', group: 'analysis', min: 0, max: 1e6, default: D.l2, flag: 'l2', placeholder: 'X', help: 'probe penalty on the mean loss',
  } satisfies NumberOption,
  seed: {
    // the generator is seeded with 32 bits: a larger seed would repeat a smaller one's split (2^32 is seed 0's)
    type: 'integer', group: 'analysis', min: 0, max: 2 ** 32 - 1, default: D.seed, flag: 'seed', setting: 'analysis.seed', help: 'seed of splits and draws',
  } satisfies NumberOption,
  seeds: {
    type: 'integer', group: 'analysis', min: MIXING_SEEDS.min, max: MIXING_SEEDS.max, default: D.seeds, flag: 'seeds', setting: 'analysis.seeds',
    placeholder: 'K', help: "seeds of the mixing experiment (the overlap effect's interval is over them)",
  } satisfies NumberOption,
  jump: {
    type: 'integer', group: 'analysis', min: 1, default: D.jump, flag: 'jump', placeholder: 'N',
    help: "change-point grid step: ruptures' 5, or 1 for the exact split",
  } satisfies NumberOption,
  device: {
    type: 'choice', group: 'inference', values: DEVICE_CHOICES, default: 'auto', flag: 'device', setting: 'device',
    help: 'onnxruntime execution provider, CPU fallback', defaultHelp: 'auto: the best available',
  } satisfies ChoiceOption<DeviceChoice>,
  threads: {
    type: 'integer', group: 'inference', min: 0, default: 0, flag: 'threads', setting: 'threads',
    help: 'onnxruntime intra-op threads', defaultHelp: '0: encoders 1 on <= 2 cores, else half the cores; dense products every core',
  } satisfies NumberOption,
  weakVocabulary: {
    type: 'integer', group: 'model', min: GLOVE_VOCAB.min, max: GLOVE_VOCAB.max, default: 2000, cliForm: '--weak glove-mean:K',
    setting: 'models.weakVocabulary', placeholder: 'K', help: "vocabulary size K of the bundled GloVe-mean weak model (the weak model's capacity)",
  } satisfies NumberOption,
};

export type OptionName = keyof typeof REQUEST_OPTIONS;
type Table = typeof REQUEST_OPTIONS;
/** The value type of an option: its choices, or a number. */
export type OptionValue<K extends OptionName> = Table[K] extends { values: readonly (infer T)[] } ? T : number;
/** A full set of values, one per option. */
export type RequestValues = { [K in OptionName]: OptionValue<K> };

export const OPTION_NAMES = Object.keys(REQUEST_OPTIONS) as OptionName[];

export function optionSpec(name: OptionName): OptionSpec {
  return REQUEST_OPTIONS[name] as OptionSpec;
}

/** Every option's default. */
export function requestDefaults(): RequestValues {
  const out: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) out[name] = optionSpec(name).default;
  return out as RequestValues;
}

/** A bad option value; `option` is the table's name and `detail` says what is wrong without naming it. */
export class OptionError extends InputError {
  readonly option: OptionName;
  readonly detail: string;
  constructor(option: OptionName, detail: string) {
    super(`option ${option} ${detail}`);
    this.name = 'OptionError';
    this.option = option;
    this.detail = detail;
  }
}

/** What a value must be, in words: "one of soft, hard", "an integer in 1..1000", "a non-negative number". */
export function expectation(spec: OptionSpec): string {
  if (spec.type === 'choice') return `one of ${spec.values.join(', ')}`;
  const kind = spec.type === 'integer' ? 'integer' : 'number';
  if (spec.max !== undefined) return `${spec.type === 'integer' ? 'an integer' : 'a number'} in ${spec.min}..${spec.max}`;
  if (spec.min === 0) return `a non-negative ${kind}`;
  if (spec.min === 1 && spec.type === 'integer') return 'a positive integer';
  return `${spec.type === 'integer' ? 'an integer' : 'a number'} >= ${spec.min}`;
}

function fits(spec: OptionSpec, value: unknown): boolean {
  if (spec.type === 'choice') return typeof value === 'string' && spec.values.includes(value);
  return (
    typeof value === 'number' && Number.isFinite(value) && (spec.type === 'number' || Number.isInteger(value)) &&
    value >= spec.min && (spec.max === undefined || value <= spec.max)
  );
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/** A typed value, or an OptionError naming the option neutrally. */
export function checkOption<K extends OptionName>(name: K, value: unknown): OptionValue<K> {
  const spec = optionSpec(name);
  if (!fits(spec, value)) throw new OptionError(name, `must be ${expectation(spec)}, got ${shown(value)}`);
  return value as OptionValue<K>;
}

/** An option from text (a command-line value): numbers are parsed, then checked. */
export function parseOptionText<K extends OptionName>(name: K, raw: string): OptionValue<K> {
  const spec = optionSpec(name);
  if (spec.type === 'choice') return checkOption(name, raw);
  // decimal notation only: Number() would also take "0x10" (16) and, for an integer, "1e3"
  const pattern = spec.type === 'integer' ? /^\s*[+-]?\d+\s*$/ : /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
  const x = pattern.test(raw) ? Number(raw) : NaN;
  if (!fits(spec, x)) throw new OptionError(name, `must be ${expectation(spec)}, got "${raw}"`);
  return x as OptionValue<K>;
}

/** An option from a setting: the value when it fits, else the default (the Settings UI already flags a bad one). */
export function settingOrDefault<K extends OptionName>(name: K, value: unknown): OptionValue<K> {
  const spec = optionSpec(name);
  return (fits(spec, value) ? value : spec.default) as OptionValue<K>;
}

/** Checks the analysis options, device, threads and GloVe K a caller passes to the pipeline (OptionError on a bad one). */
export function checkRequest(request: Partial<Record<OptionName, unknown>>): void {
  for (const name of OPTION_NAMES) if (request[name] !== undefined) checkOption(name, request[name]);
}

/** The options of the analysis itself (src/core/experiment/analyze.ts `AnalysisOptions`), each optional. */
export type AnalysisOptionName = { [K in OptionName]: Table[K]['group'] extends 'analysis' ? K : never }[OptionName];
export type AnalysisRequest = { [K in AnalysisOptionName]?: OptionValue<K> };

/** Checks what a caller hands the pipeline: analysis options, device, threads, the bundled GloVe K (OptionError). */
export function checkPipelineRequest(o: { analysis?: AnalysisRequest; device?: unknown; threads?: unknown; weak: ModelSpec }): void {
  const vocab = o.weak.kind === 'bundled' && o.weak.id === 'glove-mean' ? o.weak.vocab : undefined;
  checkRequest({ ...o.analysis, device: o.device, threads: o.threads, weakVocabulary: vocab });
}

/** How the CLI names an option: its flag, or the form that sets it. */
export function cliName(name: OptionName): string {
  const spec = optionSpec(name);
  return spec.flag ? `--${spec.flag}` : (spec.cliForm ?? name);
}

/** How the extension names an option: its setting, or the neutral name when it has none. */
export function settingName(name: OptionName): string {
  const spec = optionSpec(name);
  return spec.setting ? `setting overlapDensity.${spec.setting}` : `option ${name}`;
}
