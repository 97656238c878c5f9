/**
 * `evaluateCheck`: an analysis result against the check rules and, when there is one, a baseline result (issue 17,
 * docs/check.md). Pure: the caller reads the files; the CLI, the CI example and the editor's Problems panel all take
 * their findings from here.
 *
 * Margins. A drop against the baseline counts only beyond the allowed drop plus a noise margin, so that analysing
 * the same data with another seed does not raise an alarm:
 * - PGR: the verdict's accuracy margin eps = regimeMargin(weak accuracy, test rows) (regime.ts) per result; PGR's
 *   numerator is a difference of two accuracies, so its standard error is about sqrt(2) eps / (strong - weak); the
 *   margin is NOISE_Z times the standard error of the difference of the two results' PGRs.
 * - Density: the binomial standard error of a share over the W2S-train rows, sqrt(d (1 - d) / n), per result; the
 *   margin is NOISE_Z times the standard error of the difference (at least MIN_MARGIN).
 * Measured on SST-2 dev (docs/check.md), the analysis seed moves density and PGR by about these amounts.
 */
import { effectDirection, effectText, sameInEverySeed, signedAcc } from '../experiment/effect';
import { regimeMargin } from '../experiment/regime';
import { verdictEvidence } from '../experiment/verdict';
import { printableName } from '../result/names';
import type { AnalysisResult, ResultRow } from '../result/schema';
import { resolveRules, type CheckRules, type ResolvedRules } from './rules';
import { normalizeText, textKey } from './textKey';
import { count } from '../words';

export type FindingLevel = 'error' | 'warning' | 'note';

export type RuleId =
  | 'min-density'
  | 'min-pgr'
  | 'overlap-effect'
  | 'density-drop'
  | 'pgr-drop'
  | 'overlap-rows-removed'
  | 'category-changed'
  | 'duplicate-label';

export interface Finding {
  ruleId: RuleId;
  level: FindingLevel;
  /** Plain words with the numbers that decided it. */
  message: string;
  /** 1-based line in the dataset file; 1 for dataset-level findings. */
  line: number;
  /** 0-based dataset row, for row findings. */
  rowIndex?: number;
  evidence: Record<string, number | string | null>;
}

/** What each rule concluded, including the rules that passed or could not run (and why). */
export interface CheckOutcome {
  ruleId: RuleId;
  /** `warning`: findings that do not fail the check under `failOn: "error"`. */
  outcome: 'pass' | 'alarm' | 'warning' | 'skipped';
  /** One line in plain words, e.g. "overlap density 34.5%, minimum 20.0%". */
  detail: string;
}

export interface CheckReport {
  status: 'pass' | 'alarm';
  findings: Finding[];
  /** One line: status, counts of findings by level, and the headline numbers. */
  summary: string;
  /** Every rule's outcome, in rule order. */
  checks: CheckOutcome[];
  /** The rules as applied (defaults filled in). */
  rules: ResolvedRules;
  /** True when a baseline was compared. */
  baseline: boolean;
}

/** Row texts of a baseline, stored in the baseline file as hashes (textKey), aligned with its `rows`. */
export interface BaselineRows {
  version: 1;
  /** textKey of each result row's text; null for rows without a text (or from a separate test file). */
  textKeys: (string | null)[];
}

/** A result file used as a baseline: a copy of a result, optionally with its row text hashes. */
export type BaselineResult = AnalysisResult & { checkBaseline?: BaselineRows };

export interface CheckOptions {
  baseline?: BaselineResult | null;
  /** Texts of the current dataset by dataset row index (ResultRow.index); null when not available. */
  texts?: readonly (string | null)[] | null;
  /** Texts of the baseline's dataset by row index, when the caller has them (otherwise `baseline.checkBaseline`). */
  baselineTexts?: readonly (string | null)[] | null;
}

/** Multiplier of a standard error that makes a noise margin (about 95% for one comparison). */
export const NOISE_Z = 2;
/** The smallest margin, as the verdict's (half a point of accuracy or density). */
export const MIN_MARGIN = 0.005;
/** Removed overlap rows needed before `overlap-rows-removed` can alarm, and the z it needs. */
export const MIN_REMOVED_OVERLAP = 5;
export const REMOVED_Z = 3;

/** The baseline file's row part: each result row's text hash (rows from a separate test file get null). */
export function baselineRows(result: AnalysisResult, texts: readonly (string | null)[]): BaselineRows {
  return {
    version: 1,
    textKeys: result.rows.map((r) => {
      const t = r.line !== undefined ? texts[r.index] : undefined;
      return typeof t === 'string' ? textKey(t) : null;
    }),
  };
}

/** Standard error of a density over n W2S-train rows. */
function densitySe(r: AnalysisResult): number {
  const d = r.detection.overlapDensity;
  const n = Math.max(1, r.dataset.splits.w2sTrain);
  return Math.sqrt((d * (1 - d)) / n);
}

/** Noise margin of a density drop between two results. */
export function densityDropMargin(baseline: AnalysisResult, current: AnalysisResult): number {
  return Math.max(MIN_MARGIN, NOISE_Z * Math.hypot(densitySe(baseline), densitySe(current)));
}

/** Standard error of PGR, or null when PGR is not meaningful (no weak-strong gap beyond the verdict's margin). */
export function pgrSe(r: AnalysisResult): number | null {
  const eps = regimeMargin(r.accuracy.weak, r.dataset.splits.test);
  const gap = r.accuracy.strong - r.accuracy.weak;
  if (r.pgr === null || !Number.isFinite(r.pgr) || !(gap > eps)) return null;
  return (Math.SQRT2 * eps) / gap;
}

/** Noise margin of a PGR drop between two results; null when either PGR is not meaningful. */
export function pgrDropMargin(baseline: AnalysisResult, current: AnalysisResult): number | null {
  const b = pgrSe(baseline);
  const c = pgrSe(current);
  return b === null || c === null ? null : Math.max(MIN_MARGIN, NOISE_Z * Math.hypot(b, c));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);
const f2 = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));

/**
 * Why a result's density measures nothing, or undefined: overlap rows are the non-hard rows that align with the
 * hard-only rows, so with no hard-only rows (a stage-1 threshold at the lowest confidence) or no other rows, the
 * density is fixed by the detector, not by the data.
 */
export function degenerate(r: AnalysisResult): string | undefined {
  const { easy, hard, overlap } = r.detection.counts;
  if (hard === 0) {
    return `the detector found no hard-only rows (confidence threshold ${r.detection.confidenceThreshold.toFixed(3)}), so no row can be overlap; analyse again with another --seed or --hard-rule probing`;
  }
  if (easy + overlap === 0) return 'the detector called every W2S-train row hard-only';
  return undefined;
}

function countsOf(r: AnalysisResult): Record<string, number> {
  const { easy, hard, overlap } = r.detection.counts;
  return { easyRows: easy, hardRows: hard, overlapRows: overlap };
}

/** Rows of the dataset file itself (rows of a separate test file carry no line). */
function fileRows(r: AnalysisResult): ResultRow[] {
  return r.rows.filter((row) => row.line !== undefined);
}

class Collector {
  readonly findings: Finding[] = [];
  readonly checks: CheckOutcome[] = [];
  constructor(private readonly maxRows: number) {}
  dataset(ruleId: RuleId, level: FindingLevel, message: string, evidence: Finding['evidence']): void {
    this.findings.push({ ruleId, level, message, line: 1, evidence });
  }
  /** Row findings of one rule: the first maxRows by line, then one finding at line 1 saying how many more. */
  rows(ruleId: RuleId, level: FindingLevel, rows: Finding[], what: string): void {
    rows.sort((a, b) => a.line - b.line || (a.rowIndex ?? 0) - (b.rowIndex ?? 0));
    this.findings.push(...rows.slice(0, this.maxRows));
    const more = rows.length - this.maxRows;
    if (more > 0) {
      this.findings.push({
        ruleId, level, line: 1,
        message: `${more} more ${what} not listed (${rows.length} in all; the first ${this.maxRows} are shown, set maxRowFindings to see more)`,
        evidence: { total: rows.length, listed: this.maxRows },
      });
    }
  }
  outcome(ruleId: RuleId, outcome: CheckOutcome['outcome'], detail: string): void {
    this.checks.push({ ruleId, outcome, detail });
  }
}

/**
 * A class name as messages show it: names come from the data, so control characters (a terminal escape sequence,
 * a newline that would fake another finding line) become U+FFFD and long names are cut.
 */
function labelName(r: AnalysisResult, label: number): string {
  return printableName(r.dataset.labelNames?.[label] ?? String(label));
}

export function evaluateCheck(current: AnalysisResult, rules: CheckRules, opts: CheckOptions = {}): CheckReport {
  const R = resolveRules(rules);
  const baseline = opts.baseline ?? null;
  const texts = opts.texts ?? null;
  const c = new Collector(R.maxRowFindings);
  const density = current.detection.overlapDensity;
  const w2s = current.dataset.splits.w2sTrain;

  // Minimum density.
  const noHard = degenerate(current);
  if (R.minDensity === undefined) c.outcome('min-density', 'skipped', `overlap density ${pct(density)}; no minimum set`);
  else if (noHard) {
    c.dataset('min-density', 'warning', `overlap density is not measured: ${noHard}`, { density, minDensity: R.minDensity, ...countsOf(current) });
    c.outcome('min-density', R.failOn === 'warning' ? 'alarm' : 'warning', `overlap density not measured (${noHard})`);
  } else if (density < R.minDensity) {
    c.dataset('min-density', 'error',
      `overlap density is ${pct(density)} (${current.detection.counts.overlap} of ${w2s} W2S-train rows), below the minimum ${pct(R.minDensity)}`,
      { density, minDensity: R.minDensity, overlapRows: current.detection.counts.overlap, w2sTrainRows: w2s });
    c.outcome('min-density', 'alarm', `overlap density ${pct(density)} < minimum ${pct(R.minDensity)}`);
  } else c.outcome('min-density', 'pass', `overlap density ${pct(density)} >= minimum ${pct(R.minDensity)}`);

  // Minimum PGR.
  const eps = regimeMargin(current.accuracy.weak, current.dataset.splits.test);
  const acc = current.accuracy;
  const accEvidence = { weak: acc.weak, strong: acc.strong, w2s: acc.w2s, margin: eps };
  if (R.minPgr === undefined) c.outcome('min-pgr', 'skipped', `PGR ${f2(current.pgr)}; no minimum set`);
  else if (current.pgr === null || !Number.isFinite(current.pgr) || current.regime.label === 'undetermined') {
    c.dataset('min-pgr', 'warning',
      `PGR cannot be measured: the strong model (${f3(acc.strong)}) is not better than the weak one (${f3(acc.weak)}) by more than the margin ${f3(eps)}`,
      { pgr: current.pgr, minPgr: R.minPgr, ...accEvidence });
    c.outcome('min-pgr', R.failOn === 'warning' ? 'alarm' : 'warning', 'PGR not measurable (no weak-strong gap)');
  } else if (current.pgr < R.minPgr) {
    c.dataset('min-pgr', 'error',
      `PGR is ${f2(current.pgr)}, below the minimum ${f2(R.minPgr)}: W2S recovers ${pct(Math.max(0, current.pgr))} of the weak-to-strong gap ` +
        `(weak ${f3(acc.weak)}, W2S ${f3(acc.w2s)}, strong ${f3(acc.strong)})`,
      { pgr: current.pgr, minPgr: R.minPgr, ...accEvidence });
    c.outcome('min-pgr', 'alarm', `PGR ${f2(current.pgr)} < minimum ${f2(R.minPgr)}`);
  } else c.outcome('min-pgr', 'pass', `PGR ${f2(current.pgr)} >= minimum ${f2(R.minPgr)}`);

  // The overlap effect.
  const ev = verdictEvidence(current);
  const effect = ev.overlapEffect;
  if (R.overlapEffect === 'any') c.outcome('overlap-effect', 'skipped', 'overlap effect not required (overlapEffect "any")');
  else if (!effect || effect.tooSmall || effect.vsNonOverlap.status === 'no-interval') {
    const why = ev.verdict.sentence;
    const evidence = { required: R.overlapEffect, subsetSize: effect?.subsetSize ?? null, seeds: effect?.seeds ?? null };
    if (R.overlapEffect === 'positive') {
      c.dataset('overlap-effect', 'error', `overlap rows must measurably help, but the overlap effect is not measured: ${why}`, evidence);
      c.outcome('overlap-effect', 'alarm', 'overlap effect required positive, not measured');
    } else {
      c.dataset('overlap-effect', 'note', `the overlap effect is not measured, so it was not checked: ${why}`, evidence);
      c.outcome('overlap-effect', 'skipped', 'overlap effect not measured');
    }
  } else {
    const e = effect.vsNonOverlap;
    const dir = effectDirection(e);
    const fails = R.overlapEffect === 'positive' ? dir !== 'positive' : dir === 'negative';
    const words: Record<typeof dir, string> = {
      positive: 'better than', negative: 'worse than', negligible: 'only negligibly different from', unresolved: 'not measurably different from',
    };
    const text = `training on overlap rows is ${words[dir]} training on non-overlap rows (${effectText(e)}${sameInEverySeed(e) ? '' : `, ${effect.seeds} seeds`})`;
    if (fails) {
      const need = R.overlapEffect === 'positive' ? 'they must measurably help' : 'they must not measurably hurt';
      c.dataset('overlap-effect', 'error', `overlap rows fail the rule (${need}): ${text}`, {
        required: R.overlapEffect, direction: dir, mean: e.mean, low: e.low, high: e.high, seeds: effect.seeds,
        vsRandom: effect.vsRandom ? effect.vsRandom.mean : null,
      });
      c.outcome('overlap-effect', 'alarm', `overlap effect ${signedAcc(e.mean)} (${dir}), required ${R.overlapEffect}`);
    } else c.outcome('overlap-effect', 'pass', `overlap effect ${signedAcc(e.mean)} (${dir}), required ${R.overlapEffect}`);
  }

  if (!baseline) {
    for (const id of ['density-drop', 'pgr-drop', 'overlap-rows-removed', 'category-changed'] as const) {
      c.outcome(id, 'skipped', 'no baseline');
    }
  } else {
    compareBaseline(c, R, current, baseline, opts);
  }
  duplicateLabels(c, R, current, texts);

  const failing = new Set<FindingLevel>(R.failOn === 'warning' ? ['error', 'warning'] : ['error']);
  const status = c.findings.some((f) => failing.has(f.level)) ? 'alarm' : 'pass';
  const count = (lvl: FindingLevel) => {
    const n = c.findings.filter((f) => f.level === lvl).length;
    return `${n} ${lvl}${n === 1 ? '' : 's'}`;
  };
  const effectWords = effect && !effect.tooSmall ? `overlap effect ${effectText(effect.vsNonOverlap)}` : 'overlap effect not measured';
  const summary =
    `${status === 'alarm' ? 'ALARM' : 'pass'}: ${count('error')}, ${count('warning')}, ${count('note')} · ` +
    `overlap density ${pct(density)} · PGR ${f2(current.pgr)} · ${effectWords}${baseline ? ' · compared with the baseline' : ''}`;
  return { status, findings: c.findings, summary, checks: c.checks, rules: R, baseline: baseline !== null };
}

function compareBaseline(c: Collector, R: ResolvedRules, cur: AnalysisResult, base: BaselineResult, opts: CheckOptions): void {
  // Density drop.
  const db = base.detection.overlapDensity;
  const dc = cur.detection.overlapDensity;
  const dMargin = densityDropMargin(base, cur);
  const dDrop = db - dc;
  const dAllowed = R.maxDensityDrop + dMargin;
  const dDetail = `overlap density ${pct(dc)}, baseline ${pct(db)}: drop ${pct(dDrop)}, allowed ${pct(R.maxDensityDrop)} + noise margin ${pct(dMargin)}`;
  const noHard = degenerate(cur) ?? degenerate(base);
  if (noHard) {
    // Overlap is measured against the hard-only rows; without any, density is 0 by construction, not a fall.
    const which = degenerate(cur) ? 'current result' : 'baseline';
    c.dataset('density-drop', 'warning', `overlap density not compared with the baseline: in the ${which}, ${noHard}`, {
      density: dc, baselineDensity: db, ...countsOf(degenerate(cur) ? cur : base),
    });
    c.outcome('density-drop', R.failOn === 'warning' ? 'alarm' : 'warning', `not compared: in the ${which}, ${noHard}`);
  } else if (dDrop > dAllowed) {
    c.dataset('density-drop', 'error', `overlap density fell from ${pct(db)} to ${pct(dc)} since the baseline, more than the allowed ${pct(R.maxDensityDrop)} plus the noise margin ${pct(dMargin)}`, {
      density: dc, baselineDensity: db, drop: dDrop, maxDensityDrop: R.maxDensityDrop, margin: dMargin,
    });
    c.outcome('density-drop', 'alarm', dDetail);
  } else c.outcome('density-drop', 'pass', dDetail);

  // PGR drop.
  const pMargin = pgrDropMargin(base, cur);
  if (pMargin === null || base.pgr === null || cur.pgr === null) {
    c.outcome('pgr-drop', 'skipped', `PGR not measurable in the ${pgrSe(cur) === null ? 'current result' : 'baseline'} (no weak-strong gap)`);
  } else {
    const drop = base.pgr - cur.pgr;
    const detail = `PGR ${f2(cur.pgr)}, baseline ${f2(base.pgr)}: drop ${f2(drop)}, allowed ${f2(R.maxPgrDrop)} + noise margin ${f2(pMargin)}`;
    if (drop > R.maxPgrDrop + pMargin) {
      c.dataset('pgr-drop', 'error', `PGR fell from ${f2(base.pgr)} to ${f2(cur.pgr)} since the baseline, more than the allowed ${f2(R.maxPgrDrop)} plus the noise margin ${f2(pMargin)}`, {
        pgr: cur.pgr, baselinePgr: base.pgr, drop, maxPgrDrop: R.maxPgrDrop, margin: pMargin,
      });
      c.outcome('pgr-drop', 'alarm', detail);
    } else c.outcome('pgr-drop', 'pass', detail);
  }

  // Row matching: by text (the baseline's text hashes or texts, and the current texts), else by index on the same file.
  const baseKeys = baselineKeys(base, opts.baselineTexts ?? null);
  const texts = opts.texts ?? null;
  const curKeys = texts ? fileRows(cur).map((r) => ({ row: r, key: keyOf(texts[r.index]) })) : null;
  const sameFile = !!base.dataset.contentHash && base.dataset.contentHash === cur.dataset.contentHash;

  // Overlap rows removed since the baseline.
  if (!R.overlapRowsRemoved) c.outcome('overlap-rows-removed', 'skipped', 'turned off');
  else if (!baseKeys || !texts) {
    c.outcome('overlap-rows-removed', 'skipped', !baseKeys ? 'the baseline holds no row texts (write it with check --write-baseline)' : 'no texts of the current dataset');
  } else {
    const present = new Set<string>();
    for (const t of texts) {
      const k = keyOf(t);
      if (k) present.add(k);
    }
    let nO = 0, rO = 0, nN = 0, rN = 0;
    base.rows.forEach((row, i) => {
      const k = baseKeys[i];
      if (!k || row.line === undefined) return;
      const gone = !present.has(k);
      if (row.category === 'overlap') {
        nO++;
        if (gone) rO++;
      } else {
        nN++;
        if (gone) rN++;
      }
    });
    const pO = nO > 0 ? rO / nO : 0;
    const pN = nN > 0 ? rN / nN : 0;
    const pooled = nO + nN > 0 ? (rO + rN) / (nO + nN) : 0;
    const se = nO > 0 && nN > 0 ? Math.sqrt(pooled * (1 - pooled) * (1 / nO + 1 / nN)) : 0;
    const z = se > 0 ? (pO - pN) / se : rO > 0 && pO > pN ? Infinity : 0;
    const detail = `${rO} of the baseline's ${nO} overlap rows and ${rN} of its ${nN} other rows are no longer in the file (${pct(pO)} vs ${pct(pN)})`;
    if (nO + nN > 0 && rO + rN === nO + nN && present.size > 0) {
      // Not one row in common: a baseline written for another file (or a file rewritten from scratch). Removal of
      // overlap rows means nothing then, and the density and PGR comparisons are between different datasets.
      const from = base.dataset?.path ? ` (it was written for ${base.dataset.path})` : '';
      c.dataset('overlap-rows-removed', 'warning',
        `none of the baseline's ${nO + nN} rows is in this file${from}: it looks like another dataset's baseline, so the ` +
          'density and PGR comparisons compare different data; write this file\'s own with check --write-baseline',
        { baselineRows: nO + nN, matched: 0 });
      c.outcome('overlap-rows-removed', 'skipped', `no row of the baseline is in the file (${detail})`);
    } else if (rO >= MIN_REMOVED_OVERLAP && z > REMOVED_Z) {
      c.dataset('overlap-rows-removed', 'error',
        `rows removed since the baseline were mostly overlap rows, the rows that let the strong model learn beyond the weak one: ${detail}; ` +
          `random removal would hit both alike (z = ${Number.isFinite(z) ? z.toFixed(1) : 'inf'} > ${REMOVED_Z})`,
        { removedOverlap: rO, baselineOverlap: nO, removedOther: rN, baselineOther: nN, z: Number.isFinite(z) ? z : null });
      c.outcome('overlap-rows-removed', 'alarm', detail);
    } else c.outcome('overlap-rows-removed', 'pass', detail);
  }

  // Rows whose category changed.
  if (!R.categoryChanges) {
    c.outcome('category-changed', 'skipped', 'turned off');
    return;
  }
  const baseRowOf = new Map<number, ResultRow>(); // current dataset index -> baseline row
  let how: string;
  if (baseKeys && curKeys) {
    how = 'matched by text';
    const unique = (keys: (string | null)[]) => {
      const count = new Map<string, number>();
      for (const k of keys) if (k) count.set(k, (count.get(k) ?? 0) + 1);
      return count;
    };
    const bCount = unique(baseKeys);
    const cCount = unique(curKeys.map((x) => x.key));
    const byKey = new Map<string, ResultRow>();
    base.rows.forEach((row, i) => {
      const k = baseKeys[i];
      if (k && row.line !== undefined && bCount.get(k) === 1) byKey.set(k, row);
    });
    for (const { row, key } of curKeys) {
      if (!key || cCount.get(key) !== 1) continue;
      const b = byKey.get(key);
      if (b) baseRowOf.set(row.index, b);
    }
  } else if (sameFile) {
    how = 'matched by row: the file is unchanged';
    const byIndex = new Map<number, ResultRow>();
    for (const row of fileRows(base)) byIndex.set(row.index, row);
    for (const row of fileRows(cur)) {
      const b = byIndex.get(row.index);
      if (b) baseRowOf.set(row.index, b);
    }
  } else {
    c.outcome('category-changed', 'skipped', 'rows cannot be matched: the file changed and the baseline holds no row texts');
    return;
  }
  const rows: Finding[] = [];
  const moves = new Map<string, number>();
  let compared = 0;
  for (const row of fileRows(cur)) {
    const b = baseRowOf.get(row.index);
    if (!b || row.category === null || b.category === null) continue;
    compared++;
    if (b.category === row.category) continue;
    const move = `${WORD[b.category]} -> ${WORD[row.category]}`;
    moves.set(move, (moves.get(move) ?? 0) + 1);
    rows.push({
      ruleId: 'category-changed', level: 'note', line: row.line!, rowIndex: row.index,
      message: `category changed since the baseline: ${move}` +
        (b.line !== row.line ? ` (line ${b.line} in the baseline)` : ''),
      evidence: { before: b.category, after: row.category, baselineRow: b.index, baselineLine: b.line ?? null },
    });
  }
  c.rows('category-changed', 'note', rows, 'rows changed category');
  const moveText = [...moves].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(', ');
  c.outcome('category-changed', 'pass',
    `${rows.length} of ${compared} W2S-train rows in both results changed category (${how})${moveText ? `: ${moveText}` : ''}`);
}

/** Category words as the editor and the report say them. */
const WORD: Record<NonNullable<ResultRow['category']>, string> = { easy: 'easy-only', hard: 'hard-only', overlap: 'overlap' };

function keyOf(t: string | null | undefined): string | null {
  return typeof t === 'string' && normalizeText(t) !== '' ? textKey(t) : null;
}

/** The baseline's text hash per result row: from texts the caller read, else from the baseline file. */
function baselineKeys(base: BaselineResult, texts: readonly (string | null)[] | null): (string | null)[] | null {
  if (texts) return base.rows.map((r) => (r.line !== undefined ? keyOf(texts[r.index]) : null));
  const stored = base.checkBaseline;
  if (!stored || !Array.isArray(stored.textKeys) || stored.textKeys.length !== base.rows.length) return null;
  return stored.textKeys.map((k) => (typeof k === 'string' && /^[0-9a-f]{14}$/.test(k) ? k : null));
}

function duplicateLabels(c: Collector, R: ResolvedRules, cur: AnalysisResult, texts: readonly (string | null)[] | null): void {
  if (!R.duplicateLabels) {
    c.outcome('duplicate-label', 'skipped', 'turned off');
    return;
  }
  if (!texts) {
    c.outcome('duplicate-label', 'skipped', 'no texts of the current dataset');
    return;
  }
  const groups = new Map<string, ResultRow[]>();
  for (const row of fileRows(cur)) {
    const t = texts[row.index];
    if (typeof t !== 'string') continue;
    const k = normalizeText(t);
    if (k === '') continue;
    const g = groups.get(k);
    if (g) g.push(row);
    else groups.set(k, [row]);
  }
  const rows: Finding[] = [];
  let conflicts = 0;
  for (const g of groups.values()) {
    if (g.length < 2 || g.every((r) => r.label === g[0].label)) continue;
    conflicts++;
    const shown = g.slice(0, 6).map((r) => `line ${r.line} (${labelName(cur, r.label)})`).join(', ');
    const more = g.length > 6 ? ` and ${g.length - 6} more` : '';
    for (const r of g) {
      rows.push({
        ruleId: 'duplicate-label', level: 'warning', line: r.line!, rowIndex: r.index,
        message: `the same text has different labels: ${shown}${more}`,
        evidence: { label: labelName(cur, r.label), copies: g.length, labels: new Set(g.map((x) => x.label)).size },
      });
    }
  }
  c.rows('duplicate-label', 'warning', rows, 'rows with a conflicting duplicate');
  c.outcome('duplicate-label', conflicts === 0 ? 'pass' : R.failOn === 'warning' ? 'alarm' : 'warning',
    conflicts > 0 ? `${count(conflicts, 'text')} ${conflicts === 1 ? 'appears' : 'appear'} with different labels (${count(rows.length, 'row')})` : 'no text appears with different labels');
}
