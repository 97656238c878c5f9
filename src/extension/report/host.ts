/**
 * The generic webview-panel host (issue 16, item 3): what every panel kind of the report family shares. One host
 * per kind lives on the extension's context (ctx.ts) and owns that kind's panels, one per key (a dataset, a
 * selection results file): it opens a panel where the kind says, reveals the open one instead of opening a second,
 * sets the page (webviewHtml: CSP, nonce, which page of the bundle), runs the typed protocol (RpcServer with the
 * `ready` handshake; a hidden page is torn down and says `ready` again), registers the serializer that restores
 * panels after a reload from the state the page keeps (the results file path), and forgets a panel when it closes.
 *
 * What differs between kinds is a `PanelKind`: the view type, the page, the key and title of some content, where a
 * new panel opens, how content is read back after a reload, and the per-panel part (`PanelView`: its state, the
 * init message and the request handlers).
 */
import * as vscode from 'vscode';
import type { AnyRequestMap } from '../../protocol/messages';
import { RpcServer, type Handlers } from '../../protocol/rpc';
import { messageHtml, webviewHtml, webviewOptions, type WebviewPanelKind } from './webviewHtml';

/** A request map with the `ready` handshake, whose reply is the page's whole initial state. */
export type ReadyRequestMap<R> = AnyRequestMap<R> & { ready: { params: { protocol: number }; result: unknown } };
/** The init message of a protocol: the reply to `ready`, also pushed as the `init` event when content changes. */
export type InitOf<R extends ReadyRequestMap<R>> = R['ready']['result'];

/** The per-panel part of a kind: its state, the init message and the handlers of the page's requests. */
export interface PanelView<C, R extends ReadyRequestMap<R>> {
  /** Takes new content for this open panel (a re-analysis); true when the page must re-initialise. */
  update(content: C): boolean;
  /** The page's whole initial state (the `ready` reply and the `init` event). */
  init(): Promise<InitOf<R>> | InitOf<R>;
  readonly handlers: Handlers<R>;
}

/** One panel kind: what the host needs to know to open, reveal and restore its panels. */
export interface PanelKind<C, R extends ReadyRequestMap<R>, V extends PanelView<C, R>> {
  readonly viewType: string;
  /** Which page of the webview bundle the panel shows. */
  readonly page: WebviewPanelKind;
  /** The key of the panel that shows this content: one panel per key. */
  keyOf(content: C): string;
  titleOf(content: C): string;
  /** The view column of a new panel, given the columns of this kind's open panels. */
  columnOf(content: C, openColumns: (vscode.ViewColumn | undefined)[]): vscode.ViewColumn;
  /** Whether revealing an already open panel keeps the focus where it is. */
  readonly revealPreservesFocus: boolean;
  /** The per-panel part for a new panel showing this content. */
  createView(panel: vscode.WebviewPanel, content: C): V;
  /** Reads the content back after a reload from the page's saved state; undefined when the state names none. */
  restore(state: unknown): Promise<C> | undefined;
  /** The state `restore` reads, kept in the host's store too (by panel title) for when a reload loses the page's. */
  stateOf?(content: C): unknown;
  /** What a restored panel says when its state names no content, and before the error when reading it failed. */
  readonly noStateMessage: string;
  readonly restoreFailedMessage: string;
}

/** One open panel: the VS Code panel, its kind's per-panel part, and its protocol server. */
export class HostedPanel<C, R extends ReadyRequestMap<R>, E extends { init: InitOf<R> }, V extends PanelView<C, R>> implements vscode.Disposable {
  private readonly server: RpcServer<R, E>;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly key: string,
    readonly view: V,
    extensionUri: vscode.Uri,
    page: WebviewPanelKind,
    private readonly onDispose: (p: HostedPanel<C, R, E, V>) => void,
  ) {
    this.server = new RpcServer<R, E>(
      {
        post: (m) => void this.panel.webview.postMessage(m),
        listen: (handler) => {
          const d = this.panel.webview.onDidReceiveMessage(handler);
          return () => d.dispose();
        },
      },
      view.handlers,
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, this.panel.title, page);
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      // A hidden page is torn down (no retainContextWhenHidden); hold events until it says ready again.
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) this.server.reset();
      }),
    );
  }

  /** Posts a typed event to the page (held until the page has said `ready`). */
  emit<K extends keyof E & string>(event: K, data: E[K]): void {
    this.server.emit(event, data);
  }

  /** Gives the panel new content; the page re-initialises when the view says it changed. */
  update(content: C): void {
    if (!this.view.update(content)) return;
    const init = this.view.init();
    if (init instanceof Promise) void init.then((i) => this.emit('init', i as E['init']));
    else this.emit('init', init as E['init']);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose(this);
    this.server.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Where a host keeps each panel's restore state by title, beside the page's own (see panelStore.ts). */
export interface PanelStateStore {
  get(viewType: string, title: string): unknown;
  set(viewType: string, title: string, state: unknown): void;
}

/**
 * The panels of one kind. Disposing the host unregisters its serializer; open panels stay (a reload restores them).
 */
export class WebviewPanelHost<C, R extends ReadyRequestMap<R>, E extends { init: InitOf<R> }, V extends PanelView<C, R>> implements vscode.Disposable {
  private readonly panels = new Map<string, HostedPanel<C, R, E, V>>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly kind: PanelKind<C, R, V>,
    private readonly extensionUri: vscode.Uri,
    private readonly store?: PanelStateStore,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      deserializeWebviewPanel: (panel, state) => this.revive(panel, state),
    });
  }

  /** Opens the panel of this content, or updates and reveals the one already open for its key. */
  show(content: C): HostedPanel<C, R, E, V> {
    const key = this.kind.keyOf(content);
    const existing = this.panels.get(key);
    if (existing) {
      existing.update(content);
      this.remember(existing.panel, content);
      existing.panel.reveal(undefined, this.kind.revealPreservesFocus);
      return existing;
    }
    const column = this.kind.columnOf(content, [...this.panels.values()].map((p) => p.panel.viewColumn));
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, this.kind.titleOf(content), { viewColumn: column, preserveFocus: false }, webviewOptions(this.extensionUri));
    return this.adopt(panel, key, content);
  }

  /** The open panel of a key. */
  get(key: string): HostedPanel<C, R, E, V> | undefined {
    return this.panels.get(key);
  }

  /** Every open panel, oldest first. */
  all(): HostedPanel<C, R, E, V>[] {
    return [...this.panels.values()];
  }

  /**
   * Restores a panel after a reload: the page's saved state names its content, else the state the store kept for the
   * panel's title (a reload in VS Code for the Web can lose the page's state).
   */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    panel.webview.options = webviewOptions(this.extensionUri);
    const reading = this.kind.restore(state) ?? (this.store ? this.kind.restore(this.store.get(this.kind.viewType, panel.title)) : undefined);
    if (!reading) {
      panel.webview.html = messageHtml(this.kind.noStateMessage);
      return;
    }
    try {
      const content = await reading;
      const existing = this.panels.get(this.kind.keyOf(content));
      if (existing) {
        panel.dispose();
        existing.panel.reveal();
        return;
      }
      this.adopt(panel, this.kind.keyOf(content), content);
    } catch (e) {
      panel.webview.html = messageHtml(`${this.kind.restoreFailedMessage}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.serializer.dispose();
  }

  private remember(panel: vscode.WebviewPanel, content: C): void {
    if (this.store && this.kind.stateOf) this.store.set(this.kind.viewType, panel.title, this.kind.stateOf(content));
  }

  private adopt(panel: vscode.WebviewPanel, key: string, content: C): HostedPanel<C, R, E, V> {
    this.remember(panel, content);
    const view = this.kind.createView(panel, content);
    const hosted = new HostedPanel<C, R, E, V>(panel, key, view, this.extensionUri, this.kind.page, (p) => {
      if (this.panels.get(p.key) === p) this.panels.delete(p.key);
    });
    this.panels.set(key, hosted);
    return hosted;
  }
}

/** What both kinds show: a results file and what it holds. */
export interface ResultFile<T> {
  result: T;
  resultPath: string;
}

/**
 * The restore pair of a kind whose content is a results file: the saved state is `{ resultPath }`, read back with
 * `load` (both report kinds).
 */
export function resultFileRestore<T>(load: (resultPath: string) => Promise<T>): Pick<PanelKind<ResultFile<T>, never, never>, 'restore' | 'stateOf'> {
  return {
    restore: (state) => {
      const resultPath = savedResultPath(state);
      return resultPath === undefined ? undefined : load(resultPath).then((result) => ({ result, resultPath }));
    },
    stateOf: ({ resultPath }) => ({ resultPath }),
  };
}

/** The `resultPath` a report page keeps in its saved state (both kinds restore from their results file). */
export function savedResultPath(state: unknown): string | undefined {
  const resultPath = (state as { resultPath?: unknown } | undefined)?.resultPath;
  return typeof resultPath === 'string' && resultPath ? resultPath : undefined;
}
