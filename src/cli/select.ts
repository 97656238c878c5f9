import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../core/errors';
import {
  DEFAULT_OVERLAP_SHARES, STRATEGY_NAMES, type BonusMode, type SelectionOptions, type SelectionResult, type StrategyName,
} from '../core/select';
import { createLocalInference } from '../inference/local';
import type { InferenceService } from '../inference/types';
import { activationFolderInputs, refuseForeignOutputs, refuseOutputsOverInputs, type PathRole } from '../pipeline/outputs';
import { selectFromPaths, writeSelectionResult } from '../pipeline/sources';
import type { ModelSpec } from '../pipeline/types';
import { UsageError } from './errors';
import {
  ANALYSIS_FLAGS, analysisOptionsFrom, deviceFrom, FIELD_FLAGS, fieldOverridesFrom, INFERENCE_FLAGS, readOptionsFrom, intOption, parse,
  parseModelSpec, threadsFrom,
} from './options';
import { stderrProgress } from './progress';
import { REQUEST_OPTIONS } from '../pipeline/request';
import { writeWarning } from './warnings';

const HELP = `overlap-density select: choose among data sources by their overlap density (UCB, the paper's Algorithm 1)

  overlap-density select SOURCE SOURCE... [options] --out select.json
  overlap-density select FILE --split-by COLUMN [options] --out select.json
  overlap-density select SOURCE --reference split [options] --out select.json
  overlap-density select --reference synthetic [options] --out select.json

A SOURCE is a dataset file (JSONL, JSON, CSV/TSV, SST, WRENCH JSON, Parquet), encoded like "analyze" does, or an
activation folder as "overlap-density synth --out DIR" writes it (weak.npy strong.npy labels.npy, optional split.npy
and membership.npy). Each source is split into weak-train / pool / test (seeded thirds, or its split field or
split.npy); the weak-train and test parts of all sources form the shared weak-train and test sets, and each arm
draws from its pool.

Plan:
  --rounds T                 rounds (default 50)
  --per-round n              points per pull (default floor(smallest pool / T); lowered, with a note, if a pool
                             is smaller than T x n)
  --bonus code|ucb1          UCB bonus: sqrt(2 ln T) / N_k as the reference code (default), or sqrt(2 ln t / N_k)
  --strategies LIST          comma-separated from ucb, random, optimal (default all; optimal needs known densities)
  --seed S / --seeds K       seeds S, S+1, ..., S+K-1 (default 0 and 10): arm draw orders and random choices
  --eval-every k             score the W2S probes every k rounds and at the last (default 1)

Sources:
  --split-by COLUMN          one file, one source per distinct value of COLUMN (dots reach nested fields), or
                             @votes: rows some labelling function votes on vs rows none does
  --reference split|synthetic
                             split: build sources from ONE data set by detected overlap (its W2S-train third goes to
                             sources holding --shares of the detected overlap rows and even shares of the rest);
                             synthetic: the paper's Gaussian mixture with ground truth (no SOURCE)
  --shares LIST              overlap shares per reference source (default 0.1,0.9)
  --n-overlap N / --n-nonoverlap N
                             rows of the synthetic reference data set (default 4000 / 4000, split in thirds)
  --weak SPEC / --strong SPEC, --text-field F, --label-field F, --weak-labels-field F, --split-field F,
  --device D, --threads N, --cache-dir DIR     as for "analyze" (defaults glove-mean and use-lite)

Detection and probes:
  --augment hard+rest|hard   augmented detection: earlier hard-only rows join the hard set and t2 is taken over
                             earlier non-hard rows too (hard+rest, default; METHOD.md section 2), or over the batch
                             only (hard: the reference bandit code)
  --hard-rule segment|probing, --align dot-max|abs-cosine-max|residual, --jump 5|1, --l2 X
  --pseudo soft|hard         W2S targets (default soft; hard with --reference synthetic, as the paper's synthetic runs)
  --w2s-c C                  W2S probes with scikit-learn's C (l2 = 1 / (2 C n)); default 0.01 with --reference
                             synthetic (the paper's synthetic W2S), else off (--l2 applies)

  --out FILE                 result JSON (required)
  --force                    replace an existing --out that is not an overlap-density file (an earlier result is replaced anyway)
  --quiet                    no progress on stderr`;

function parseList(raw: string, flag: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${flag} needs a comma-separated list`);
  return items;
}

function parseShares(raw: string | undefined): number[] {
  if (raw === undefined) return DEFAULT_OVERLAP_SHARES;
  return parseList(raw, '--shares').map((s) => {
    const x = Number(s);
    if (!Number.isFinite(x) || x < 0 || x > 1) throw new UsageError(`--shares values must be numbers in [0, 1], got "${s}"`);
    return x;
  });
}

function positiveNumber(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`${flag} must be a positive number, got "${raw}"`);
  return x;
}

/** The note that says how --split-by made the sources (sources.ts setupFromColumn): the report lists them already. */
const SPLIT_SUMMARY = / split by (column "[^]*"|labelling-function coverage) into \d+ sources \(/;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      ...ANALYSIS_FLAGS,
      rounds: { type: 'string' }, 'per-round': { type: 'string' }, bonus: { type: 'string' }, strategies: { type: 'string' },
      'eval-every': { type: 'string' }, 'split-by': { type: 'string' }, reference: { type: 'string' }, shares: { type: 'string' },
      'n-overlap': { type: 'string' }, 'n-nonoverlap': { type: 'string' }, augment: { type: 'string' }, 'w2s-c': { type: 'string' },
      weak: { type: 'string' }, strong: { type: 'string' },
      ...FIELD_FLAGS, ...INFERENCE_FLAGS, 'cache-dir': { type: 'string' },
      out: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.out) throw new UsageError('--out FILE is required');
  const reference = values.reference;
  if (reference !== undefined && reference !== 'split' && reference !== 'synthetic') {
    throw new UsageError(`--reference must be split or synthetic, got "${reference}"`);
  }
  const splitBy = values['split-by'];
  if (reference && splitBy) throw new UsageError('give --reference or --split-by, not both');
  if (reference === 'synthetic' && positionals.length > 0) throw new UsageError('--reference synthetic builds its own data: give no SOURCE');
  if ((reference === 'split' || splitBy) && positionals.length !== 1) {
    throw new UsageError(`${reference ? '--reference split' : '--split-by'} works on one SOURCE, got ${positionals.length}`);
  }
  if (!reference && !splitBy) {
    if (positionals.length === 0) throw new UsageError('give two or more SOURCEs (or --reference synthetic)');
    if (positionals.length === 1) {
      throw new InputError(
        `selection needs at least 2 data sources, got 1 ("${positionals[0]}"): give more files, split this one by a column ` +
          '(--split-by COLUMN), or build sources from it by detected overlap (--reference split)',
      );
    }
  }
  const bonus = values.bonus ?? 'code';
  if (bonus !== 'code' && bonus !== 'ucb1') throw new UsageError(`--bonus must be code or ucb1, got "${bonus}"`);
  const strategies = values.strategies ? parseList(values.strategies, '--strategies') : undefined;
  for (const s of strategies ?? []) {
    if (!STRATEGY_NAMES.includes(s as StrategyName)) throw new UsageError(`--strategies: unknown strategy "${s}" (${STRATEGY_NAMES.join(', ')})`);
  }
  const augment = values.augment ?? 'hard+rest';
  if (augment !== 'hard' && augment !== 'hard+rest') throw new UsageError(`--augment must be hard+rest or hard, got "${augment}"`);
  if (values.shares !== undefined && reference !== 'split') throw new UsageError('--shares applies to --reference split only');
  for (const flag of ['n-overlap', 'n-nonoverlap'] as const) {
    if (values[flag] !== undefined && reference !== 'synthetic') throw new UsageError(`--${flag} applies to --reference synthetic only`);
  }
  const shares = parseShares(values.shares);
  const analysis = analysisOptionsFrom(values);
  const seed = analysis.seed ?? 0;
  const synthetic = reference === 'synthetic';
  const options: Partial<SelectionOptions> = {
    ...(analysis.hardRule ? { hardRule: analysis.hardRule } : {}),
    ...(analysis.align ? { align: analysis.align } : {}),
    ...(analysis.jump !== undefined ? { jump: analysis.jump } : {}),
    ...(analysis.l2 !== undefined ? { l2: analysis.l2 } : {}),
    pseudo: analysis.pseudo ?? (synthetic ? 'hard' : 'soft'),
    w2sC: positiveNumber(values['w2s-c'], '--w2s-c') ?? (synthetic ? 0.01 : null),
    evalEvery: intOption(values, 'eval-every', 1, 1),
    augment,
  };
  const request = {
    rounds: values.rounds !== undefined ? intOption(values, 'rounds', 1, 50) : undefined,
    perRound: values['per-round'] !== undefined ? intOption(values, 'per-round', 1, 1) : undefined,
    bonus: bonus as BonusMode,
    strategies: strategies as StrategyName[] | undefined,
    seed,
    seeds: analysis.seeds ?? REQUEST_OPTIONS.seeds.default,
  };
  await refuseOutputsOverInputs([{ path: values.out, role: '--out' }], await sourceInputs(positionals));
  await refuseForeignOutputs([{ path: values.out, role: '--out' }], Boolean(values.force), 'selection result');
  const progress = stderrProgress(!values.quiet);
  const t0 = performance.now();
  let backend: InferenceService | undefined;
  try {
    const weak = values.weak ? parseModelSpec(values.weak, 'weak') : ({ kind: 'bundled', id: 'glove-mean' } as ModelSpec);
    const strong = values.strong ? parseModelSpec(values.strong, 'strong') : ({ kind: 'bundled', id: 'use-lite' } as ModelSpec);
    // onnxruntime for the encoders and for the selection's dense products and alignment (activation folders of LLM
    // size too); the synthetic references are small and run without it
    if (!synthetic) backend = createLocalInference({ device: deviceFrom(values), threads: threadsFrom(values) });
    const result = await selectFromPaths(
      positionals,
      {
        weak, strong, cacheDir: values['cache-dir'],
        fields: fieldOverridesFrom(values),
        ...readOptionsFrom(values),
        splitBy,
        reference,
        shares,
        synthetic: { nOverlap: intOption(values, 'n-overlap', 0, 4000), nNonOverlap: intOption(values, 'n-nonoverlap', 0, 4000) },
        plan: request,
        selection: options,
      },
      { inference: backend, progress },
    );
    result.timings.total = (performance.now() - t0) / 1000;
    await writeSelectionResult(values.out, result);
    process.stdout.write(`${report(result)}\n${path.relative(process.cwd(), values.out) || values.out}\n`);
    // As analyze does: what the run left out or fell back on goes to stderr, not only into the result file. Plan
    // adjustments are already in the report above, and so are the sources a split made (its summary line).
    for (const w of result.warnings) {
      if (result.plan.adjustments.includes(w) || SPLIT_SUMMARY.test(w)) continue;
      writeWarning(w);
    }
  } finally {
    await backend?.dispose();
  }
  return 0;
}

/** What the sources read: a dataset file, or the arrays of an activation folder. */
async function sourceInputs(paths: readonly string[]): Promise<PathRole[]> {
  const out: PathRole[] = [];
  for (const p of paths) {
    const isDir = await fs.stat(p).then((s) => s.isDirectory(), () => false);
    out.push(...(isDir ? activationFolderInputs(p) : [{ path: p, role: 'source' }]));
  }
  return out;
}

/** The plan (with every adjustment), the sources and one line per strategy. */
export function report(r: SelectionResult): string {
  const p = r.plan;
  const lines = [
    `plan: ${p.rounds} rounds x ${p.perRound} points, bonus ${p.bonus}, strategies ${p.strategies.join(', ')}, ` +
      `seeds ${p.seeds[0]}..${p.seeds[p.seeds.length - 1]} (${r.mode})`,
    ...p.adjustments.map((a) => `plan adjusted: ${a}`),
    ...r.sources.map(
      (s, k) =>
        `source ${k}: ${s.name}: ${s.poolRows} pool rows, detected density of the whole pool ${(s.detectedPoolDensity * 100).toFixed(1)}%` +
        (s.trueOverlapDensity !== null ? `, known overlap density ${(s.trueOverlapDensity * 100).toFixed(1)}% (${s.densityFrom})` : '') +
        (r.denseArm === k ? ' [densest]' : ''),
    ),
    `shared: weak ${r.shared.accuracy.weak.toFixed(3)}, strong ${r.shared.accuracy.strong.toFixed(3)}, ` +
      `W2S on all pools ${r.shared.accuracy.w2sAllPools.toFixed(3)} (${r.shared.weakTrainRows} weak-train, ${r.shared.testRows} test rows)`,
    ...r.summary.lines,
  ];
  const u = r.summary.ucbVsRandom;
  if (u?.finalAccuracyDiff) {
    lines.push(
      `ucb - random final accuracy: ${u.finalAccuracyDiff.mean >= 0 ? '+' : ''}${u.finalAccuracyDiff.mean.toFixed(4)} ± ${u.finalAccuracyDiff.std.toFixed(4)}; ` +
        `ucb at or above random on ${u.seedsUcbAtOrAbove} of ${u.finalAccuracyDiff.n} seeds` +
        (u.denseArmShareDiff ? `; dense-source share ${(u.denseArmShareDiff.mean * 100).toFixed(0)} points higher` : ''),
    );
  }
  return lines.join('\n');
}
