// Records every request the workbench page, its webviews and workers make, for "nothing leaves the machine" checks.
import type { BrowserContext, Page, Request } from 'playwright-core';

export interface RecordedRequest {
  url: string;
  method: string;
  /** Playwright's resource type: document, script, fetch, xhr, websocket, ... */
  resourceType: string;
  /** URL of the frame that made it ('' for workers and service workers). */
  frameUrl: string;
  /** True once the response came from a service worker (VS Code serves webview resources that way). */
  fromServiceWorker: boolean;
  status?: number;
  /** Chromium's error text when the request failed (offline requests fail with net::ERR_...). */
  failure?: string;
  /** Host is not loopback and the request was not answered by a webview's service worker. */
  external: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i;
// VS Code's webview resource origin: a virtual host answered by the webview's own service worker, not the network.
const WEBVIEW_RESOURCE_HOST = /\.vscode-resource\.vscode-cdn\.net$/i;

/** Whether a URL names a place off this machine (data:, blob:, about:, vscode-*: and loopback hosts do not). */
export function isExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return false;
  return !LOOPBACK.test(u.hostname);
}

export class NetworkRecorder {
  private readonly byRequest = new Map<Request, RecordedRequest>();
  private readonly all: RecordedRequest[] = [];

  constructor(context: BrowserContext) {
    context.on('request', (r) => this.onRequest(r));
    context.on('requestfinished', (r) => {
      const rec = this.byRequest.get(r);
      if (!rec) return;
      void r.response().then((res) => {
        if (!res) return;
        rec.status = res.status();
        rec.fromServiceWorker = res.fromServiceWorker();
        rec.external = this.classify(rec);
      }).catch(() => undefined);
    });
    context.on('requestfailed', (r) => {
      const rec = this.byRequest.get(r);
      if (rec) rec.failure = r.failure()?.errorText ?? 'failed';
    });
  }

  /** Websockets are not reported as requests; record them per page. */
  watchPage(page: Page): void {
    page.on('websocket', (ws) => {
      const rec: RecordedRequest = {
        url: ws.url(), method: 'GET', resourceType: 'websocket', frameUrl: page.url(), fromServiceWorker: false,
        external: false,
      };
      rec.external = this.classify(rec);
      this.all.push(rec);
    });
  }

  /** Every request so far, in order. */
  requests(): RecordedRequest[] {
    return [...this.all];
  }

  /** Requests to any host other than loopback (those a "works offline, sends nothing" check must not see). */
  externalRequests(): RecordedRequest[] {
    return this.all.filter((r) => r.external);
  }

  private onRequest(r: Request): void {
    let frameUrl = '';
    try {
      frameUrl = r.frame().url();
    } catch {
      // requests from workers and service workers have no frame
    }
    const rec: RecordedRequest = {
      url: r.url(), method: r.method(), resourceType: r.resourceType(), frameUrl, fromServiceWorker: false,
      external: false,
    };
    rec.external = this.classify(rec);
    this.byRequest.set(r, rec);
    this.all.push(rec);
  }

  private classify(rec: RecordedRequest): boolean {
    if (!isExternalUrl(rec.url)) return false;
    const host = new URL(rec.url).hostname;
    // A webview resource fetched through VS Code's service worker never reaches the network.
    if (WEBVIEW_RESOURCE_HOST.test(host) && rec.fromServiceWorker) return false;
    return true;
  }
}
