/** The check rules in words: SARIF's rule descriptions, the CLI's text output and docs/check.md say the same. */
import type { FindingLevel, RuleId } from './evaluate';

export interface RuleInfo {
  id: RuleId;
  /** PascalCase name (SARIF `name`). */
  name: string;
  /** One sentence: what alarms. */
  short: string;
  /** What to do about it. */
  help: string;
  /** The level its findings get. */
  level: FindingLevel;
  /** The config key that sets or turns it off. */
  key: string;
}

export const RULE_INFO: readonly RuleInfo[] = [
  {
    id: 'min-density', name: 'MinOverlapDensity', level: 'error', key: 'minDensity',
    short: 'The overlap density (share of W2S-train rows that hold both easy and hard patterns) is below the minimum.',
    help: 'Overlap rows are the ones a weak model can label and a strong model can learn more from. Add data like them, or lower minDensity if the minimum was too strict.',
  },
  {
    id: 'min-pgr', name: 'MinPgr', level: 'error', key: 'minPgr',
    short: 'PGR (the share of the weak-to-strong accuracy gap that the student recovers) is below the minimum.',
    help: 'The strong model trained on weak labels recovers too little of the gap. Look at the overlap effect and the rows that changed category; lower minPgr if the minimum was too strict.',
  },
  {
    id: 'overlap-effect', name: 'OverlapEffect', level: 'error', key: 'overlapEffect',
    short: 'Training on the detected overlap rows does not compare with training on non-overlap rows as required.',
    help: 'The mixing experiment trains on subsets with more or fewer overlap rows; its 95% interval over mixing seeds decides. "positive" needs overlap rows to measurably help, "not-negative" only that they do not measurably hurt.',
  },
  {
    id: 'density-drop', name: 'OverlapDensityDrop', level: 'error', key: 'maxDensityDrop',
    short: 'The overlap density fell since the baseline by more than allowed plus the noise margin.',
    help: 'Compare the rows that changed category since the baseline (category-changed notes). If the change is intended, write a new baseline with check --write-baseline.',
  },
  {
    id: 'pgr-drop', name: 'PgrDrop', level: 'error', key: 'maxPgrDrop',
    short: 'PGR fell since the baseline by more than allowed plus the noise margin.',
    help: 'The margin is the verdict\'s accuracy margin carried to PGR, so another seed alone does not alarm. If the change is intended, write a new baseline.',
  },
  {
    id: 'overlap-rows-removed', name: 'OverlapRowsRemoved', level: 'error', key: 'overlapRowsRemoved',
    short: 'Rows removed since the baseline were overlap rows far more often than random removal would give.',
    help: 'Deleting overlap rows takes away what a strong model learns from weak labels, even when the re-detected density looks the same. Restore them, or write a new baseline if intended.',
  },
  {
    id: 'category-changed', name: 'CategoryChanged', level: 'note', key: 'categoryChanges',
    short: 'A W2S-train row is in another category (easy-only, hard-only, overlap) than in the baseline.',
    help: 'Informational: shows where the detected overlap moved. Thresholds are re-detected on each analysis, so some rows move with any edit.',
  },
  {
    id: 'duplicate-label', name: 'DuplicateTextDifferentLabel', level: 'warning', key: 'duplicateLabels',
    short: 'The same text (trimmed, white space collapsed) appears with different labels.',
    help: 'Conflicting labels on one text are label noise for both the weak and the strong model. Fix or remove all but one copy.',
  },
];

export function ruleInfo(id: RuleId): RuleInfo {
  return RULE_INFO.find((r) => r.id === id)!;
}
