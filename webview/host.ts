/**
 * The webview's view of its host. In VS Code it is the typed request/reply protocol over postMessage; in the
 * self-contained HTML report (no host) the same requests are answered in the page from the embedded result.
 */
import { exportRowsFile, rowExportFileName } from '../src/core/report/rowExport';
import type { AnalysisResult } from '../src/core/result/schema';
import type { SelectionResult } from '../src/core/select/schema';
import { toReportInit } from '../src/protocol/columns';
import type { AnyRequestMap, EventMap, RequestMap, SelectionEventMap, SelectionRequestMap, Thresholds } from '../src/protocol/messages';
import { RpcClient, type Handlers } from '../src/protocol/rpc';
import { toSelectionInit } from '../src/protocol/selection';
import type { CategoryFilter, SortKey } from './query';

/** What the webview keeps with getState/setState (survives hiding the panel and a window reload). */
export interface WebviewState {
  resultPath: string;
  createdAt: string;
  thresholds: Thresholds | null;
  table: { page: number; sort: SortKey; descending: boolean; category: CategoryFilter; text: string };
}

/** What the selection page keeps: the results file it shows (the serializer reopens it after a reload). */
export interface SelectionWebviewState {
  resultPath: string;
  createdAt: string;
}

/** A page's host: typed requests and events of its panel kind, and the page state. */
export interface Host<R extends AnyRequestMap<R>, E, S> {
  readonly standalone: boolean;
  request<M extends keyof R & string>(method: M, params: R[M]['params']): Promise<R[M]['result']>;
  on<K extends keyof E & string>(event: K, handler: (data: E[K]) => void): () => void;
  getState(): S | undefined;
  setState(state: S): void;
}

export type ReportHost = Host<RequestMap, EventMap, WebviewState>;
export type SelectionHost = Host<SelectionRequestMap, SelectionEventMap, SelectionWebviewState>;

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function inVsCode(): boolean {
  return typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';
}

/** The host in a VS Code webview (acquireVsCodeApi may be called once per page: call this once). */
export function vscodeHost<R extends AnyRequestMap<R>, E, S>(): Host<R, E, S> {
  const api = acquireVsCodeApi();
  const client = new RpcClient<R, E>({
    post: (m) => api.postMessage(m),
    listen: (handler) => {
      const l = (e: MessageEvent) => handler(e.data);
      window.addEventListener('message', l);
      return () => window.removeEventListener('message', l);
    },
  });
  return {
    standalone: false,
    request: (method, params) => client.request(method, params),
    on: (event, handler) => client.on(event, handler),
    getState: () => api.getState() as S | undefined,
    setState: (s) => api.setState(s),
  };
}

/** A file download from the page (the HTML report has no host to save through). */
function download(name: string, data: string | Uint8Array, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer)], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Requests answered in the page by `handlers`; no events, state kept in memory. */
function inPageHost<R extends AnyRequestMap<R>, E, S>(handlers: Handlers<R>): Host<R, E, S> {
  let state: S | undefined;
  return {
    standalone: true,
    request: async (method, params) => (handlers[method] as (p: typeof params) => unknown)(params) as never,
    on: () => () => undefined,
    getState: () => state,
    setState: (s) => (state = s),
  };
}

/** The HTML report: requests answered from the embedded result; exports become downloads. */
export function standaloneHost(result: AnalysisResult, texts: (string | null)[] | null): ReportHost {
  const flagged = new Set<number>();
  const base = (result.dataset.path ?? 'dataset').split(/[\\/]/).pop() ?? 'dataset';
  const handlers: Handlers = {
    ready: () =>
      toReportInit(result, '', { textsUnavailable: texts ? null : 'this report was written without the row texts' }),
    texts: ({ indices, maxChars }) => ({ texts: indices.map((i) => (texts?.[i] ?? null)?.slice(0, maxChars) ?? null) }),
    search: ({ query }) => {
      const q = query.toLowerCase();
      const hits: number[] = [];
      texts?.forEach((t, i) => t !== null && t.toLowerCase().includes(q) && hits.push(i));
      return { indices: Int32Array.from(hits) };
    },
    reveal: () => ({ revealed: false }),
    thresholds: () => ({ applied: false }),
    flag: ({ index, flagged: on }) => {
      if (on) flagged.add(index);
      else flagged.delete(index);
      return { flagged: [...flagged] };
    },
    exportRows: ({ format, indices, categories, what }) => {
      const name = rowExportFileName(base, what, format);
      download(name, exportRowsFile(format, { result, indices, categories, texts, flagged }), format === 'csv' ? 'text/csv' : 'application/x-ndjson');
      return { path: name, rows: indices.length };
    },
    ...downloadExports(base, '.result.json', result),
  };
  return inPageHost(handlers);
}

/** The self-contained HTML selection report: the embedded result answers `ready`; exports become downloads. */
export function standaloneSelectionHost(result: SelectionResult): SelectionHost {
  const base = selectionBaseName(result);
  const handlers: Handlers<SelectionRequestMap> = {
    ready: () => toSelectionInit(result, ''),
    openSource: () => ({ opened: false }),
    ...downloadExports(base, '.select.json', result),
  };
  return inPageHost(handlers);
}

function selectionBaseName(result: SelectionResult): string {
  const first = result.sources[0];
  return ((first?.path ?? first?.name ?? 'selection').split(/[\\/]/).pop() ?? 'selection').replace(/[^\w.+-]+/g, '_');
}

/**
 * Exports of a standalone HTML report become browser downloads: each chart as SVG/PNG and the result as JSON. The
 * page is the HTML report already, so an HTML export has nothing to write.
 */
function downloadExports(base: string, jsonSuffix: string, result: unknown) {
  return {
    exportChart: ({ chart, format, data }: { chart: string; format: 'svg' | 'png'; data: string | Uint8Array }) => {
      const name = `${base}.${chart}.${format}`;
      download(name, data, format === 'svg' ? 'image/svg+xml' : 'image/png');
      return { path: name };
    },
    exportReport: ({ format }: { format: 'json' | 'html' }) => {
      if (format === 'html') return { path: null };
      const name = `${base}${jsonSuffix}`;
      download(name, JSON.stringify(result, null, 1), 'application/json');
      return { path: name };
    },
  };
}
