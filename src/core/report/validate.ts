/**
 * Validation of a results file against the schema in ./schema.ts, before the editor, the report or the CLI use it.
 * Two layers:
 * - structure: every member has the type and range the schema gives it (`RESULT` below is a `Shape` of each
 *   interface, so the compiler keeps it complete when the schema grows);
 * - sizes and cross-references, bounded by the data actually in the file: `dataset.rows` and the split counts equal
 *   the rows present, class ids lie below `numClasses`, which is bounded by the rows and class names present, the
 *   detection counts match the rows' categories, every curve array has the length of the proportions, row indices are
 *   unique 32-bit integers. A number in the file can therefore never size an allocation beyond what the file holds.
 *
 * Selection results (`select --out`, ../select/schema.ts) get the same two layers (`validateSelectionResult`);
 * `readSelectionResult` reads one back for the selection report. Both live here rather than in core/select: the
 * checker is core/report's, and core/report already depends on core/select (the other way would be a cycle).
 */
import { CATEGORY_NAMES, type CategoryName } from '../detect/types';
import { InputError } from '../errors';
import { arrayOf, bool, nullable, num, object, oneOf, optional, recordOf, SchemaViolation, str, type Check } from './check';
import type {
  AnalysisResult, ClassRead, DatasetInfo, ReadInfo, DetectionSummary, DetectorSanity, EffectEstimate, EncoderInfo, GroundTruthReport, MixingCurve, OverlapEffect, PRF,
  Regime, ResultRow, Verdict, VoteCounts, WeakVotesSummary,
} from '../result/schema';
import { parseSelectionResult } from '../select/parse';
import {
  SELECTION_SCHEMA_VERSION, STRATEGY_NAMES, type Band, type BatchDetection, type RoundLog, type SelectionOptions, type SelectionPlan,
  type SelectionResult, type SelectionSourceInfo, type SelectionSummary, type Stats, type StrategyRun, type StrategySummary,
} from '../select/schema';

const finite = num();
const count = num({ int: true, min: 0 });
const unit = num({ min: 0, max: 1 });
/** Row indices and lines are stored in Int32Arrays by the editor and the report. */
const int32 = num({ int: true, min: 0, max: 2 ** 31 - 1 });
const HARD_RULES = ['segment', 'probing'];
const ALIGN_MODES = ['dot-max', 'abs-cosine-max', 'residual'];
const STAGE1_SCALES = ['linear', 'log'];
const category = oneOf(CATEGORY_NAMES);

const ROW = object<ResultRow>({
  index: int32,
  line: optional(num({ int: true, min: 1, max: 2 ** 31 - 1 })),
  split: oneOf(['weak-train', 'w2s-train', 'test']),
  label: count,
  category: nullable(category),
  confidence: nullable(finite),
  alignment: nullable(finite),
  pseudoLabel: nullable(count),
  nearestHard: optional(nullable(int32)),
  trueCategory: optional(category),
});

const ENCODER = object<EncoderInfo>({
  id: str,
  kind: oneOf(['bundled', 'onnx', 'activations', 'votes', 'probabilities', 'synthetic', 'arrays']),
  dim: count,
  source: optional(str),
});

/** A class value is an integer or a name. */
const classValue: Check = (v, path) => (typeof v === 'string' ? undefined : num({ int: true })(v, path));
const HOW = oneOf(['name', 'content', 'option']);

const READ = object<ReadInfo>({
  format: str,
  header: optional(object<NonNullable<ReadInfo['header']>>({ present: bool, how: oneOf(['detected', 'option']), reason: str, columns: arrayOf(str) })),
  textFields: arrayOf(str),
  textJoin: optional(str),
  unusedTextFields: arrayOf(str),
  labelField: optional(str),
  how: object<ReadInfo['how']>({ text: optional(HOW), label: optional(HOW) }),
  classNamesFrom: optional(object<NonNullable<ReadInfo['classNamesFrom']>>({ source: oneOf(['data', 'label.json', 'classes.txt', 'option']), file: optional(str) })),
  classes: arrayOf(object<ClassRead>({ id: count, value: classValue, name: optional(str), count })),
  rowsRead: count,
  skipped: count,
  skippedExamples: arrayOf(object<ReadInfo['skippedExamples'][number]>({ line: optional(count), message: str })),
  unlabelled: count,
  test: optional(object<NonNullable<ReadInfo['test']>>({ file: str, rowsRead: count, skipped: count, unlabelled: count, pairedBecause: optional(str) })),
});

const DATASET = object<DatasetInfo>({
  path: optional(str),
  format: optional(str),
  contentHash: optional(str),
  rows: count,
  numClasses: num({ int: true, min: 1 }),
  labelNames: optional(arrayOf(str)),
  splits: object<DatasetInfo['splits']>({ weakTrain: count, w2sTrain: count, test: count }),
  testFile: optional(str),
  inputs: optional(arrayOf(str)),
  read: optional(READ),
});

const DETECTION = object<DetectionSummary>({
  hardRule: oneOf(HARD_RULES),
  align: oneOf(ALIGN_MODES),
  jump: num({ int: true, min: 1 }),
  stage1Scale: optional(oneOf(STAGE1_SCALES)),
  confidenceThreshold: finite,
  confidenceBreakpoint: nullable(count),
  alignThreshold: nullable(finite),
  alignBreakpoint: nullable(count),
  usedFallback: bool,
  fallbacks: object<DetectionSummary['fallbacks']>({ confidence: bool, align: bool }),
  counts: object<DetectionSummary['counts']>({ easy: count, hard: count, overlap: count }),
  overlapDensity: unit,
});

const numbers = arrayOf(finite);

const MIXING = object<MixingCurve>({
  proportions: arrayOf(unit),
  mean: numbers,
  std: numbers,
  min: numbers,
  max: numbers,
  perSeed: arrayOf(numbers),
  subsetSize: count,
  randomBaseline: nullable(object<NonNullable<MixingCurve['randomBaseline']>>({ mean: finite, std: finite, perSeed: numbers })),
  seeds: arrayOf(num({ int: true })),
});

const OPTIONAL_UNIT = nullable(unit);
const PRF_CHECK = object<PRF>({ precision: OPTIONAL_UNIT, recall: OPTIONAL_UNIT, f1: OPTIONAL_UNIT, support: count });

const GROUND_TRUTH = object<GroundTruthReport>({
  perCategory: object<GroundTruthReport['perCategory']>({ easy: PRF_CHECK, hard: PRF_CHECK, overlap: PRF_CHECK }),
  confusion: arrayOf(arrayOf(count, { length: 3 }), { length: 3 }),
  trueOverlapDensity: unit,
  densityError: finite,
});

const REGIME_LABELS = ['low', 'medium', 'high', 'undetermined'];

const EFFECT = object<EffectEstimate>({
  mean: finite,
  sd: nullable(finite),
  low: nullable(finite),
  high: nullable(finite),
  perSeed: numbers,
  status: oneOf(['supported', 'contradicted', 'unresolved', 'no-interval']),
  seedsToResolve: optional(nullable(count)),
});

const OVERLAP_EFFECT = object<OverlapEffect>({
  method: oneOf(['ols-slope']),
  level: num({ min: 0.95, max: 0.95 }),
  seeds: count,
  subsetSize: count,
  tooSmall: bool,
  vsNonOverlap: EFFECT,
  vsRandom: nullable(EFFECT),
});

const SANITY = object<DetectorSanity>({
  nonHardCoverage: nullable(unit),
  coverageLimit: unit,
  coversMostNonHard: bool,
  categoriesIndistinct: bool,
  overlapOneClass: optional(nullable(object<NonNullable<DetectorSanity['overlapOneClass']>>({
    label: num({ int: true, min: 0, max: 2 ** 31 - 1 }),
    name: str,
    overlap: num({ int: true, min: 1, max: 2 ** 31 - 1 }),
    classes: num({ int: true, min: 2, max: 2 ** 31 - 1 }),
  }))),
  weakAtChance: optional(nullable(object<NonNullable<DetectorSanity['weakAtChance']>>({ weak: unit, chance: unit, margin: finite }))),
  notices: arrayOf(str),
});

const VERDICT = object<Verdict>({
  regime: oneOf(REGIME_LABELS),
  overlap: oneOf(['explains', 'partly', 'no-better', 'worse', 'unmeasured']),
  headline: str,
  sentence: str,
});

const VOTE_COUNTS = object<VoteCounts>({ rows: count, tied: count, uncovered: count, coveredAccuracy: optional(nullable(unit)) });

const WEAK_VOTES = object<WeakVotesSummary>({
  method: oneOf(['majority-vote', 'dawid-skene']),
  functions: count,
  tieBreak: object<WeakVotesSummary['tieBreak']>({ policy: oneOf(['random']), seed: num({ int: true }) }),
  counts: object<WeakVotesSummary['counts']>({
    all: VOTE_COUNTS, weakTrain: optional(VOTE_COUNTS), w2sTrain: optional(VOTE_COUNTS), test: optional(VOTE_COUNTS),
  }),
  labelModel: optional(
    object<NonNullable<WeakVotesSummary['labelModel']>>({
      abstain: oneOf(['coverage', 'ignore']),
      fittedOn: str,
      fitRows: count,
      iterations: count,
      converged: bool,
      prior: arrayOf(unit),
      accuracies: arrayOf(nullable(unit)),
    }),
  ),
});

const RESULT = object<AnalysisResult>({
  schemaVersion: num({ int: true, min: 1 }),
  tool: object<AnalysisResult['tool']>({ name: str, version: str }),
  createdAt: str,
  dataset: DATASET,
  encoders: object<AnalysisResult['encoders']>({ weak: ENCODER, strong: ENCODER }),
  device: str,
  options: object<AnalysisResult['options']>({
    hardRule: oneOf(HARD_RULES),
    align: oneOf(ALIGN_MODES),
    pseudo: oneOf(['soft', 'hard']),
    l2: num({ min: 0 }),
    seed: count,
    seeds: num({ int: true, min: 1 }),
    jump: num({ int: true, min: 1 }),
    stage1Scale: optional(oneOf(STAGE1_SCALES)),
  }),
  accuracy: object<AnalysisResult['accuracy']>({ weak: unit, strong: unit, w2s: unit }),
  pgr: nullable(finite),
  detection: DETECTION,
  mixing: nullable(MIXING),
  regime: object<Regime>({ label: oneOf(REGIME_LABELS), rule: str }),
  overlapEffect: optional(nullable(OVERLAP_EFFECT)),
  sanity: optional(SANITY),
  verdict: optional(VERDICT),
  weakVotes: optional(WEAK_VOTES),
  groundTruth: optional(GROUND_TRUTH),
  rows: arrayOf(ROW),
  map: optional(object<NonNullable<AnalysisResult['map']>>({ x: numbers, y: numbers, rowIndex: arrayOf(int32) })),
  warnings: arrayOf(str),
  timings: recordOf(nullable(finite)),
});

/** `path` states a count; the file holds `present` of what it counts. */
const expectCount = (path: string, stated: number, present: number, what: string): void => {
  if (stated !== present) throw new SchemaViolation(path, `is ${stated} but the file holds ${present} ${what}`);
};

/** An array that must have one entry per element of another. */
const expectLength = (path: string, length: number, n: number, per: string): void => {
  if (length !== n) throw new SchemaViolation(path, `has ${length} entries for ${n} ${per}`);
};

/** Sizes and cross-references, each bounded by what the file holds. */
function checkConsistency(r: AnalysisResult): void {
  const rows = r.rows;
  const d = r.dataset;
  expectCount('dataset.rows', d.rows, rows.length, 'rows');
  const splits = { 'weak-train': 0, 'w2s-train': 0, test: 0 };
  const categories: Record<CategoryName, number> = { easy: 0, hard: 0, overlap: 0 };
  const seen = new Set<number>();
  let maxLabel = -1;
  rows.forEach((row, i) => {
    const at = `rows[${i}]`;
    splits[row.split]++;
    if (row.category !== null) {
      if (row.split !== 'w2s-train') throw new SchemaViolation(`${at}.category`, `is "${row.category}" but only W2S-train rows have a category`);
      categories[row.category]++;
    }
    if (seen.has(row.index)) throw new SchemaViolation(`${at}.index`, `row index ${row.index} appears twice`);
    seen.add(row.index);
    maxLabel = Math.max(maxLabel, row.label, row.pseudoLabel ?? -1);
  });
  expectCount('dataset.splits.weakTrain', d.splits.weakTrain, splits['weak-train'], 'weak-train rows');
  expectCount('dataset.splits.w2sTrain', d.splits.w2sTrain, splits['w2s-train'], 'W2S-train rows');
  expectCount('dataset.splits.test', d.splits.test, splits.test, 'test rows');
  for (const c of CATEGORY_NAMES) expectCount(`detection.counts.${c}`, r.detection.counts[c], categories[c], `rows categorised ${c}`);
  // Class ids are dense (0..numClasses-1); numClasses cannot exceed the classes the file can show.
  const classBound = Math.max(2, rows.length, d.labelNames?.length ?? 0);
  if (d.numClasses > classBound) {
    throw new SchemaViolation('dataset.numClasses', `is ${d.numClasses} but the file holds ${rows.length} rows and ${d.labelNames?.length ?? 0} class names`);
  }
  if (maxLabel >= d.numClasses) {
    const i = rows.findIndex((row) => row.label >= d.numClasses || (row.pseudoLabel ?? -1) >= d.numClasses);
    throw new SchemaViolation(`rows[${i}]`, `class id ${maxLabel} is not below dataset.numClasses (${d.numClasses})`);
  }
  for (const [i, row] of rows.entries()) {
    if (row.nearestHard !== undefined && row.nearestHard !== null && !seen.has(row.nearestHard)) {
      throw new SchemaViolation(`rows[${i}].nearestHard`, `row ${row.nearestHard} is not a row of the file`);
    }
  }
  const m = r.mixing;
  if (m) {
    const n = m.proportions.length;
    for (const key of ['mean', 'std', 'min', 'max'] as const) expectLength(`mixing.${key}`, m[key].length, n, 'mixing proportions');
    expectLength('mixing.perSeed', m.perSeed.length, m.seeds.length, 'mixing seeds');
    m.perSeed.forEach((curve, s) => expectLength(`mixing.perSeed[${s}]`, curve.length, n, 'mixing proportions'));
    if (m.subsetSize > d.splits.w2sTrain) {
      throw new SchemaViolation('mixing.subsetSize', `is ${m.subsetSize} but there are ${d.splits.w2sTrain} W2S-train rows`);
    }
  }
  const map = r.map;
  if (map) {
    expectLength('map.y', map.y.length, map.x.length, 'points of map.x');
    expectLength('map.rowIndex', map.rowIndex.length, map.x.length, 'points of map.x');
    if (map.x.length > rows.length) throw new SchemaViolation('map.x', `has ${map.x.length} points but the file holds ${rows.length} rows`);
    const k = map.rowIndex.findIndex((i) => !seen.has(i));
    if (k >= 0) throw new SchemaViolation(`map.rowIndex[${k}]`, `row ${map.rowIndex[k]} is not a row of the file`);
  }
}

/** Throws a SchemaViolation naming the first member that breaks the schema; returns the value typed. */
export function validateResult(value: unknown): AnalysisResult {
  RESULT(value, '');
  const r = value as AnalysisResult;
  checkConsistency(r);
  return r;
}


// ---------------------------------------------------------------- selection results (select --out)

const STRATEGY = oneOf(STRATEGY_NAMES);
const positive = num({ int: true, min: 1 });
/** A share of pulls: a mean of ratios, which rounding may put a hair above 1. */
const share = num({ min: 0, max: 1 + 1e-9 });
const optionalNumbers = arrayOf(nullable(finite));

const STATS = object<Stats>({ mean: finite, std: num({ min: 0 }), min: finite, max: finite, n: count });
const BAND = object<Band>({ mean: optionalNumbers, std: optionalNumbers, min: optionalNumbers, max: optionalNumbers });

const PLAN = object<SelectionPlan>({
  rounds: positive,
  perRound: positive,
  bonus: oneOf(['code', 'ucb1']),
  strategies: arrayOf(STRATEGY),
  seeds: arrayOf(num({ int: true })),
  requested: object<SelectionPlan['requested']>({ rounds: positive, perRound: nullable(positive), strategies: arrayOf(STRATEGY) }),
  adjustments: arrayOf(str),
});

const SOURCE = object<SelectionSourceInfo>({
  name: str,
  path: optional(str),
  poolRows: count,
  weakTrainRows: count,
  testRows: count,
  trueOverlapDensity: nullable(unit),
  densityFrom: nullable(oneOf(['ground-truth', 'detected'])),
  detectedPoolDensity: unit,
});

const BATCH = object<BatchDetection>({
  size: count,
  overlap: count,
  easy: count,
  hard: count,
  t1: finite,
  t2: nullable(finite),
  historyHard: count,
  fallback: bool,
});

const ROUND = object<RoundLog>({
  round: positive,
  arm: count,
  indices: optionalNumbers,
  bonuses: optionalNumbers,
  estimates: arrayOf(nullable(unit)),
  pulls: arrayOf(count),
  batch: BATCH,
  collected: count,
  collectedOverlap: count,
  detectedOverlapRatio: unit,
  trueOverlapRatio: nullable(unit),
  accuracy: nullable(unit),
  accuracyOverlapOnly: nullable(unit),
});

const RUN = object<StrategyRun>({ strategy: STRATEGY, seed: num({ int: true }), rounds: arrayOf(ROUND), pulls: arrayOf(count) });

const STRATEGY_SUMMARY = object<StrategySummary>({
  strategy: STRATEGY,
  seeds: count,
  accuracy: BAND,
  accuracyOverlapOnly: BAND,
  detectedOverlapRatio: BAND,
  trueOverlapRatio: nullable(BAND),
  pullShareByRound: arrayOf(arrayOf(share)),
  pullShare: arrayOf(share),
  denseArmShare: nullable(STATS),
  final: object<StrategySummary['final']>({ accuracy: nullable(STATS), accuracyOverlapOnly: nullable(STATS), detectedOverlapRatio: STATS }),
});

const SUMMARY = object<SelectionSummary>({
  strategies: arrayOf(STRATEGY_SUMMARY),
  ucbVsRandom: nullable(object<NonNullable<SelectionSummary['ucbVsRandom']>>({
    finalAccuracyDiff: nullable(STATS),
    seedsUcbAtOrAbove: count,
    denseArmShareDiff: nullable(STATS),
  })),
  lines: arrayOf(str),
});

const SELECTION = object<SelectionResult>({
  schemaVersion: num({ int: true, min: 1, max: SELECTION_SCHEMA_VERSION }),
  kind: oneOf(['selection']),
  tool: object<SelectionResult['tool']>({ name: str, version: str }),
  createdAt: str,
  mode: oneOf(['files', 'split-by', 'reference-split', 'reference-synthetic']),
  plan: PLAN,
  sources: arrayOf(SOURCE),
  denseArm: nullable(count),
  numClasses: num({ int: true, min: 1 }),
  labelNames: optional(arrayOf(str)),
  encoders: object<SelectionResult['encoders']>({ weak: ENCODER, strong: ENCODER }),
  options: object<Omit<SelectionOptions, 'incremental'>>({
    hardRule: oneOf(HARD_RULES),
    align: oneOf(ALIGN_MODES),
    jump: positive,
    pseudo: oneOf(['soft', 'hard']),
    l2: num({ min: 0 }),
    w2sC: nullable(num({ min: 0 })),
    evalEvery: positive,
    augment: oneOf(['hard', 'hard+rest']),
  }),
  shared: object<SelectionResult['shared']>({
    weakTrainRows: count,
    testRows: count,
    accuracy: object<SelectionResult['shared']['accuracy']>({ weak: unit, strong: unit, w2sAllPools: unit }),
  }),
  runs: arrayOf(RUN),
  summary: SUMMARY,
  warnings: arrayOf(str),
  device: str,
  timings: recordOf(finite),
});

/** Array lengths against the plan (rounds) and the sources (arms); source numbers below the number of sources. */
function checkSelectionConsistency(r: SelectionResult): void {
  const K = r.sources.length;
  const T = r.plan.rounds;
  if (K === 0) throw new SchemaViolation('sources', 'is empty: a selection draws from at least one source');
  if (r.plan.seeds.length === 0) throw new SchemaViolation('plan.seeds', 'is empty: a selection runs at least one seed');
  if (r.denseArm !== null && r.denseArm >= K) throw new SchemaViolation('denseArm', `is ${r.denseArm} but there are ${K} sources`);
  const planned = r.plan.strategies;
  if (planned.length === 0) throw new SchemaViolation('plan.strategies', 'is empty: a selection runs at least one strategy');
  if (new Set(planned).size !== planned.length) throw new SchemaViolation('plan.strategies', 'names a strategy twice');
  // One summary per planned strategy, in the plan's order: the plots' legends and the tables follow it.
  expectLength('summary.strategies', r.summary.strategies.length, planned.length, 'strategies of plan.strategies');
  r.summary.strategies.forEach((s, i) => {
    const at = `summary.strategies[${i}]`;
    if (s.strategy !== planned[i]) throw new SchemaViolation(`${at}.strategy`, `is "${s.strategy}" but plan.strategies[${i}] is "${planned[i]}"`);
    for (const key of ['accuracy', 'accuracyOverlapOnly', 'detectedOverlapRatio', 'trueOverlapRatio'] as const) {
      const band = s[key];
      if (band) for (const m of ['mean', 'std', 'min', 'max'] as const) expectLength(`${at}.${key}.${m}`, band[m].length, T, 'rounds of plan.rounds');
    }
    expectLength(`${at}.pullShareByRound`, s.pullShareByRound.length, T, 'rounds of plan.rounds');
    s.pullShareByRound.forEach((row, t) => expectLength(`${at}.pullShareByRound[${t}]`, row.length, K, 'sources'));
    expectLength(`${at}.pullShare`, s.pullShare.length, K, 'sources');
  });
  r.runs.forEach((run, i) => {
    const at = `runs[${i}]`;
    if (!planned.includes(run.strategy)) throw new SchemaViolation(`${at}.strategy`, `"${run.strategy}" is not in plan.strategies`);
    expectLength(`${at}.pulls`, run.pulls.length, K, 'sources');
    if (run.rounds.length > T) throw new SchemaViolation(`${at}.rounds`, `has ${run.rounds.length} rounds but plan.rounds is ${T}`);
    run.rounds.forEach((round, t) => {
      const where = `${at}.rounds[${t}]`;
      if (round.round !== t + 1) throw new SchemaViolation(`${where}.round`, `is ${round.round} but this is round ${t + 1}`);
      if (round.arm >= K) throw new SchemaViolation(`${where}.arm`, `is ${round.arm} but there are ${K} sources`);
      for (const key of ['indices', 'bonuses', 'estimates', 'pulls'] as const) expectLength(`${where}.${key}`, round[key].length, K, 'sources');
    });
  });
}

/** Throws a SchemaViolation naming the first member of a selection result that breaks its schema; returns it typed. */
export function validateSelectionResult(value: unknown): SelectionResult {
  SELECTION(value, '');
  const r = value as SelectionResult;
  checkSelectionConsistency(r);
  return r;
}

/**
 * Reads a selection result back (the selection report): the envelope first (`parseSelectionResult`: a byte-order
 * mark dropped, another tool's file or a newer schema said so), then every member as above; a file that breaks the
 * schema is an InputError naming the file and the member (`plan.rounds: expected an integer >= 1, got ...`).
 */
export function readSelectionResult(text: string, file?: string): SelectionResult {
  const envelope = parseSelectionResult(text, file);
  try {
    return validateSelectionResult(envelope);
  } catch (e) {
    if (e instanceof SchemaViolation) throw new InputError(`not a valid selection results file: ${e.message} (run the selection again to rewrite it)`, { file });
    throw e;
  }
}

export { SchemaViolation };
