/**
 * The verdict in one sentence (issue 12, docs/verdict.md): the outcome regime (regime.ts, from weak / W2S / strong)
 * joined with what the mixing experiment says about the overlap rows (effect.ts). Every surface (CodeLens, status
 * bar, report summary, standalone HTML report, CLI, walkthrough examples) takes its words from `verdictOf`.
 *
 * The rule, for the effect vs non-overlap rows N (per-seed slope of the mixing curve) and vs random rows R, each
 * positive, negative, negligible or unresolved (effectDirection: the 95% interval against 0, then the mean against
 * MIN_EFFECT = 0.005, half a point of accuracy):
 * - overlap `explains` W2S when N and R are positive, `partly` when only N is, `no-better` when N is unresolved or
 *   negligible, `worse` when N is negative; `unmeasured` without a curve, with subsets under MIN_EFFECT_SUBSET
 *   rows or with one seed.
 * A flat or falling curve has N unresolved, negligible or negative, so it is never described as overlap rows helping.
 */
import type {
  AnalysisResult, DetectorSanity, OverlapEffect, RegimeLabel, Verdict,
} from '../result/schema';
import { printableName } from '../result/names';
import { AT_CHANCE_RULE } from './regime';
import { detectorSanity, effectDirection, effectText, MIN_EFFECT_SUBSET, overlapEffect, signedAcc, type EffectDirection } from './effect';

/** Sanity notices also join the result's warnings with this prefix (older readers show warnings only). */
export const SANITY_PREFIX = 'detector sanity: ';

export type VerdictInput = Pick<AnalysisResult, 'regime' | 'pgr' | 'mixing'> & {
  detection: Pick<AnalysisResult['detection'], 'counts'>;
  /** When present (results since issue 12) it is used as is; older results get it from their mixing curve. */
  overlapEffect?: OverlapEffect | null;
  /**
   * When present it is used as is, so a result whose partition was re-drawn with thresholds moved in the report
   * keeps the analysis's verdict; older results get it from their counts.
   */
  sanity?: DetectorSanity;
  /** The weak model's label per W2S-train row and the overlap rows' positions among them (the one-class check). */
  overlapLabels?: { pseudoLabels: ArrayLike<number>; overlapPos: ArrayLike<number>; nameOf: (id: number) => string };
  /** The weak model at chance level (DetectorSanity.weakAtChance), when the analysis found it so. */
  weakAtChance?: DetectorSanity['weakAtChance'];
};

export interface VerdictEvidence {
  overlapEffect: OverlapEffect | null;
  sanity: DetectorSanity;
  verdict: Verdict;
}

const RELATION: Record<EffectDirection, string> = {
  positive: 'better than',
  negative: 'worse than',
  negligible: 'only negligibly different from',
  unresolved: 'not measurably different from',
};

function outcomeText(label: RegimeLabel, pgr: number | null, rule?: string): string {
  if (label === 'undetermined') {
    return rule?.startsWith(AT_CHANCE_RULE)
      ? 'W2S undetermined (the strong model does no better than always answering the most common class)'
      : 'W2S undetermined (the strong model is not better than the weak one)';
  }
  if (pgr === null || !Number.isFinite(pgr)) return `${label} W2S (PGR n/a)`;
  // A negative PGR under "medium" is W2S below weak by less than the noise margin: say so, or the sign reads as
  // a contradiction of the label (the rule is in regime.ts).
  if (label === 'medium' && pgr < 0) return `medium W2S (PGR ${pgr.toFixed(2)}, within noise of the weak model)`;
  return `${label} W2S (PGR ${pgr.toFixed(2)})`;
}

function effectPhrase(kind: Verdict['overlap'], label: RegimeLabel): string {
  if (kind === 'unmeasured') return 'the overlap effect is not measured';
  const verb = label === 'high' ? 'explain it' : 'help';
  if (kind === 'explains') return `overlap rows ${verb}`;
  if (kind === 'partly') return `overlap rows ${verb} only in part`;
  return `overlap rows do not ${verb}`;
}

function connective(kind: Verdict['overlap'], label: RegimeLabel): string {
  if (kind === 'unmeasured' || label === 'undetermined') return '; ';
  const positive = kind === 'explains' || kind === 'partly';
  if (positive) return label === 'low' ? ', though ' : ', and ';
  return label === 'high' ? ', but ' : ', and ';
}

/** Why there is no measured effect, in words. */
function unmeasuredReason(effect: OverlapEffect | null, counts: { easy: number; hard: number; overlap: number }, sanity: DetectorSanity): string {
  const one = sanity.overlapOneClass;
  if (one) {
    return `the weak model labels all ${one.overlap} overlap rows "${printableName(one.name)}", so training on them alone cannot learn the other classes`;
  }
  if (!effect) {
    if (counts.overlap === 0) return 'no overlap rows were detected, so there is nothing to compare';
    if (counts.easy + counts.hard === 0) return 'every W2S-train row was called overlap, so there is nothing to compare them with';
    return 'there are too few overlap or non-overlap rows to mix';
  }
  if (effect.tooSmall) {
    return `the mixing subsets hold only ${effect.subsetSize} rows (the comparison needs at least ${MIN_EFFECT_SUBSET})`;
  }
  return (
    `one mixing seed gives no interval (${signedAcc(effect.vsNonOverlap.mean)} over non-overlap rows); ` +
    'analyse with 2 or more seeds'
  );
}

/** The one label the weak model gives every overlap row, when W2S-train rows get two or more; else null. */
export function overlapOneClass(o: NonNullable<VerdictInput['overlapLabels']>): DetectorSanity['overlapOneClass'] {
  if (o.overlapPos.length < 2) return null;
  const first = o.pseudoLabels[o.overlapPos[0]!]!;
  for (let j = 1; j < o.overlapPos.length; j++) if (o.pseudoLabels[o.overlapPos[j]!] !== first) return null;
  const classes = new Set<number>();
  for (let k = 0; k < o.pseudoLabels.length; k++) classes.add(o.pseudoLabels[k]!);
  if (classes.size < 2) return null;
  return { label: first, name: o.nameOf(first), overlap: o.overlapPos.length, classes: classes.size };
}

/** The overlap effect, the sanity checks and the verdict of a result (recomputed from its mixing curve when absent). */
export function verdictEvidence(r: VerdictInput): VerdictEvidence {
  const effect = r.overlapEffect !== undefined ? r.overlapEffect : overlapEffect(r.mixing);
  const counts = r.detection.counts;
  const label = r.regime.label;
  // A strong model at chance (many classes, few rows per class): the mixing curve's W2S probes, the same features on
  // fewer rows and weak labels, learn nothing either, so its differences are noise and say nothing about overlap.
  const atChance = label === 'undetermined' && r.regime.rule?.startsWith(AT_CHANCE_RULE) === true;
  const sanity = r.sanity ?? {
    ...detectorSanity(counts, atChance || r.weakAtChance ? null : effect, r.overlapLabels ? overlapOneClass(r.overlapLabels) : null),
    ...(r.weakAtChance ? { weakAtChance: r.weakAtChance } : {}),
  };
  const weakChance = sanity.weakAtChance;
  let kind: Verdict['overlap'];
  let detail: string;
  if (atChance) {
    kind = 'unmeasured';
    detail = 'the mixing curve trains W2S models on the same features as the strong model, which is at chance level, so its differences are noise';
  } else if (weakChance) {
    kind = 'unmeasured';
    const f = (x: number) => x.toFixed(3);
    detail =
      `the weak model is at chance level (test accuracy ${f(weakChance.weak)} against ${f(weakChance.chance)} for always answering the ` +
      'most common class), so the easy-only / hard-only / overlap partition built on its confidences is noise';
  } else if (!effect || effect.tooSmall || effect.vsNonOverlap.status === 'no-interval' || sanity.overlapOneClass) {
    kind = 'unmeasured';
    detail = unmeasuredReason(effect, counts, sanity);
  } else {
    const n = effectDirection(effect.vsNonOverlap);
    const rnd = effect.vsRandom ? effectDirection(effect.vsRandom) : null;
    kind = n === 'positive' ? (rnd === null || rnd === 'positive' ? 'explains' : 'partly') : n === 'negative' ? 'worse' : 'no-better';
    detail = `training on them is ${RELATION[n]} training on non-overlap rows (${effectText(effect.vsNonOverlap)})`;
    if (effect.vsRandom && rnd) {
      detail += ` and ${RELATION[rnd]} training on random rows (${effectText(effect.vsRandom)})`;
    }
  }
  const headline = `${outcomeText(label, r.pgr, r.regime.rule)}${connective(kind, label)}${effectPhrase(kind, label)}`;
  let sentence = `${headline}: ${detail}`;
  if (sanity.coversMostNonHard && sanity.nonHardCoverage !== null) {
    sentence +=
      `; caution: ${(100 * sanity.nonHardCoverage).toFixed(0)}% of the rows the weak model is confident on were called ` +
      'overlap, so the categories barely separate';
  }
  return { overlapEffect: effect, sanity, verdict: { regime: label, overlap: kind, headline, sentence } };
}

/** The verdict of a result: the one function every surface takes its words from. */
export function verdictOf(r: VerdictInput): Verdict {
  return verdictEvidence(r).verdict;
}
