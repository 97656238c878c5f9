/**
 * The generic webview-panel host (src/extension/report/host.ts) with a toy panel kind: one panel per key, reveal
 * instead of a second panel, the `ready` handshake holding events back, re-initialisation on new content, closing,
 * and the serializer's restore paths. `vscode` is replaced by the few members the host uses.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

interface FakePanel {
  viewType: string;
  title: string;
  viewColumn: number;
  visible: boolean;
  webview: {
    html: string;
    options: unknown;
    cspSource: string;
    posted: unknown[];
    asWebviewUri(u: { path: string }): string;
    postMessage(m: unknown): Promise<boolean>;
    onDidReceiveMessage(h: (m: unknown) => void): { dispose(): void };
    receive(m: unknown): void;
  };
  reveals: { column: unknown; preserveFocus: unknown }[];
  disposed: boolean;
  reveal(column?: unknown, preserveFocus?: unknown): void;
  dispose(): void;
  onDidDispose(h: () => void): { dispose(): void };
  onDidChangeViewState(h: () => void): { dispose(): void };
  hide(): void;
}

const fake = vi.hoisted(() => ({
  created: [] as FakePanel[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>(),
}));

vi.mock('vscode', () => {
  const listeners = <T extends (...a: never[]) => void>() => {
    const set = new Set<T>();
    return { set, on: (h: T) => (set.add(h), { dispose: () => void set.delete(h) }) };
  };
  const makePanel = (viewType: string, title: string, viewColumn: number): FakePanel => {
    const messages = listeners<(m: unknown) => void>();
    const disposeL = listeners<() => void>();
    const viewState = listeners<() => void>();
    const p: FakePanel = {
      viewType,
      title,
      viewColumn,
      visible: true,
      webview: {
        html: '',
        options: undefined,
        cspSource: 'csp',
        posted: [],
        asWebviewUri: (u) => `res:${u.path}`,
        postMessage: async (m) => (p.webview.posted.push(m), true),
        onDidReceiveMessage: messages.on,
        receive: (m) => messages.set.forEach((h) => h(m)),
      },
      reveals: [],
      disposed: false,
      reveal: (column, preserveFocus) => void p.reveals.push({ column, preserveFocus }),
      dispose: () => {
        if (p.disposed) return;
        p.disposed = true;
        disposeL.set.forEach((h) => h());
      },
      onDidDispose: disposeL.on,
      onDidChangeViewState: viewState.on,
      hide: () => {
        p.visible = false;
        viewState.set.forEach((h) => h());
      },
    };
    return p;
  };
  return {
    Uri: { joinPath: (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join('/') }) },
    ViewColumn: { Active: -1, One: 1, Two: 2 },
    window: {
      createWebviewPanel: (viewType: string, title: string, show: { viewColumn: number }, options: unknown) => {
        const p = makePanel(viewType, title, show.viewColumn);
        p.webview.options = options;
        fake.created.push(p);
        return p;
      },
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => {
        fake.serializers.set(viewType, s);
        return { dispose: () => void fake.serializers.delete(viewType) };
      },
    },
    __makePanel: makePanel,
  };
});

import * as vscode from 'vscode';
import { WebviewPanelHost, savedResultPath, type PanelKind, type PanelView } from '../../../src/extension/report/host';
import type { Handlers } from '../../../src/protocol/rpc';

interface ToyInit {
  protocol: number;
  name: string;
  version: number;
}
interface ToyRequests {
  ready: { params: { protocol: number }; result: ToyInit };
  echo: { params: { text: string }; result: { text: string } };
}
interface ToyEvents {
  init: ToyInit;
  ping: { n: number };
}
interface Toy {
  name: string;
  version: number;
}

class ToyView implements PanelView<Toy, ToyRequests> {
  readonly handlers: Handlers<ToyRequests>;
  constructor(private content: Toy) {
    this.handlers = { ready: () => this.init(), echo: ({ text }) => ({ text: `${this.content.name}:${text}` }) };
  }
  init(): ToyInit {
    return { protocol: 1, ...this.content };
  }
  update(content: Toy): boolean {
    const changed = content.version !== this.content.version;
    this.content = content;
    return changed;
  }
}

const stored = new Map<string, Toy>();
const kind: PanelKind<Toy, ToyRequests, ToyView> = {
  viewType: 'toy.view',
  page: 'selection',
  keyOf: (t) => t.name,
  titleOf: (t) => `Toy ${t.name}`,
  columnOf: (_t, open) => (open.find((c) => c !== undefined) ?? 1) + 1,
  revealPreservesFocus: true,
  createView: (_panel, t) => new ToyView(t),
  restore: (state) => {
    const name = savedResultPath(state);
    if (name === undefined) return undefined;
    const t = stored.get(name);
    return t ? Promise.resolve(t) : Promise.reject(new Error(`no ${name}`));
  },
  noStateMessage: 'No saved state.',
  restoreFailedMessage: 'Could not restore',
};

const makePanel = (vscode as unknown as { __makePanel(viewType: string, title: string, column: number): FakePanel }).__makePanel;
const flush = () => new Promise((r) => setTimeout(r, 0));
const request = (id: number, method: string, params: unknown) => ({ kind: 'request', id, method, params });

let host: WebviewPanelHost<Toy, ToyRequests, ToyEvents, ToyView>;

beforeEach(() => {
  fake.created.length = 0;
  fake.serializers.clear();
  stored.clear();
  host = new WebviewPanelHost(kind, { path: '/ext' } as never);
});

describe('the generic webview-panel host', () => {
  it('opens one panel per key with the page of its kind, and reveals the open one instead of a second', () => {
    const a = host.show({ name: 'a', version: 1 });
    expect(fake.created).toHaveLength(1);
    const pa = fake.created[0];
    expect(pa.viewType).toBe('toy.view');
    expect(pa.title).toBe('Toy a');
    expect(pa.viewColumn).toBe(2);
    expect(pa.webview.html).toContain('data-panel="selection"');
    expect(pa.webview.html).toContain("script-src 'nonce-");
    expect(pa.webview.options).toMatchObject({ enableScripts: true, retainContextWhenHidden: false });

    expect(host.show({ name: 'a', version: 1 })).toBe(a);
    expect(fake.created).toHaveLength(1);
    expect(pa.reveals).toEqual([{ column: undefined, preserveFocus: true }]);

    host.show({ name: 'b', version: 1 });
    expect(fake.created).toHaveLength(2);
    // The kind placed it from the columns of the open panels.
    expect(fake.created[1].viewColumn).toBe(3);
    expect(host.all().map((p) => p.key)).toEqual(['a', 'b']);
    expect(host.get('b')?.panel).toBe(fake.created[1]);
  });

  it('answers requests, holds events until ready, and re-initialises the page only when the content changed', async () => {
    const a = host.show({ name: 'a', version: 1 });
    const pa = fake.created[0];
    a.emit('ping', { n: 1 });
    await flush();
    expect(pa.webview.posted).toEqual([]);

    pa.webview.receive(request(1, 'ready', { protocol: 1 }));
    await flush();
    expect(pa.webview.posted).toEqual([
      { kind: 'reply', id: 1, ok: true, value: { protocol: 1, name: 'a', version: 1 } },
      { kind: 'event', event: 'ping', data: { n: 1 } },
    ]);

    pa.webview.receive(request(2, 'echo', { text: 'hi' }));
    await flush();
    expect(pa.webview.posted.at(-1)).toEqual({ kind: 'reply', id: 2, ok: true, value: { text: 'a:hi' } });

    host.show({ name: 'a', version: 1 });
    await flush();
    expect(pa.webview.posted).toHaveLength(3);
    host.show({ name: 'a', version: 2 });
    await flush();
    expect(pa.webview.posted.at(-1)).toEqual({ kind: 'event', event: 'init', data: { protocol: 1, name: 'a', version: 2 } });

    // A hidden page is torn down: events wait for its next ready.
    pa.hide();
    a.emit('ping', { n: 2 });
    await flush();
    expect(pa.webview.posted).toHaveLength(4);
    pa.webview.receive(request(3, 'ready', { protocol: 1 }));
    await flush();
    expect(pa.webview.posted.slice(4)).toEqual([
      { kind: 'reply', id: 3, ok: true, value: { protocol: 1, name: 'a', version: 2 } },
      { kind: 'event', event: 'ping', data: { n: 2 } },
    ]);
  });

  it('forgets a panel the user closed, so the next show opens a new one', () => {
    host.show({ name: 'a', version: 1 });
    fake.created[0].dispose();
    expect(host.get('a')).toBeUndefined();
    host.show({ name: 'a', version: 1 });
    expect(fake.created).toHaveLength(2);
    expect(host.get('a')?.panel).toBe(fake.created[1]);
  });

  it('restores panels after a reload from the saved state, and says why when it cannot', async () => {
    const serializer = fake.serializers.get('toy.view')!;
    stored.set('a', { name: 'a', version: 3 });

    const empty = makePanel('toy.view', 'Toy ?', 1);
    await serializer.deserializeWebviewPanel(empty, undefined);
    expect(empty.webview.html).toContain('No saved state.');
    expect(empty.webview.options).toMatchObject({ enableScripts: true });
    expect(host.all()).toEqual([]);

    const missing = makePanel('toy.view', 'Toy ?', 1);
    await serializer.deserializeWebviewPanel(missing, { resultPath: 'gone' });
    expect(missing.webview.html).toContain('Could not restore: no gone');

    const restored = makePanel('toy.view', 'Toy a', 1);
    await serializer.deserializeWebviewPanel(restored, { resultPath: 'a' });
    expect(host.get('a')?.panel).toBe(restored);
    expect(restored.webview.html).toContain('data-panel="selection"');
    restored.webview.receive(request(1, 'ready', { protocol: 1 }));
    await flush();
    expect(restored.webview.posted).toEqual([{ kind: 'reply', id: 1, ok: true, value: { protocol: 1, name: 'a', version: 3 } }]);

    // A second restored panel for an open key closes and reveals the open one.
    const twin = makePanel('toy.view', 'Toy a', 1);
    await serializer.deserializeWebviewPanel(twin, { resultPath: 'a' });
    expect(twin.disposed).toBe(true);
    expect(restored.reveals).toHaveLength(1);
    expect(host.get('a')?.panel).toBe(restored);
  });

  it('restores a panel whose page state the reload lost from the file store, by its title', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { FilePanelStore } = await import('../../../src/extension/report/panelStore');
    const dir = mkdtempSync(join(tmpdir(), 'overlap-panel-store-'));
    try {
      host.dispose();
      const remembering = { ...kind, stateOf: (t: Toy) => ({ resultPath: t.name }) };
      host = new WebviewPanelHost(remembering, { path: '/ext' } as never, new FilePanelStore(dir));
      stored.set('b', { name: 'b', version: 2 });
      host.show({ name: 'b', version: 2 }); // remembered as "Toy b" -> { resultPath: 'b' }
      // After a reload: a new host reads the same file; the page comes back without its state.
      host.dispose();
      host = new WebviewPanelHost(remembering, { path: '/ext' } as never, new FilePanelStore(dir));
      const serializer = fake.serializers.get('toy.view')!;
      const back = makePanel('toy.view', 'Toy b', 1);
      await serializer.deserializeWebviewPanel(back, undefined);
      expect(host.get('b')?.panel).toBe(back);
      // An unknown title still says there is no state; a damaged store file is ignored, not thrown.
      const stranger = makePanel('toy.view', 'Toy z', 1);
      await serializer.deserializeWebviewPanel(stranger, undefined);
      expect(stranger.webview.html).toContain('No saved state.');
      writeFileSync(join(dir, 'report-panels.json'), '{"toy.view": ["not", "a table"], "__proto__": {"Toy b": 1}}');
      expect(new FilePanelStore(dir).get('toy.view', 'Toy b')).toBeUndefined();
      writeFileSync(join(dir, 'report-panels.json'), 'not json');
      expect(new FilePanelStore(dir).get('toy.view', 'Toy b')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unregisters its serializer on dispose and leaves open panels for the reload to restore', () => {
    host.show({ name: 'a', version: 1 });
    expect(fake.serializers.has('toy.view')).toBe(true);
    host.dispose();
    expect(fake.serializers.has('toy.view')).toBe(false);
    expect(fake.created[0].disposed).toBe(false);
  });
});
