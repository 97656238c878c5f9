/**
 * The file side of `overlap-density check` (issue 17, docs/check.md), shared by the CLI and the editor's alarms:
 * where the rules file and the baseline live, reading the current dataset's texts, writing a baseline, and one
 * `runCheck` that reuses an up-to-date result or analyses, then evaluates (core/check).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sha256File } from '../core/activations/file';
import { baselineRows, evaluateCheck, parseCheckConfig, type BaselineResult, type CheckReport, type CheckRules } from '../core/check';
import { readDataset } from '../core/data';
import { InputError } from '../core/errors';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../core/experiment/analyze';
import type { AnalysisResult } from '../core/result/schema';
import { checkOverlapFolder, refuseOutputsOverInputs } from './outputs';
import { defaultResultPath, isResultStale, loadResult, writeFileAtomic } from './results';
import { rereadOptions } from './rowTexts';
import { sidecarPath } from '../core/layout';

/** The rules file's name; the nearest one above the dataset applies. */
export const CHECK_CONFIG_NAME = 'overlap-density.check.json';

/** Largest rules file read (it holds a handful of keys). */
const MAX_CONFIG_BYTES = 64 * 1024;

/** Reads and parses a rules file; InputError with file and line when it is not valid. */
export async function readCheckConfig(file: string): Promise<CheckRules> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    throw new InputError(`cannot read the check config (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
  }
  if (!stat.isFile()) throw new InputError('the check config is not a file', { file });
  if (stat.size > MAX_CONFIG_BYTES) throw new InputError(`the check config is ${stat.size} bytes; a rules file is a few keys (limit ${MAX_CONFIG_BYTES})`, { file });
  return parseCheckConfig(await fs.readFile(file, 'utf8'), file);
}

/**
 * The nearest `overlap-density.check.json`, walking up from the dataset's folder to `stopAt` (included; a
 * workspace folder or the repository root) or the file-system root. Null when there is none.
 */
export async function findCheckConfig(datasetPath: string, stopAt?: string): Promise<{ file: string; rules: CheckRules } | null> {
  let dir = path.dirname(path.resolve(datasetPath));
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    const candidate = path.join(dir, CHECK_CONFIG_NAME);
    const st = await fs.stat(candidate).catch(() => undefined);
    if (st?.isFile()) return { file: candidate, rules: await readCheckConfig(candidate) };
    if (stop !== undefined && dir === stop) return null;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The baseline of a dataset file: `<dir>/.overlap/<file name>.baseline.json` (a result file, plus row text hashes). */
export function baselinePath(datasetPath: string): string {
  return sidecarPath(datasetPath, 'baseline');
}

/** Reads a baseline (any results file); null when `optional` and it does not exist. */
export async function loadBaseline(file: string, optional = false): Promise<BaselineResult | null> {
  if (optional && !(await fs.stat(file).catch(() => undefined))) return null;
  return (await loadResult(file)) as BaselineResult;
}

/**
 * Texts of the dataset file by row index, read the way the analysis read it; null when the file is not the one the
 * result describes (its sha256 differs) or cannot be read.
 */
export async function currentTexts(result: AnalysisResult, datasetFile: string): Promise<(string | null)[] | null> {
  try {
    if (!result.dataset.contentHash || isResultStale(result, await sha256File(datasetFile))) return null;
    const d = await readDataset(datasetFile, rereadOptions(result));
    const n = d.rows.reduce((m, r) => Math.max(m, r.index + 1), 0);
    const texts = new Array<string | null>(n).fill(null);
    for (const r of d.rows) texts[r.index] = typeof r.text === 'string' ? r.text : null;
    return texts;
  } catch {
    return null;
  }
}

/**
 * Writes `result` as the baseline of `datasetFile` (default `baselinePath`), with the hashes of its row texts when
 * the dataset is the analysed one, so that later versions of the file can be matched row by row.
 */
export async function writeBaseline(datasetFile: string, result: AnalysisResult, target = baselinePath(datasetFile)): Promise<{ file: string; withTexts: boolean }> {
  await refuseOutputsOverInputs([{ path: target, role: 'the baseline' }], [{ path: datasetFile, role: 'the dataset' }]);
  if (path.resolve(target) === path.resolve(baselinePath(datasetFile))) await checkOverlapFolder(path.dirname(datasetFile));
  const texts = await currentTexts(result, datasetFile);
  const { checkBaseline: _old, ...plain } = result as BaselineResult;
  const out: BaselineResult = texts ? { ...plain, checkBaseline: baselineRows(result, texts) } : plain;
  await writeFileAtomic(target, JSON.stringify(out));
  return { file: target, withTexts: texts !== null };
}

/** Where the rules of one run come from. */
export interface RulesSource {
  /** The rules file used (found or given), or null for the defaults. */
  file: string | null;
  rules: CheckRules;
}

/** The rules file named on the command line, else the nearest one above the dataset. */
export async function rulesFor(datasetFile: string, configFile?: string, stopAt?: string): Promise<RulesSource> {
  if (configFile) return { file: path.resolve(configFile), rules: await readCheckConfig(configFile) };
  const found = await findCheckConfig(datasetFile, stopAt);
  return found ? { file: found.file, rules: found.rules } : { file: null, rules: {} };
}

/**
 * An up-to-date cached result of `datasetFile`: the file at `resultPath` exists, records the dataset's current
 * sha256 and satisfies `accept` (same options); null otherwise (also when it cannot be read: it is rewritten).
 */
export async function cachedResult(datasetFile: string, resultPath: string, accept: (r: AnalysisResult) => boolean): Promise<AnalysisResult | null> {
  if (!(await fs.stat(resultPath).catch(() => undefined))) return null;
  let r: AnalysisResult;
  try {
    r = await loadResult(resultPath);
  } catch {
    return null;
  }
  if (!r.dataset.contentHash || isResultStale(r, await sha256File(datasetFile))) return null;
  return accept(r) ? r : null;
}

/**
 * Whether a result was made with the analysis options asked for: each option given, else its default, equals the
 * result's (`align` and `stage1Scale` only when given, since their defaults depend on the weak side).
 */
export function resultMatchesOptions(result: AnalysisResult, asked: Partial<AnalysisOptions>): boolean {
  const o = result.options;
  const want = { ...DEFAULT_ANALYSIS_OPTIONS, ...asked };
  if (o.hardRule !== want.hardRule || o.pseudo !== want.pseudo || o.l2 !== want.l2) return false;
  if (o.seed !== want.seed || o.seeds !== want.seeds || o.jump !== want.jump) return false;
  if (asked.align !== undefined && o.align !== asked.align) return false;
  if (asked.stage1Scale !== undefined && asked.stage1Scale !== 'auto' && (o.stage1Scale ?? 'linear') !== asked.stage1Scale) return false;
  return true;
}

export interface CheckRunOptions {
  /** A rules file given explicitly (otherwise the nearest overlap-density.check.json). */
  configFile?: string;
  /** Where the search for a rules file stops. */
  stopAt?: string;
  /** Rules from flags; they win over the file. */
  overrides?: CheckRules;
  /** A baseline given explicitly; undefined: `defaultBaseline` (else `baselinePath`) when it exists; null: none. */
  baselineFile?: string | null;
  /** Where the baseline is looked for when none is given (check --results-dir); default `baselinePath`. */
  defaultBaseline?: string;
  /**
   * A baseline that cannot be read (not JSON, not a result): 'replace' checks without it, as the run is about to
   * write a new one (check --write-baseline); otherwise an error that says how to go on (`baselineAdvice`).
   */
  unreadableBaseline?: 'replace';
  baselineAdvice?: string;
  /** Where the result is kept (default `defaultResultPath`). */
  resultPath?: string;
  /** Whether a cached result fits the request (its options equal those asked for). */
  accept: (r: AnalysisResult) => boolean;
  /** Runs the analysis when no cached result fits; returns the result and where it was written. */
  analyze: () => Promise<{ result: AnalysisResult; resultPath: string }>;
}

export interface CheckRun {
  datasetFile: string;
  result: AnalysisResult;
  resultPath: string;
  /** True when an up-to-date cached result was used. */
  reused: boolean;
  rulesFile: string | null;
  baselineFile: string | null;
  /** False when the dataset texts could not be read (row rules that need them are skipped). */
  texts: boolean;
  report: CheckReport;
}

/** One dataset: rules, result (cached or fresh), baseline, texts, evaluation. `datasetFile` is a file (not a folder). */
export async function runCheck(datasetFile: string, o: CheckRunOptions): Promise<CheckRun> {
  const source = await rulesFor(datasetFile, o.configFile, o.stopAt);
  const rules: CheckRules = { ...source.rules, ...definedOnly(o.overrides ?? {}) };
  const bFile = o.baselineFile === undefined ? (o.defaultBaseline ?? baselinePath(datasetFile)) : o.baselineFile;
  let baseline: BaselineResult | null = null;
  try {
    baseline = bFile === null ? null : await loadBaseline(bFile, o.baselineFile === undefined);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (o.unreadableBaseline !== 'replace') {
      throw new InputError(`${e.message} (it is the baseline this check compares with${o.baselineAdvice ? `: ${o.baselineAdvice}` : ''})`);
    }
  }
  const resultPath = o.resultPath ?? defaultResultPath(datasetFile);
  let result = await cachedResult(datasetFile, resultPath, o.accept);
  let reused = true;
  let written = resultPath;
  if (!result) {
    const fresh = await o.analyze();
    result = fresh.result;
    written = fresh.resultPath;
    reused = false;
  }
  if (baseline && bFile) {
    const other = baselineMismatch(baseline, result);
    if (other) {
      throw new InputError(`the baseline describes another analysis: ${other}; a comparison would mean nothing${o.baselineAdvice ? ` (${o.baselineAdvice})` : ''}`, { file: bFile });
    }
  }
  const texts = await currentTexts(result, datasetFile);
  const report = evaluateCheck(result, rules, { baseline, texts });
  return {
    datasetFile, result, resultPath: written, reused, rulesFile: source.file,
    baselineFile: baseline ? bFile : null, texts: texts !== null, report,
  };
}

/**
 * Why a baseline cannot be compared with a result, or undefined: other classes, or other encoders (the density and
 * the PGR of another pair of models are other numbers). Rows may differ: that is what the comparison looks for.
 */
export function baselineMismatch(baseline: AnalysisResult, result: AnalysisResult): string | undefined {
  const classes = (r: AnalysisResult) => r.dataset.labelNames?.join(', ') ?? `${r.dataset.numClasses} classes`;
  if (baseline.dataset?.numClasses !== result.dataset.numClasses || classes(baseline) !== classes(result)) {
    return `its classes are ${classes(baseline)}, this dataset's ${classes(result)}`;
  }
  for (const side of ['weak', 'strong'] as const) {
    const b = baseline.encoders?.[side];
    const r = result.encoders[side];
    if (b?.id !== r.id || b?.dim !== r.dim) return `its ${side} model is ${b?.id ?? 'not named'} (${b?.dim ?? '?'}-d), this analysis's ${r.id} (${r.dim}-d)`;
  }
  return undefined;
}

function definedOnly(r: CheckRules): CheckRules {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as CheckRules;
}
