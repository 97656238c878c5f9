import { CATEGORY_NAMES, type CategoryName } from '../core/detect/types';
import { NO_CATEGORY } from '../core/report/partition';
import type { AnalysisResult } from '../core/result/schema';
import { PROTOCOL_VERSION, type ReportColumns, type ReportInit, type ReportMap, type ReportSummary, type Thresholds } from './messages';

const code = (c: CategoryName | null | undefined): number => (c ? CATEGORY_NAMES.indexOf(c) : NO_CATEGORY);

/** The W2S-train rows of a result as typed columns (one pass, no per-row objects on the wire). */
export function toColumns(result: AnalysisResult): ReportColumns {
  const w2s = result.rows.filter((r) => r.split === 'w2s-train');
  const n = w2s.length;
  const hasTruth = w2s.some((r) => r.trueCategory !== undefined);
  const cols: ReportColumns = {
    index: new Int32Array(n),
    line: new Int32Array(n),
    label: new Int32Array(n),
    pseudoLabel: new Int32Array(n),
    confidence: new Float64Array(n),
    alignment: new Float64Array(n),
    category: new Uint8Array(n),
    trueCategory: hasTruth ? new Uint8Array(n) : null,
    nearestHard: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const r = w2s[k];
    cols.index[k] = r.index;
    cols.line[k] = r.line ?? -1;
    cols.label[k] = r.label;
    cols.pseudoLabel[k] = r.pseudoLabel ?? -1;
    cols.confidence[k] = r.confidence ?? NaN;
    cols.alignment[k] = r.alignment ?? NaN;
    cols.category[k] = code(r.category);
    if (cols.trueCategory) cols.trueCategory[k] = code(r.trueCategory);
    cols.nearestHard[k] = r.nearestHard ?? -1;
  }
  return cols;
}

/** The map with each point's position in the columns; points whose row is not W2S-train are dropped. */
export function toMap(result: AnalysisResult, columns: ReportColumns): ReportMap | null {
  const m = result.map;
  if (!m || m.x.length === 0) return null;
  const pos = new Map<number, number>();
  for (let k = 0; k < columns.index.length; k++) pos.set(columns.index[k], k);
  const x: number[] = [];
  const y: number[] = [];
  const k: number[] = [];
  for (let i = 0; i < m.rowIndex.length; i++) {
    const p = pos.get(m.rowIndex[i]);
    if (p === undefined || !Number.isFinite(m.x[i]) || !Number.isFinite(m.y[i])) continue;
    x.push(m.x[i]);
    y.push(m.y[i]);
    k.push(p);
  }
  return { x: Float32Array.from(x), y: Float32Array.from(y), k: Int32Array.from(k) };
}

export function toSummary(result: AnalysisResult): ReportSummary {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { rows: _rows, map: _map, ...summary } = result;
  return summary;
}

export function toReportInit(
  result: AnalysisResult,
  resultPath: string,
  extra: { thresholds?: Thresholds | null; flagged?: number[]; textsUnavailable?: string | null } = {},
): ReportInit {
  const columns = toColumns(result);
  return {
    protocol: PROTOCOL_VERSION,
    summary: toSummary(result),
    resultPath,
    columns,
    map: toMap(result, columns),
    thresholds: extra.thresholds ?? null,
    flagged: extra.flagged ?? [],
    textsUnavailable: extra.textsUnavailable ?? null,
  };
}

/** Categories aligned with `result.rows` for new thresholds (what the editor decorations need). */
export function categoriesForRows(result: AnalysisResult, columns: ReportColumns, w2sCategories: Uint8Array): (CategoryName | null)[] {
  const byIndex = new Map<number, number>();
  for (let k = 0; k < columns.index.length; k++) byIndex.set(columns.index[k], w2sCategories[k]);
  return result.rows.map((r) => {
    const c = byIndex.get(r.index);
    return c === undefined || c === NO_CATEGORY ? null : CATEGORY_NAMES[c];
  });
}
