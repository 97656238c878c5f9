/**
 * The webview's view of its host. In VS Code it is the typed request/reply protocol over postMessage; in the
 * self-contained HTML report (no host) the same requests are answered in the page from the embedded result.
 */
import type { AnalysisResult } from '../src/core/report/schema';
import { toReportInit } from '../src/protocol/columns';
import type { EventMap, EventName, RequestMap, RequestMethod, Thresholds } from '../src/protocol/messages';
import { RpcClient, type Handlers } from '../src/protocol/rpc';
import type { CategoryFilter, SortKey } from './query';

/** What the webview keeps with getState/setState (survives hiding the panel and a window reload). */
export interface WebviewState {
  resultPath: string;
  createdAt: string;
  thresholds: Thresholds | null;
  table: { page: number; sort: SortKey; descending: boolean; category: CategoryFilter; text: string };
}

export interface ReportHost {
  readonly standalone: boolean;
  request<M extends RequestMethod>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']>;
  on<E extends EventName>(event: E, handler: (data: EventMap[E]) => void): () => void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function inVsCode(): boolean {
  return typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';
}

export function vscodeHost(): ReportHost {
  const api = acquireVsCodeApi();
  const client = new RpcClient({
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
    getState: () => api.getState() as WebviewState | undefined,
    setState: (s) => api.setState(s),
  };
}

/** The HTML report: requests answered from the embedded result; exports become downloads. */
export function standaloneHost(result: AnalysisResult, texts: (string | null)[] | null): ReportHost {
  const flagged = new Set<number>();
  const download = (name: string, data: string | Uint8Array, type: string) => {
    const blob = new Blob([typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer)], { type });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
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
    exportChart: ({ chart, format, data }) => {
      const name = `${base}.${chart}.${format}`;
      download(name, data, format === 'svg' ? 'image/svg+xml' : 'image/png');
      return { path: name };
    },
    exportReport: ({ format }) => {
      // The page is the HTML report already; only the results JSON is offered.
      if (format === 'html') return { path: null };
      const name = `${base}.result.json`;
      download(name, JSON.stringify(result, null, 1), 'application/json');
      return { path: name };
    },
  };
  let state: WebviewState | undefined;
  return {
    standalone: true,
    request: async (method, params) => (handlers[method] as (p: typeof params) => unknown)(params) as never,
    on: () => () => undefined,
    getState: () => state,
    setState: (s) => (state = s),
  };
}
