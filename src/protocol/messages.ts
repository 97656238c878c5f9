/**
 * The one message protocol between the report panel host (src/extension/report) and its webview (webview/).
 * Modelled on vscode-pull-request-github's webviews/common: the webview sends requests carrying an id, the host
 * answers each with a reply (value or error) carrying the same id, and the host posts nothing until the webview's
 * `ready` request has arrived (its reply carries the whole initial state). Large per-row data travels as typed
 * arrays (VS Code transfers their buffers), never as arrays of row objects; texts travel one page at a time.
 */
import type { AnalysisResult } from '../core/result/schema';
import type { SelectionResult } from '../core/select/schema';
import type { TrendPoint } from '../core/report/trend';

/**
 * Bump when a message changes shape; the webview refuses a host with another version.
 * 2: the selection report (SelectionRequestMap / SelectionEventMap) joined the panel family.
 */
export const PROTOCOL_VERSION = 2;

/** Everything in a result except the per-row data, which travels as `ReportColumns`. */
export type ReportSummary = Omit<AnalysisResult, 'rows' | 'map'>;

/**
 * The W2S-train rows of a result, one entry per row, in result order. Missing values: NaN for numbers that are
 * null in the result, -1 for absent integers (line, pseudo-label, nearest hard row), NO_CATEGORY for categories.
 */
export interface ReportColumns {
  /** Dataset row index (ResultRow.index). */
  index: Int32Array;
  /** 1-based line in the source file; -1 when unknown. */
  line: Int32Array;
  label: Int32Array;
  pseudoLabel: Int32Array;
  confidence: Float64Array;
  alignment: Float64Array;
  /** Detected category code (EASY 0, HARD 1, OVERLAP 2). */
  category: Uint8Array;
  /** Ground-truth category code, when the result has ground truth. */
  trueCategory: Uint8Array | null;
  nearestHard: Int32Array;
}

/** The 2-D map of W2S-train rows; `k` is the position of each point in `ReportColumns`. */
export interface ReportMap {
  x: Float32Array;
  y: Float32Array;
  k: Int32Array;
}

export interface Thresholds {
  t1: number;
  t2: number | null;
}

export type ChartId = 'regime' | 'confidence' | 'alignment' | 'map' | 'confusion';
export const CHART_IDS: readonly ChartId[] = ['regime', 'confidence', 'alignment', 'map', 'confusion'];

export interface ReportInit {
  protocol: number;
  summary: ReportSummary;
  /** Where the results file lives (the serializer restores the panel from it). */
  resultPath: string;
  columns: ReportColumns;
  map: ReportMap | null;
  /** Thresholds the user moved earlier for this dataset; null means the detected ones. */
  thresholds: Thresholds | null;
  /** Flagged dataset row indices. */
  flagged: number[];
  /** Why row texts cannot be shown (dataset missing, no text field), or null when they can. */
  textsUnavailable: string | null;
  /** The dataset's kept analyses, newest first (absent in the standalone HTML report). */
  history?: TrendPoint[];
}

/** Requests the webview sends; `result` is what the host's reply carries. */
export interface RequestMap {
  /** The handshake: the webview is listening; the reply is the initial state. */
  ready: { params: { protocol: number }; result: ReportInit };
  /** Texts of dataset rows (one table page); null where a row has no text. */
  texts: { params: { indices: number[]; maxChars: number }; result: { texts: (string | null)[] } };
  /** Dataset row indices whose text contains `query` (case-insensitive), in ascending order. */
  search: { params: { query: string }; result: { indices: Int32Array } };
  /** Reveal a dataset row in the editor. */
  reveal: { params: { index: number }; result: { revealed: boolean } };
  /** Thresholds after the user released a drag or typed a value; the host updates decorations. */
  thresholds: { params: Thresholds; result: { applied: boolean } };
  flag: { params: { index: number; flagged: boolean }; result: { flagged: number[] } };
  /** Save a chart the webview rendered; svg as text, png as bytes. null path: the user cancelled. */
  exportChart: {
    params: { chart: ChartId; format: 'svg' | 'png'; data: string | Uint8Array };
    result: { path: string | null };
  };
  /** Save the results JSON or the self-contained HTML report (the host holds the result). */
  exportReport: { params: { format: 'json' | 'html' }; result: { path: string | null } };
  /**
   * Save the table's rows as filtered and ordered (dataset row indices, the live category of each) as CSV or JSONL
   * with texts, labels, scores and lines; `what` names the filter for the file name ("overlap", "flagged", "all").
   */
  exportRows: { params: { format: 'csv' | 'jsonl'; indices: Int32Array; categories: Uint8Array; what: string }; result: { path: string | null; rows: number } };
}

/** Events the host pushes after `ready`. */
export interface EventMap {
  /** A new result for the same dataset (re-analysis): the webview re-initialises. */
  init: ReportInit;
  flags: { flagged: number[] };
}

// ------------------------------------------------------------------ the selection report (the UCB issue)

/** Everything in a selection result except the per-seed round logs (`runs`): the plots need the summary bands only. */
export type SelectionSummaryData = Omit<SelectionResult, 'runs'>;

export type SelectionChartId = 'selection-overlap' | 'selection-accuracy' | 'selection-pulls';
export const SELECTION_CHART_IDS: readonly SelectionChartId[] = ['selection-overlap', 'selection-accuracy', 'selection-pulls'];

export interface SelectionInit {
  protocol: number;
  result: SelectionSummaryData;
  /** Where the selection result lives (`.overlap/<name>.select.json`); the serializer restores the panel from it. */
  resultPath: string;
}

/** Requests of the selection report page; the same envelope, ids and `ready` handshake as the dataset report. */
export interface SelectionRequestMap {
  ready: { params: { protocol: number }; result: SelectionInit };
  /** Open a source's dataset file in the editor (sources that are files). */
  openSource: { params: { source: number }; result: { opened: boolean } };
  exportChart: {
    params: { chart: SelectionChartId; format: 'svg' | 'png'; data: string | Uint8Array };
    result: { path: string | null };
  };
  /** Save the selection result JSON or the self-contained HTML selection report. */
  exportReport: { params: { format: 'json' | 'html' }; result: { path: string | null } };
}

export interface SelectionEventMap {
  /** A new run wrote the same results file: the page re-initialises. */
  init: SelectionInit;
}

/** Shape every request map has: method -> { params, result }. */
export type AnyRequestMap<R> = { [M in keyof R]: { params: unknown; result: unknown } };

export type RequestMethod = keyof RequestMap;
export type EventName = keyof EventMap;

export interface RequestMessage<M extends RequestMethod = RequestMethod> {
  kind: 'request';
  id: number;
  method: M;
  params: RequestMap[M]['params'];
}

export interface ProtocolError {
  message: string;
  /** 'unknown-method' | 'bad-params' | 'failed' | 'disposed' */
  code: string;
}

export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: ProtocolError };

export interface EventMessage<E extends EventName = EventName> {
  kind: 'event';
  event: E;
  data: EventMap[E];
}

export type WebviewToHost = RequestMessage;
export type HostToWebview = ReplyMessage | EventMessage;

export function isRequestMessage(m: unknown): m is RequestMessage {
  const r = m as RequestMessage;
  return !!r && typeof r === 'object' && r.kind === 'request' && typeof r.id === 'number' && typeof r.method === 'string';
}

export function isHostMessage(m: unknown): m is HostToWebview {
  const r = m as HostToWebview;
  return !!r && typeof r === 'object' && (r.kind === 'reply' || r.kind === 'event');
}
