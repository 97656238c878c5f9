// Child process of bench/editor: loads dist/extension.js against a fake `vscode` module, calls activate() and
// reports the time of each step, whether onnxruntime was loaded (Module._load hook and require.cache) and which
// VS Code APIs activation touched. Run: node bench/lib/activate-child.cjs /path/to/dist/extension.js EXTENSION_ROOT
'use strict';
const Module = require('node:module');
const path = require('node:path');

const t0 = performance.now();
const [extFile, extRoot] = process.argv.slice(2);
const touched = new Set();
const ortRequests = [];
const logLines = [];

class Disposable {
  constructor(f) { this.f = f; }
  static from(...ds) { return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this.f) this.f(); this.f = undefined; }
}
class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (l) => { this.listeners.push(l); return new Disposable(() => { this.listeners = this.listeners.filter((x) => x !== l); }); };
  }
  fire(e) { for (const l of [...this.listeners]) l(e); }
  dispose() { this.listeners = []; }
}
class Uri {
  constructor(scheme, fsPath) { this.scheme = scheme; this.fsPath = fsPath; this.path = fsPath; }
  static file(p) { return new Uri('file', p); }
  static parse(s) { return new Uri(s.split(':')[0], s.replace(/^file:\/\//, '')); }
  static joinPath(u, ...parts) { return new Uri(u.scheme, path.join(u.fsPath, ...parts)); }
  with() { return this; }
  toString() { return `${this.scheme}://${this.fsPath}`; }
}
class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range {
  constructor(a, b, c, d) {
    this.start = typeof a === 'number' ? new Position(a, b) : a;
    this.end = typeof a === 'number' ? new Position(c, d) : b;
  }
}
class ThemeColor { constructor(id) { this.id = id; } }
class ThemeIcon { constructor(id) { this.id = id; } }
class TreeItem { constructor(label, state) { this.label = label; this.collapsibleState = state; } }
class MarkdownString { constructor(v = '') { this.value = v; } appendMarkdown(s) { this.value += s; return this; } }
class Hover { constructor(c, r) { this.contents = c; this.range = r; } }
class CodeLens { constructor(r, c) { this.range = r; this.command = c; } }
class TabInputText { constructor(uri) { this.uri = uri; } }
class WorkspaceEdit { replace() {} insert() {} delete() {} }

/** Anything not modelled above: a callable stub that records its name and returns a disposable stub. */
function stub(name) {
  const f = function () { touched.add(name); return stubObject(`${name}()`); };
  return new Proxy(f, {
    get(target, prop) {
      if (prop === 'then') return undefined; // never a thenable
      if (prop === 'dispose') return () => {};
      if (typeof prop === 'symbol') return prop === Symbol.iterator ? function* () {} : undefined;
      return stub(`${name}.${prop}`);
    },
    construct() { touched.add(`new ${name}`); return stubObject(`new ${name}`); },
  });
}
function stubObject(name) {
  return new Proxy({ dispose() {} }, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === 'then') return undefined;
      if (typeof prop === 'symbol') return prop === Symbol.iterator ? function* () {} : undefined;
      return stub(`${name}.${String(prop)}`);
    },
    set(target, prop, v) { target[prop] = v; return true; },
  });
}
const event = (name) => () => { touched.add(name); return new Disposable(); };
const output = {
  info: (m) => logLines.push(`info: ${m}`), warn: (m) => logLines.push(`warn: ${m}`), error: (m) => logLines.push(`error: ${m}`),
  debug() {}, trace() {}, appendLine: (m) => logLines.push(m), append() {}, show() {}, dispose() {},
};
const known = {
  Disposable, EventEmitter, Uri, Position, Range, ThemeColor, ThemeIcon, TreeItem, MarkdownString, Hover, CodeLens,
  TabInputText, WorkspaceEdit,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  OverviewRulerLane: { Left: 1, Center: 2, Right: 4, Full: 7 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 },
  window: {
    createOutputChannel: () => { touched.add('window.createOutputChannel'); return output; },
    createTreeView: () => { touched.add('window.createTreeView'); return stubObject('TreeView'); },
    createStatusBarItem: () => { touched.add('window.createStatusBarItem'); return stubObject('StatusBarItem'); },
    createTextEditorDecorationType: () => { touched.add('window.createTextEditorDecorationType'); return stubObject('DecorationType'); },
    registerWebviewPanelSerializer: () => { touched.add('window.registerWebviewPanelSerializer'); return new Disposable(); },
    onDidChangeActiveTextEditor: event('window.onDidChangeActiveTextEditor'),
    onDidChangeVisibleTextEditors: event('window.onDidChangeVisibleTextEditors'),
    onDidChangeTextEditorVisibleRanges: event('window.onDidChangeTextEditorVisibleRanges'),
    onDidChangeActiveColorTheme: event('window.onDidChangeActiveColorTheme'),
    tabGroups: { activeTabGroup: { activeTab: undefined }, onDidChangeTabs: event('window.tabGroups.onDidChangeTabs') },
    visibleTextEditors: [],
    activeTextEditor: undefined,
    activeColorTheme: { kind: 2 },
  },
  workspace: {
    getConfiguration: () => { touched.add('workspace.getConfiguration'); return { get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => {} }; },
    onDidChangeConfiguration: event('workspace.onDidChangeConfiguration'),
    onDidChangeTextDocument: event('workspace.onDidChangeTextDocument'),
    onDidSaveTextDocument: event('workspace.onDidSaveTextDocument'),
    onDidOpenTextDocument: event('workspace.onDidOpenTextDocument'),
    onDidCloseTextDocument: event('workspace.onDidCloseTextDocument'),
    onDidChangeWorkspaceFolders: event('workspace.onDidChangeWorkspaceFolders'),
    onDidGrantWorkspaceTrust: event('workspace.onDidGrantWorkspaceTrust'),
    createFileSystemWatcher: () => {
      touched.add('workspace.createFileSystemWatcher');
      return { onDidChange: event('watcher.onDidChange'), onDidCreate: event('watcher.onDidCreate'), onDidDelete: event('watcher.onDidDelete'), dispose() {} };
    },
    findFiles: async () => { touched.add('workspace.findFiles'); return []; },
    workspaceFolders: undefined,
    textDocuments: [],
    isTrusted: true,
  },
  languages: {
    registerHoverProvider: () => { touched.add('languages.registerHoverProvider'); return new Disposable(); },
    registerCodeLensProvider: () => { touched.add('languages.registerCodeLensProvider'); return new Disposable(); },
  },
  commands: {
    registerCommand: () => { touched.add('commands.registerCommand'); return new Disposable(); },
    executeCommand: async () => { touched.add('commands.executeCommand'); },
  },
};
function section(name, obj) {
  return new Proxy(obj, { get: (t, p) => (p in t ? t[p] : typeof p === 'symbol' ? undefined : stub(`${name}.${String(p)}`)) });
}
const vscode = new Proxy(
  { ...known, window: section('window', known.window), workspace: section('workspace', known.workspace), languages: section('languages', known.languages), commands: section('commands', known.commands) },
  { get: (t, p) => (p in t ? t[p] : typeof p === 'symbol' ? undefined : stub(String(p))) },
);

const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscode;
  if (request.includes('onnxruntime')) ortRequests.push(request);
  return origLoad.apply(this, arguments);
};

const memento = { get: (_k, d) => d, update: async () => {}, keys: () => [] };
const extCtx = {
  subscriptions: [], extensionPath: extRoot, extensionUri: Uri.file(extRoot),
  asAbsolutePath: (p) => path.join(extRoot, p), workspaceState: memento, globalState: { ...memento, setKeysForSync() {} },
  storageUri: undefined, globalStorageUri: Uri.file('/tmp/overlap-bench-global'), logUri: Uri.file('/tmp/overlap-bench-log'),
  extensionMode: 1, environmentVariableCollection: stubObject('env'),
};

const tBeforeLoad = performance.now();
const ext = require(extFile);
const tLoaded = performance.now();
let activateError;
try {
  ext.activate(extCtx);
} catch (e) {
  activateError = String(e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
}
const tActivated = performance.now();
// Let the timers and promises activation scheduled run, then look again for onnxruntime.
setTimeout(() => {
  const cached = Object.keys(require.cache).filter((k) => k.includes('onnxruntime'));
  process.stdout.write(JSON.stringify({
    nodeStartToScriptMs: t0,
    loadMs: tLoaded - tBeforeLoad,
    activateMs: tActivated - tLoaded,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    subscriptions: extCtx.subscriptions.length,
    ortRequests,
    ortInRequireCache: cached,
    modulesInRequireCache: Object.keys(require.cache).length,
    logLines,
    touched: [...touched].sort(),
    activateError,
  }) + '\n');
  process.exit(0);
}, 500);
