import { describe, expect, it } from 'vitest';
import { EASY, HARD, OVERLAP } from '../../../src/core/detect/types';
import { NO_CATEGORY } from '../../../src/core/report/partition';
import { categoriesForRows, toReportInit } from '../../../src/protocol/columns';
import { PROTOCOL_VERSION, type HostToWebview, type SelectionEventMap, type SelectionRequestMap, type WebviewToHost } from '../../../src/protocol/messages';
import { toSelectionInit } from '../../../src/protocol/selection';
import { RpcClient, RpcError, RpcServer, type Channel, type Handlers } from '../../../src/protocol/rpc';
import { buildResult } from './build';
import { buildSelection } from './buildSelection';

/** Two ends of a postMessage pipe: asynchronous, structured-cloned like a webview's messages. */
function pipe(): { host: Channel<HostToWebview, unknown>; webview: Channel<WebviewToHost, unknown>; toWebview: unknown[] } {
  const hostListeners = new Set<(m: unknown) => void>();
  const webviewListeners = new Set<(m: unknown) => void>();
  const toWebview: unknown[] = [];
  const deliver = (set: Set<(m: unknown) => void>, m: unknown) => setTimeout(() => set.forEach((h) => h(structuredClone(m))), 0);
  return {
    toWebview,
    host: {
      post: (m) => {
        toWebview.push(m);
        deliver(webviewListeners, m);
      },
      listen: (h) => (hostListeners.add(h), () => hostListeners.delete(h)),
    },
    webview: { post: (m) => deliver(hostListeners, m), listen: (h) => (webviewListeners.add(h), () => webviewListeners.delete(h)) },
  };
}

function handlers(over: Partial<Handlers> = {}): Handlers {
  const r = buildResult({ w2s: 50 });
  const fail = () => {
    throw new Error('not in this test');
  };
  return {
    ready: () => toReportInit(r, '/data/.overlap/reviews.jsonl.result.json'),
    texts: ({ indices }) => ({ texts: indices.map((i) => `text ${i}`) }),
    search: fail,
    reveal: fail,
    thresholds: fail,
    flag: fail,
    exportChart: fail,
    exportReport: fail,
    exportRows: fail,
    ...over,
  };
}

describe('protocol', () => {
  it('answers requests by id, even when replies come back out of order', async () => {
    const p = pipe();
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    new RpcServer(p.host, handlers({
      texts: async ({ indices }) => {
        if (indices[0] === 1) await slow;
        return { texts: indices.map((i) => `text ${i}`) };
      },
    }));
    const client = new RpcClient(p.webview);
    const first = client.request('texts', { indices: [1], maxChars: 10 });
    const second = await client.request('texts', { indices: [2], maxChars: 10 });
    expect(second.texts).toEqual(['text 2']);
    release();
    expect((await first).texts).toEqual(['text 1']);
  });

  it('turns a thrown error into an error reply the caller can read', async () => {
    const p = pipe();
    new RpcServer(p.host, handlers({ reveal: () => { throw new Error('reviews.jsonl: file not found'); } }));
    const client = new RpcClient(p.webview);
    const err = await client.request('reveal', { index: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toBe('reviews.jsonl: file not found');
    expect(err.code).toBe('failed');
    const unknown = await client.request('nope' as 'reveal', { index: 1 }).catch((e) => e);
    expect(unknown.code).toBe('unknown-method');
  });

  it('holds events until the ready handshake, then delivers them in order', async () => {
    const p = pipe();
    const server = new RpcServer(p.host, handlers());
    const client = new RpcClient(p.webview);
    const seen: number[][] = [];
    client.on('flags', (f) => seen.push(f.flagged));
    server.emit('flags', { flagged: [1] });
    server.emit('flags', { flagged: [1, 2] });
    await new Promise((r) => setTimeout(r, 5));
    expect(p.toWebview).toHaveLength(0);
    const init = await client.request('ready', { protocol: PROTOCOL_VERSION });
    expect(init.protocol).toBe(PROTOCOL_VERSION);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([[1], [1, 2]]);
    server.emit('flags', { flagged: [] });
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toHaveLength(3);
  });

  it('carries the rows as typed columns that survive structured cloning', async () => {
    const p = pipe();
    new RpcServer(p.host, handlers());
    const init = await new RpcClient(p.webview).request('ready', { protocol: PROTOCOL_VERSION });
    expect(init.columns.confidence).toBeInstanceOf(Float64Array);
    expect(init.columns.category).toBeInstanceOf(Uint8Array);
    expect(init.columns.index.length).toBe(50);
    expect((init.summary as Record<string, unknown>).rows).toBeUndefined();
    expect(init.map!.k.length).toBe(50);
  });

  it('pending requests reject when the client is disposed', async () => {
    const p = pipe();
    const client = new RpcClient(p.webview);
    const pending = client.request('ready', { protocol: 1 });
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'disposed' });
  });
});

describe('selection protocol', () => {
  it('runs the same handshake with the selection maps: the init carries the summary without round logs, events after ready', async () => {
    const p = pipe();
    const r = buildSelection({ seeds: 2 });
    const server = new RpcServer<SelectionRequestMap, SelectionEventMap>(p.host, {
      ready: () => toSelectionInit(r, '/d/.overlap/a+b.select.json'),
      openSource: ({ source }) => {
        if (source > 1) throw new Error(`source ${source} is not a file`);
        return { opened: true };
      },
      exportChart: () => ({ path: null }),
      exportReport: ({ format }) => ({ path: `/d/x.${format}` }),
    });
    const client = new RpcClient<SelectionRequestMap, SelectionEventMap>(p.webview);
    const again: string[] = [];
    client.on('init', (i) => again.push(i.result.createdAt));
    server.emit('init', toSelectionInit({ ...r, createdAt: 'later' }, 'x'));
    const init = await client.request('ready', { protocol: PROTOCOL_VERSION });
    expect(init.protocol).toBe(2);
    expect(init.resultPath).toBe('/d/.overlap/a+b.select.json');
    expect((init.result as Record<string, unknown>).runs).toBeUndefined();
    expect(init.result.summary.strategies.map((s) => s.strategy)).toEqual(['ucb', 'random']);
    await new Promise((res) => setTimeout(res, 5));
    expect(again).toEqual(['later']);
    expect(await client.request('exportReport', { format: 'json' })).toEqual({ path: '/d/x.json' });
    await expect(client.request('openSource', { source: 4 })).rejects.toMatchObject({ message: 'source 4 is not a file', code: 'failed' });
    // A dataset-report request is unknown to the selection panel.
    await expect(client.request('texts' as 'openSource', { source: 0 })).rejects.toMatchObject({ code: 'unknown-method' });
  });
});

describe('columns', () => {
  it('keeps the W2S-train rows with NaN / -1 / NO_CATEGORY for missing values', () => {
    const r = buildResult({ w2s: 80, groundTruth: true });
    const init = toReportInit(r, 'x');
    const w2s = r.rows.filter((x) => x.split === 'w2s-train');
    const c = init.columns;
    expect(Array.from(c.index)).toEqual(w2s.map((x) => x.index));
    for (let k = 0; k < w2s.length; k++) {
      const cat = w2s[k].category;
      expect(c.category[k]).toBe(cat === 'easy' ? EASY : cat === 'hard' ? HARD : OVERLAP);
      if (w2s[k].alignment === null) expect(Number.isNaN(c.alignment[k])).toBe(true);
    }
    expect(c.trueCategory).not.toBeNull();
    expect(toReportInit(buildResult({ w2s: 10 }), 'x').columns.trueCategory).toBeNull();
  });

  it('maps new W2S-train categories back onto result rows for the editor', () => {
    const r = buildResult({ w2s: 20 });
    const c = toReportInit(r, 'x').columns;
    const cats = new Uint8Array(c.index.length).fill(OVERLAP);
    const rows = categoriesForRows(r, c, cats);
    expect(rows).toHaveLength(r.rows.length);
    r.rows.forEach((row, i) => expect(rows[i]).toBe(row.split === 'w2s-train' ? 'overlap' : null));
    expect(NO_CATEGORY).toBe(255);
  });
});
