/**
 * One-line summaries of a result for the CodeLens, the status bar, the Datasets view and messages.
 * Pure, so the exact wording is unit-tested.
 */
import { verdictEvidence, verdictOf } from '../core/experiment/verdict';
import type { AnalysisResult } from '../core/result/schema';

export function percent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/**
 * "overlap density 23.1% · 412 overlap rows · medium W2S (PGR 0.41), and overlap rows help": the verdict's headline
 * (core/experiment/verdict.ts); with `moved`, the partition follows thresholds moved in the report (the verdict still
 * comes from the analysis).
 */
export function lensTitle(result: AnalysisResult, moved = false): string {
  const d = result.detection;
  const rows = d.counts.overlap;
  return [
    `overlap density ${percent(d.overlapDensity)}`,
    `${rows.toLocaleString('en-US')} overlap row${rows === 1 ? '' : 's'}`,
    verdictOf(result).headline,
    ...(moved ? ['thresholds moved in the report'] : []),
  ].join(' · ');
}

/** Tooltip of the lens and the tree item: the verdict sentence, accuracies, counts, thresholds, the regime rule. */
export function resultTooltip(result: AnalysisResult): string {
  const d = result.detection;
  const a = result.accuracy;
  const evidence = verdictEvidence(result);
  const lines = [
    evidence.verdict.sentence,
    ...evidence.sanity.notices.map((n) => `Note: ${n}`),
    `Overlap density ${percent(d.overlapDensity)} of ${result.dataset.splits.w2sTrain.toLocaleString('en-US')} W2S-train rows`,
    `easy-only ${d.counts.easy} · hard-only ${d.counts.hard} · overlap ${d.counts.overlap}`,
    `accuracy weak ${fixed(a.weak, 3)} · strong ${fixed(a.strong, 3)} · W2S ${fixed(a.w2s, 3)} · PGR ${fixed(result.pgr)}`,
    `regime ${result.regime.label}: ${result.regime.rule}`,
    `t1 = ${fixed(d.confidenceThreshold, 3)} (${d.hardRule}) · t2 = ${fixed(d.alignThreshold, 3)} (${d.align})${d.usedFallback ? ' · median fallback' : ''}`,
    `encoders ${result.encoders.weak.id} -> ${result.encoders.strong.id} on ${result.device} · ${result.createdAt}`,
  ];
  return lines.join('\n');
}

/** Short description for the Datasets view: "23.1% · medium". */
export function treeDescription(result: AnalysisResult): string {
  return `${percent(result.detection.overlapDensity)} · ${result.regime.label}`;
}

/** Status bar text (codicons allowed). */
export function statusText(result: AnalysisResult, stale: boolean): string {
  if (stale) return '$(warning) Overlap: out of date';
  return `$(graph) Overlap ${percent(result.detection.overlapDensity)} · ${verdictOf(result).headline}`;
}

/** The lens shown instead of the summary when the file changed since the analysis. */
export const STALE_LENS_TITLE = '$(warning) overlap results are out of date: this file changed since it was analysed';

/** Why editor features are off on files VS Code does not hand to extensions. */
export const LARGE_FILE_LIMIT_BYTES = 50 * 1024 * 1024;

export function largeFileMessage(name: string, bytes: number): string {
  const mb = (bytes / (1024 * 1024)).toFixed(0);
  return (
    `${name} is ${mb} MB: VS Code does not pass files over 50 MB to extensions, so decorations, hovers, CodeLens ` +
    'and annotation edits are off for it. Analysis still runs from disk; open the report for the results.'
  );
}

/** What the Datasets view's tooltip says about the kept history (pipeline/history.ts entries, newest first). */
export interface TrendPoint {
  createdAt: string;
  density: number;
  pgr: number | null;
  regime: string;
  sha256: string | null;
}

/**
 * The trend of density, PGR and regime across the kept analyses, oldest to newest, in one line each, with what
 * changed between consecutive ones ("data changed" when the dataset's sha256 differs). At most `max` entries.
 */
export function historyTrend(entries: readonly TrendPoint[], max = 8): string[] {
  if (entries.length === 0) return [];
  const shown = entries.slice(0, max).reverse();
  const lines = [`History: the last ${shown.length} of ${entries.length} kept analyses, oldest first`];
  let prev: TrendPoint | undefined;
  for (const e of shown) {
    const delta = prev ? ` (${signedPoints(e.density - prev.density)}${e.sha256 !== prev.sha256 ? ', data changed' : ''})` : '';
    lines.push(`${e.createdAt.replace('T', ' ').slice(0, 16)} · density ${percent(e.density)}${delta} · PGR ${fixed(e.pgr)} · ${e.regime}`);
    prev = e;
  }
  return lines;
}

/** +1.2 points / -0.4 points / no change: a difference of two shares in percentage points. */
export function signedPoints(d: number): string {
  const p = 100 * d;
  if (Math.abs(p) < 0.05) return 'no change';
  return `${p > 0 ? '+' : '-'}${Math.abs(p).toFixed(1)} points`;
}
