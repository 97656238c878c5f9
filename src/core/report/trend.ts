/**
 * The trend of a dataset's kept analyses (pipeline/history.ts, issue 17 item 4) in plain lines, for the Datasets view's
 * tooltip and the report's summary. Pure.
 */

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function fixed(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2);
}

/** One kept analysis (pipeline/history.ts entries, newest first). */
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
