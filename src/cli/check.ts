import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleInfo, toSarif, type CheckReport, type CheckRules, type Finding } from '../core/check';
import { TOOL_VERSION } from '../core/version';
import { analyzeDatasetFile, modelSpecInputs, resolveInputs } from '../pipeline/analyzeFile';
import { resultMatchesOptions, runCheck, writeBaseline, type CheckRun } from '../pipeline/check';
import { refuseForeignOutputs, refuseOutputsOverInputs, refuseOutputsOverOwnFiles, requireFolderOrNothing, type PathRole } from '../pipeline/outputs';
import { writeFileAtomic } from '../pipeline/results';
import type { InferenceBackend } from '../pipeline/types';
import { createLocalInference } from '../inference/local';
import { DATASET_FLAGS, datasetPipelineOptions } from './analyze';
import { UsageError } from './errors';
import { count } from '../core/words';
import { ANALYSIS_HELP, analysisOptionsFrom, FIELD_FLAGS, parse, parseModelSpec, type FlagValues } from './options';
import { stderrProgress } from './progress';

const HELP = `overlap-density check: overlap alarms for CI. Analyse each dataset (or reuse its up-to-date result) and
compare it with the rules and a baseline; exit 0 pass, 1 alarm, 2 bad input.

  overlap-density check DATASET... [--config FILE] [--baseline RESULT.json | --no-baseline]
                        [--min-density X] [--min-pgr X] [--max-density-drop X] [--max-pgr-drop X]
                        [--overlap-effect positive|not-negative|any] [--fail-on error|warning]
                        [--format text|json|sarif] [--out FILE] [--base-dir DIR] [--write-baseline]
                        [analysis options as analyze]

  --config FILE        rules file (default: the nearest overlap-density.check.json above each dataset; none: defaults)
  --baseline FILE      a result (or baseline) file to compare with; one DATASET only
                       (default: <data dir>/.overlap/<file>.baseline.json when it exists)
  --no-baseline        compare with no baseline
  --min-density X      alarm when the overlap density (share of W2S-train rows called overlap, 0..1) is below X
  --min-pgr X          alarm when PGR is below X
  --max-density-drop X with a baseline: allowed density drop before the noise margin (default 0.05)
  --max-pgr-drop X     with a baseline: allowed PGR drop before the noise margin (default 0.1)
  --overlap-effect R   positive: overlap rows must measurably help; not-negative: must not measurably hurt;
                       any (default): not checked (its sign can change with the analysis seed; docs/check.md)
  --fail-on L          error (default): only errors alarm; warning: warnings (duplicate texts with different
                       labels, PGR not measurable) alarm too
  --format F           text (default), json, or sarif (SARIF 2.1.0 for code scanning)
  --out FILE           write the output there (the text summary still goes to stdout)
  --force              replace an existing --out that is not an overlap-density file (an earlier output is replaced anyway)
  --base-dir DIR       SARIF paths are relative to DIR (default: the working folder; in CI the repository root)
  --write-baseline     after checking, make each dataset's result its baseline (with row text hashes, so later
                       versions of the file are matched row by row)
  --results-dir DIR    results, baselines and the activation cache go to DIR (DIR/<file>.result.json,
                       DIR/<file>.baseline.json, DIR/cache) instead of the .overlap folder beside each dataset, and no
                       history copy is written: for data in a folder this command cannot write (a read-only mount)
  --quiet              no progress on stderr

A result is reused when <data dir>/.overlap/<file>.result.json records the file's current sha256 and the analysis
options asked for (given flags, else the defaults); --weak, --strong, --test-file or a reading flag always analyse.
Other flags as "overlap-density analyze --help" (--weak, --strong, --test-file, --text-field, --device, ...).
Rules, margins and the config format: docs/check.md.

${ANALYSIS_HELP}`;

/** Flags that change what is analysed in ways a cached result does not record: they always re-analyse. */
const FRESH_FLAGS = ['weak', 'strong', 'test-file', ...Object.keys(FIELD_FLAGS)];

const FORMATS = ['text', 'json', 'sarif'] as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      ...DATASET_FLAGS,
      config: { type: 'string' }, baseline: { type: 'string' }, 'no-baseline': { type: 'boolean' },
      'min-density': { type: 'string' }, 'min-pgr': { type: 'string' }, 'max-density-drop': { type: 'string' },
      'max-pgr-drop': { type: 'string' }, 'overlap-effect': { type: 'string' }, 'fail-on': { type: 'string' },
      format: { type: 'string' }, out: { type: 'string' }, 'base-dir': { type: 'string' },
      'write-baseline': { type: 'boolean' }, 'results-dir': { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give one or more DATASET files (or WRENCH folders)');
  const format = (values.format ?? 'text') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  if (values.baseline && values['no-baseline']) throw new UsageError('give --baseline FILE or --no-baseline, not both');
  if (values.baseline && positionals.length > 1) throw new UsageError('--baseline FILE compares one DATASET; with several, each uses its own .overlap/<file>.baseline.json');
  const overrides = rulesFromFlags(values);
  const analysis = analysisOptionsFrom(values);
  const fresh = FRESH_FLAGS.some((f) => values[f] !== undefined);

  const files = await Promise.all(positionals.map(async (p) => (await resolveInputs(p, null)).file));
  // --results-dir: every file this command writes goes there, named by the dataset's file name
  const resultsDir = values['results-dir'] !== undefined ? path.resolve(values['results-dir']) : undefined;
  if (resultsDir !== undefined) {
    await requireFolderOrNothing(resultsDir, '--results-dir');
    const byName = new Map<string, string>();
    for (const f of files) {
      const seen = byName.get(path.basename(f));
      if (seen) throw new UsageError(`--results-dir: ${seen} and ${f} have the same file name, so their results would be one file there; check them one at a time`);
      byName.set(path.basename(f), f);
    }
  }
  const inResults = (f: string, suffix: string) => path.join(resultsDir!, `${path.basename(f)}${suffix}`);
  if (values.out) {
    const inputs: PathRole[] = files.map((f) => ({ path: f, role: 'a DATASET' }));
    if (values.config) inputs.push({ path: values.config, role: '--config' });
    if (values.baseline) inputs.push({ path: values.baseline, role: '--baseline' });
    // the activation files and models of --weak / --strong (read beside each dataset): never replaced, with --force too
    const specs = {
      ...(values.weak ? { weak: parseModelSpec(values.weak, 'weak') } : {}),
      ...(values.strong ? { strong: parseModelSpec(values.strong, 'strong') } : {}),
    };
    for (const f of files) inputs.push(...modelSpecInputs(specs, f));
    await refuseOutputsOverInputs([{ path: values.out, role: '--out' }], inputs);
    // nor over a dataset's own baseline or cached result (read by this check, or written by --write-baseline)
    const own = values.baseline ? [{ path: values.baseline, role: 'the --baseline' }] : [];
    if (resultsDir !== undefined) {
      for (const f of files) own.push({ path: inResults(f, '.result.json'), role: 'a result in --results-dir' }, { path: inResults(f, '.baseline.json'), role: 'a baseline in --results-dir' });
    }
    refuseOutputsOverOwnFiles([{ path: values.out, role: '--out' }], files, own);
    await refuseForeignOutputs([{ path: values.out, role: '--out' }], Boolean(values.force));
  }

  const progress = stderrProgress(!values.quiet);
  let backend: InferenceBackend | undefined;
  const runs: CheckRun[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const dataset = positionals[i];
      runs.push(
        await runCheck(files[i], {
          configFile: values.config,
          overrides,
          baselineFile: values['no-baseline'] ? null : values.baseline,
          ...(values['write-baseline'] ? { unreadableBaseline: 'replace' as const } : {}),
          baselineAdvice: 'check without it with --no-baseline, or write a new one with --write-baseline',
          ...(resultsDir !== undefined ? { resultPath: inResults(files[i], '.result.json'), defaultBaseline: inResults(files[i], '.baseline.json') } : {}),
          accept: (r) => !fresh && resultMatchesOptions(r, analysis),
          analyze: async () => {
            const options = await datasetPipelineOptions(values, dataset);
            if (resultsDir !== undefined) {
              options.outFile = inResults(files[i], '.result.json');
              options.history = false;
              options.cacheDir ??= path.join(resultsDir, 'cache');
            }
            backend ??= createLocalInference({ device: options.device ?? 'auto', threads: options.threads });
            const outcome = await analyzeDatasetFile(dataset, options, { progress, inference: backend });
            return { result: outcome.result, resultPath: outcome.resultPath };
          },
        }),
      );
    }
  } finally {
    await backend?.dispose();
  }

  const baseDir = path.resolve(values['base-dir'] ?? process.cwd());
  const text = runs.map((r) => textReport(r)).join('\n');
  if (format === 'text' && !values.out) process.stdout.write(text);
  else {
    const body = format === 'sarif'
      ? JSON.stringify(toSarif(runs.map((r) => ({ relativePath: sarifPath(r.datasetFile, baseDir), report: r.report, warnings: r.result.warnings })), { version: TOOL_VERSION }), null, 2)
      : format === 'json' ? JSON.stringify(jsonReport(runs), null, 2) : text;
    if (values.out) {
      await writeFileAtomic(values.out, body.endsWith('\n') ? body : `${body}\n`);
      process.stdout.write(text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), values.out) || values.out} (${format})\n`);
    } else process.stdout.write(`${body}\n`);
  }
  if (values['write-baseline']) {
    for (const r of runs) {
      const w = await writeBaseline(r.datasetFile, r.result, ...(resultsDir !== undefined ? [inResults(r.datasetFile, '.baseline.json')] : []));
      (values.out || format === 'text' ? process.stdout : process.stderr).write(
        `baseline of ${rel(r.datasetFile)}: ${rel(w.file)}${w.withTexts ? ' (with row text hashes)' : ' (without row texts: the dataset could not be read again)'}\n`,
      );
    }
  }
  return runs.some((r) => r.report.status === 'alarm') ? 1 : 0;
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || p;
}

/** A dataset's path in SARIF: relative to the base folder, or a file URI when it lies outside it. */
function sarifPath(file: string, baseDir: string): string {
  const r = path.relative(baseDir, file);
  return r.startsWith('..') || path.isAbsolute(r) ? pathToFileURL(file).href : r;
}

function number(values: FlagValues, flag: string, min: number, max: number): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || x < min || x > max) throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got "${raw}"`);
  return x;
}

function rulesFromFlags(values: FlagValues): CheckRules {
  const out: CheckRules = {};
  const put = <K extends keyof CheckRules>(k: K, v: CheckRules[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  put('minDensity', number(values, 'min-density', 0, 1));
  put('minPgr', number(values, 'min-pgr', -100, 100));
  put('maxDensityDrop', number(values, 'max-density-drop', 0, 1));
  put('maxPgrDrop', number(values, 'max-pgr-drop', 0, 100));
  const effect = values['overlap-effect'];
  if (effect !== undefined) {
    if (effect !== 'positive' && effect !== 'not-negative' && effect !== 'any') {
      throw new UsageError(`--overlap-effect must be positive, not-negative or any, got "${effect}"`);
    }
    out.overlapEffect = effect;
  }
  const failOn = values['fail-on'];
  if (failOn !== undefined) {
    if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`--fail-on must be error or warning, got "${failOn}"`);
    out.failOn = failOn;
  }
  return out;
}

/** Findings printed per dataset in the text output (all of them are in json and sarif). */
const TEXT_FINDINGS = 20;

export function textReport(r: CheckRun): string {
  const lines: string[] = [];
  const name = rel(r.datasetFile);
  lines.push(`${name}: ${r.report.summary}`);
  lines.push(
    `  result ${r.reused ? 'reused (up to date)' : 'analysed now'}: ${rel(r.resultPath)} · rules: ${r.rulesFile ? rel(r.rulesFile) : 'defaults'} · ` +
      `baseline: ${r.baselineFile ? rel(r.baselineFile) : 'none'}${r.texts ? '' : ' · row texts: not readable'}`,
  );
  for (const c of r.report.checks) lines.push(`  ${c.outcome.padEnd(7)} ${c.ruleId}: ${c.detail}`);
  const shown = r.report.findings.filter((f) => f.level !== 'note');
  const notes = r.report.findings.length - shown.length;
  for (const f of shown.slice(0, TEXT_FINDINGS)) lines.push(`  ${findingLine(name, f)}`);
  if (shown.length > TEXT_FINDINGS) {
    const rest = shown.slice(TEXT_FINDINGS);
    const errors = rest.filter((f) => f.level === 'error').length;
    const more = [errors > 0 ? count(errors, 'error') : '', rest.length - errors > 0 ? count(rest.length - errors, 'warning') : ''].filter(Boolean).join(' and ');
    lines.push(`  ... ${more} more (--format json or sarif lists all)`);
  }
  if (notes > 0) lines.push(`  ${notes} notes (rows whose category changed, rules not measured): --format json or sarif lists them`);
  // the analysis's own warnings: they decide no rule, but a pass on a weak model at chance must not read as all clear
  const warnings = r.result.warnings ?? [];
  for (const w of warnings.slice(0, TEXT_FINDINGS)) lines.push(`  analysis warning: ${w}`);
  if (warnings.length > TEXT_FINDINGS) lines.push(`  ... ${count(warnings.length - TEXT_FINDINGS, 'analysis warning')} more (--format json or sarif lists all)`);
  return `${lines.join('\n')}\n`;
}

function findingLine(name: string, f: Finding): string {
  return `${name}:${f.line}: ${f.level} [${f.ruleId}] ${f.message}`;
}

function jsonReport(runs: CheckRun[]): unknown {
  return {
    tool: { name: 'overlap-density', version: TOOL_VERSION },
    status: runs.some((r) => r.report.status === 'alarm') ? 'alarm' : 'pass',
    datasets: runs.map((r) => ({
      dataset: r.datasetFile,
      result: r.resultPath,
      reused: r.reused,
      rules: r.rulesFile,
      baseline: r.baselineFile,
      report: withHelp(r.report),
      analysisWarnings: r.result.warnings ?? [],
    })),
  };
}

function withHelp(report: CheckReport): CheckReport & { help: Record<string, string> } {
  const ids = [...new Set(report.findings.map((f) => f.ruleId))];
  return { ...report, help: Object.fromEntries(ids.map((id) => [id, ruleInfo(id).help])) };
}
