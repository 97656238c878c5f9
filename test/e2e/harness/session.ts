// A running VS Code (code-server in headless Chromium) and the user-level actions a journey performs on it.
// Selectors and the retry patterns follow shared/docs/VSCODE-E2E.md ("Driving the workbench").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { BASE_SETTINGS, CodeServer } from './codeServer';
import { NetworkRecorder, type RecordedRequest } from './network';
import { assertCacheOutside, e2ePaths, type VSCodeBuild } from './paths';
import { retry, sleep, withTimeout } from './retry';

export interface StartOptions {
  /**
   * Workspace folder: a folder name under test/e2e/fixtures/ or an absolute path. It is copied into a temp folder,
   * so journeys may edit and save files freely. Default: 'workspace'.
   */
  workspace?: string;
  /**
   * Which extension is loaded. 'dev' (default): the repository (its package.json + dist/extension.js) as an
   * extension under development. { vsix }: that VSIX installed into the fresh extensions dir, no dev payload.
   * 'none': plain VS Code.
   */
  extension?: 'dev' | 'none' | { vsix: string };
  /** Folder loaded when extension is 'dev'. Default: $E2E_EXTENSION_DEV_PATH, else the repository root. */
  extensionDevelopmentPath?: string;
  /** workbench.colorTheme id, e.g. 'Dark Modern' (default) or 'Light Modern' (see setTheme for the built-ins). */
  theme?: string;
  /** Extra user settings, merged over the harness's quiet defaults. */
  settings?: Record<string, unknown>;
  /** Written to <workspace>/.vscode/settings.json in the temp copy. */
  workspaceSettings?: Record<string, unknown>;
  /** Browser viewport; default 1400x900. */
  viewport?: { width: number; height: number };
  /** Extra environment for code-server and so the extension host. */
  env?: Record<string, string>;
  /** Label used in temp folder names and as the screenshot file prefix. */
  name?: string;
  /**
   * Which VS Code: 'newest' (code-server 4.139.1 = VS Code 1.139.1) or 'oldest' (code-server 4.90.3 = VS Code
   * 1.90.2, the oldest that package.json's `engines.vscode` admits). Default: $E2E_VSCODE, else 'newest'.
   */
  vscode?: VSCodeBuild;
}

export interface Notification {
  message: string;
  /** 'error' | 'warning' | 'info' (from the entry's icon). */
  severity: string;
  /** "Source: <extension name>" line when shown. */
  source: string;
  buttons: string[];
}

export interface CodeLensInfo {
  /** Editor line the lens stands above (1-based), or null if it cannot be matched to a rendered line number. */
  line: number | null;
  /** The lens text, e.g. "overlap 0.42 | easy-only" (commands separated by " | "). */
  text: string;
}

export interface DecorationInfo {
  /** 1-based editor line, or null when the element is not on a rendered line. */
  line: number | null;
  className: string;
}

export interface EditorDecorations {
  /** Glyph margin (gutter icon) decorations: `.cgmr` elements. */
  glyphs: DecorationInfo[];
  /** Line decorations in the margin (linesDecorationsClassName), folding markers excluded: `.cldr`. */
  marginLines: DecorationInfo[];
  /** Whole-line / background overlays behind the text: `.view-overlays .cdr` (current-line highlight excluded). */
  overlays: DecorationInfo[];
  /** Inline text decorations (className / before / after on text ranges) carrying extension classes (`ced-*`). */
  inline: (DecorationInfo & { text: string })[];
  /** Overview ruler (right edge): opaque pixel count per colour "r,g,b". Includes the cursor's own mark. */
  overviewRuler: Record<string, number>;
}

export interface ConsoleEntry {
  type: string;
  text: string;
}

const EDITOR = '.editor-group-container.active .monaco-editor';
const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
const HOVER = '.monaco-hover:not(.hidden)';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

// Page-side code (page.evaluate callbacks) is serialised and runs in the browser: it may not call Node-side helpers,
// and this project's tsconfig has no DOM lib, so it reaches the DOM through `(globalThis as any).document`.
type Dom = any;

/**
 * The id of a built-in theme in the given build: VS Code 1.139 renamed "Default Dark Modern", "Default Light+", ...
 * to "Dark Modern", "Light+", ...; either spelling is accepted and given in the build's own.
 */
export function themeId(name: string, build: VSCodeBuild = 'newest'): string {
  const renamed = /^(Default )?((Dark|Light)( Modern|\+))$/.exec(name);
  if (!renamed) return name;
  return build === 'oldest' ? `Default ${renamed[2]}` : renamed[2];
}

/** The workbench class ('vs', 'vs-dark', 'hc-black', 'hc-light') of a built-in theme id; undefined for others. */
function themeType(id: string): string | undefined {
  const builtIn: Record<string, string> = {
    'Dark Modern': 'vs-dark', 'Dark 2026': 'vs-dark', 'Dark+': 'vs-dark', 'Visual Studio Dark': 'vs-dark',
    'Light Modern': 'vs', 'Light 2026': 'vs', 'Light+': 'vs', 'Visual Studio Light': 'vs',
    'Default High Contrast': 'hc-black', 'Default High Contrast Light': 'hc-light',
    // VS Code 1.90's ids
    'Default Dark Modern': 'vs-dark', 'Default Dark+': 'vs-dark', 'Default Light Modern': 'vs', 'Default Light+': 'vs',
  };
  return builtIn[id];
}

/** Starts code-server and Chromium and opens the workspace; the returned session must be stopped (see stop()). */
export async function startVSCode(options: StartOptions = {}): Promise<VSCode> {
  const name = options.name ?? 'vscode';
  const settings: Record<string, unknown> = { ...BASE_SETTINGS, ...options.settings };
  const paths = e2ePaths(options.vscode);
  const theme = themeId(options.theme ?? String(settings['workbench.colorTheme'] ?? 'Dark Modern'), paths.build);
  settings['workbench.colorTheme'] = theme;
  const dev = (options.extension ?? 'dev') === 'dev';
  const devPath = path.resolve(options.extensionDevelopmentPath ?? process.env.E2E_EXTENSION_DEV_PATH ?? paths.repoRoot);
  if (dev) assertCacheOutside(paths, devPath);
  const server = await CodeServer.start({
    settings,
    label: name,
    build: paths.build,
    env: options.env,
    installVsix: typeof options.extension === 'object' ? options.extension.vsix : undefined,
  });
  let session: VSCode | undefined;
  try {
    const workspaceDir = copyWorkspace(server, options);
    const profileDir = path.join(server.root, 'chromium-profile');
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: server.paths.chromium,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const network = new NetworkRecorder(context);
    const page = context.pages()[0] ?? (await context.newPage());
    network.watchPage(page);
    session = new VSCode(server, context, page, network, workspaceDir, name, theme);
    await session.open(dev ? devPath : undefined);
    return session;
  } catch (e) {
    if (session) await session.stop({ keepFiles: true });
    else await server.stop({ keepFiles: true });
    throw new Error(`${(e as Error).message}\n(e2e files kept in ${server.root})`);
  }
}

function copyWorkspace(server: CodeServer, options: StartOptions): string {
  const src = path.isAbsolute(options.workspace ?? '')
    ? options.workspace!
    : path.join(server.paths.fixturesDir, options.workspace ?? 'workspace');
  if (!fs.existsSync(src)) throw new Error(`e2e: workspace fixture ${src} does not exist`);
  const dest = path.join(server.root, 'workspace', path.basename(src));
  fs.cpSync(src, dest, { recursive: true });
  if (options.workspaceSettings) {
    fs.mkdirSync(path.join(dest, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dest, '.vscode', 'settings.json'), JSON.stringify(options.workspaceSettings, null, 2));
  }
  return dest;
}

export class VSCode {
  /** Console messages of the workbench page (errors from the webview host, failed loads, ...). */
  readonly console: ConsoleEntry[] = [];
  /** Screenshots written by this session. */
  readonly screenshots: string[] = [];
  private stopped = false;

  constructor(
    readonly server: CodeServer,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly network: NetworkRecorder,
    /** Absolute path of the temp copy of the workspace folder that VS Code has open. */
    readonly workspaceDir: string,
    readonly name: string,
    /** The theme the session started with (user settings load after the workbench restores; see waitRestored). */
    private readonly startTheme?: string,
  ) {
    page.on('console', (m) => this.console.push({ type: m.type(), text: m.text() }));
    page.on('pageerror', (e) => this.console.push({ type: 'pageerror', text: e.message }));
  }

  /** Loads the workbench on the workspace, with the dev extension if given, and waits until it is restored. */
  async open(extensionDevelopmentPath?: string): Promise<void> {
    const params = new URLSearchParams({ folder: this.workspaceDir });
    if (extensionDevelopmentPath) {
      const payload = [
        ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${this.server.port}${extensionDevelopmentPath}`],
        ['skipWelcome', 'true'],
      ];
      params.set('payload', JSON.stringify(payload));
    }
    await this.page.goto(`${this.server.url}/?${params.toString()}`, { waitUntil: 'domcontentloaded' });
    await this.waitRestored();
  }

  /** Reloads the window (as "Developer: Reload Window"): webviews must restore through their serializers. */
  /**
   * Reloads the window. `{ afterStateSaved: true }` first waits 65 s: VS Code for the web saves the open editors'
   * state every 60 s and at shutdown, but a page reload does not wait for that last save, and a panel opened
   * shortly before may then not come back at all (two select rehearsals restored an empty editor area).
   */
  async reload({ afterStateSaved = false }: { afterStateSaved?: boolean } = {}): Promise<void> {
    if (afterStateSaved) await sleep(65_000);
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    await this.waitRestored();
  }

  private async waitRestored(): Promise<void> {
    const t0 = Date.now();
    const phase = (what: string): void => {
      if (process.env.E2E_DEBUG) console.log(`    [e2e] ${what} +${Date.now() - t0} ms`);
    };
    // The smoke-test driver (enabled by the server flag) resolves once the workbench has restored its editors.
    await this.page.waitForFunction(() => Boolean((globalThis as any).driver), undefined, { timeout: 60_000 });
    phase('driver ready');
    await withTimeout(this.page.evaluate(() => (globalThis as any).driver.whenWorkbenchRestored()), 60_000,
      'waiting for the workbench to restore');
    phase('workbench restored');
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 30_000 });
    // Remote user settings arrive after the restore: until the configured theme shows, other settings may not apply.
    const type = this.startTheme ? themeType(this.startTheme) : undefined;
    if (type) {
      await this.page.waitForFunction((t) => (globalThis as any).document.querySelector('.monaco-workbench')
        ?.classList.contains(t), type, { timeout: 30_000 }).catch(() => undefined);
      phase(`theme ${this.startTheme} shown`);
    }
  }

  // ---- Commands and quick input ------------------------------------------------------------------------------

  /**
   * Runs a command by its palette title (e.g. "Overlap Density: Analyse Dataset") via F1. Retries every ~3 s
   * because a palette opened before the extension's contributions registered never refreshes.
   */
  async runCommand(title: string, { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<void> {
    await retry(`runCommand("${title}")`, async () => {
      await this.openQuickInput('F1', `>${title}`);
      const index = await this.waitForQuickRow((label) => label === title, 3_000);
      if (index === undefined) return undefined;
      await this.acceptQuickRow(index);
      return true;
    }, { timeoutMs, intervalMs: 0 });
  }

  /**
   * Labels of the palette entries that match `query` (fuzzy, as a user typing it sees; only rendered rows, ~15).
   * Waits until at least one label contains `query`, or returns what is shown after `timeoutMs`. Closes the palette
   * unless `keepOpen` (e.g. for a screenshot of it).
   */
  async listCommands(query: string, { timeoutMs = 30_000, keepOpen = false }: { timeoutMs?: number; keepOpen?: boolean } = {}):
    Promise<string[]> {
    const wanted = query.toLowerCase();
    let labels: string[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.openQuickInput('F1', `>${query}`);
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        labels = (await this.quickRows()).map((r) => r.label);
        if (labels.some((l) => l.toLowerCase().includes(wanted))) break;
        await sleep(150);
      }
      if (labels.some((l) => l.toLowerCase().includes(wanted))) break;
    }
    if (!keepOpen) await this.page.keyboard.press('Escape');
    return labels;
  }

  /**
   * Waits until the quick input shows the step whose title ends with `title`: a command's steps replace each other
   * in one widget, so without this an answer typed under load can land in the step before (it did in CI: the
   * synthetic dataset's sizes shifted by one step and the save dialog proposed another name).
   */
  async waitForQuickStep(title: string, timeoutMs = 30_000): Promise<void> {
    const el = this.page.locator('.quick-input-widget .quick-input-title');
    let seen = '';
    await retry(`quick input step "${title}"`, async () => {
      if (!(await el.isVisible().catch(() => false))) return undefined;
      seen = ((await el.textContent().catch(() => null)) ?? '').trim();
      return seen.endsWith(title) ? true : undefined;
    }, { timeoutMs }).catch((e: Error) => {
      throw new Error(`${e.message} (last title seen: "${seen}")`);
    });
  }

  /**
   * Answers a quick pick / input box that a command opened: picks the row whose label equals `label`, or, for
   * an input box, types `label` and presses Enter (`{ type: true }`). With `step`, first waits for the step whose
   * title ends with it.
   */
  async answerQuickInput(label: string, { type = false, timeoutMs = 30_000, step }: { type?: boolean; timeoutMs?: number; step?: string } = {}): Promise<void> {
    const input = this.page.locator(QUICK_INPUT_BOX);
    if (step !== undefined) await this.waitForQuickStep(step, timeoutMs);
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    if (type) {
      // Multi-step inputs reuse one widget: wait until the step we answer has gone (another title, an empty box
      // or no widget), or the next answer lands in this step under load.
      const title = async () => (await this.page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => null)) ?? '';
      const before = await title();
      await input.fill(label);
      await this.page.keyboard.press('Enter');
      await retry(`quick input step "${before}" answered`, async () => {
        if (!(await input.isVisible().catch(() => false))) return true;
        if ((await title()) !== before) return true;
        return (await input.inputValue().catch(() => '')) === '' ? true : undefined;
      }, { timeoutMs: 10_000 }).catch(() => undefined);
      return;
    }
    await retry(`answerQuickInput("${label}")`, async () => {
      const index = await this.waitForQuickRow((l) => l === label, 1_000);
      if (index === undefined) {
        await input.fill(label); // filter the list so the row is rendered
        return undefined;
      }
      await this.acceptQuickRow(index);
      return true;
    }, { timeoutMs });
  }

  private async openQuickInput(key: string, text: string): Promise<void> {
    const input = this.page.locator(QUICK_INPUT_BOX);
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press('Escape');
      if (attempt > 0) {
        // Focus may sit in a webview iframe or a widget that swallows the key: hand it back to the page.
        await this.page.evaluate(() => (globalThis as any).document.activeElement?.blur?.()).catch(() => undefined);
      }
      await this.page.keyboard.press(key);
      try {
        await input.waitFor({ state: 'visible', timeout: 3_000 });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
      }
    }
    await input.fill(text);
  }

  private async quickRows(): Promise<{ label: string; description: string; aria: string }[]> {
    return this.page.evaluate((sel) => [...(globalThis as any).document.querySelectorAll(sel)].map((row: Dom) => ({
      label: (row.querySelector('.label-name')?.textContent ?? '').replace(/\u00a0/g, ' ').trim(),
      description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
      aria: row.getAttribute('aria-label') ?? '',
    })), QUICK_ROWS);
  }

  private async waitForQuickRow(match: (label: string) => boolean, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const i = (await this.quickRows()).findIndex((r) => match(r.label));
      if (i >= 0) return i;
      await sleep(150);
    }
    return undefined;
  }

  private async acceptQuickRow(index: number): Promise<void> {
    // The first row is focused after filtering: Enter is safest. Others are clicked (the list may re-render).
    // Focus the box first: a picker kept open on focus loss (ignoreFocusOut) can be visible while the keyboard is
    // elsewhere (the walkthrough takes it after its button runs a command), and Enter then went to the walkthrough.
    if (index === 0) {
      await this.page.locator(QUICK_INPUT_BOX).focus({ timeout: 5_000 }).catch(() => undefined);
      await this.page.keyboard.press('Enter');
    }
    else await this.page.locator(QUICK_ROWS).nth(index).click({ timeout: 5_000 });
  }

  // ---- Editors -----------------------------------------------------------------------------------------------

  /**
   * Opens a workspace file by name or workspace-relative path (Ctrl+P, then the explorer as a fallback) and waits
   * until its tab is active.
   */
  async openFile(name: string, { timeoutMs = 45_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const base = path.basename(name);
    await retry(`openFile("${name}")`, async (attempt) => {
      if (attempt % 3 === 2) {
        await this.openFromExplorer(name);
      } else {
        await this.openQuickInput('Control+P', name);
        const dir = path.dirname(name);
        const index = await this.waitForQuickRow((label) => label === base, 4_000);
        if (index === undefined) return undefined;
        const rows = await this.quickRows();
        const exact = dir === '.' ? index : rows.findIndex((r) => r.label === base && r.description.includes(dir));
        await this.acceptQuickRow(exact >= 0 ? exact : index);
      }
      return (await this.waitForActiveTab(base, 5_000)) ? true : undefined;
    }, { timeoutMs, intervalMs: 500 });
    // A text editor paints its lines a moment after its tab activates; other editors (custom, binary) have none.
    await this.page.locator(`${EDITOR} .view-lines .view-line`).first()
      .waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  }

  private async openFromExplorer(name: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+Shift+E');
    let row: Locator | undefined;
    for (const part of name.split('/')) {
      row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${part}"]`).first();
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await row.click();
    }
  }

  /** File name shown by the active editor tab (e.g. "reviews.jsonl"), or '' when none. */
  async activeTab(): Promise<string> {
    return this.page.evaluate(() => {
      const tab = (globalThis as any).document.querySelector('.editor-group-container.active .tab.active');
      return tab ? (tab.getAttribute('data-resource-name') ?? tab.getAttribute('aria-label') ?? '').trim() : '';
    });
  }

  private async waitForActiveTab(label: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.activeTab()) === label) return true;
      await sleep(150);
    }
    return false;
  }

  /** Moves the cursor to line `line` (Ctrl+G), which also scrolls it into view. */
  async goToLine(line: number, column?: number): Promise<void> {
    await retry(`goToLine(${line}${column ? `:${column}` : ''})`, async () => {
      await this.openQuickInput('Control+G', column ? `:${line}:${column}` : `:${line}`);
      await sleep(150);
      await this.page.keyboard.press('Enter');
      await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 3_000 });
      return true;
    }, { timeoutMs: 15_000 });
  }

  /** Focuses the active editor without moving its cursor (clicks its tab). */
  async focusEditor(): Promise<void> {
    await this.page.keyboard.press('Escape');
    const tab = this.page.locator('.editor-group-container.active .tab.active');
    if (await tab.count()) await tab.click();
    else await this.page.keyboard.press('Control+1');
  }

  /**
   * Types text at the cursor of the active editor. With `{ dirties: true }` (the editor was clean), waits for the
   * tab to turn dirty and types the text again when it does not: keystrokes sent while the focus settles can be
   * lost (a rehearsal's "x" never reached line 1 and the cursor stayed at Ln 1, Col 1).
   */
  async typeInEditor(text: string, { dirties = false }: { dirties?: boolean } = {}): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.type(text);
    if (!dirties) return;
    const dirty = this.page.locator('.editor-group-container.active .tab.active.dirty');
    for (let attempt = 1; ; attempt++) {
      try {
        await dirty.waitFor({ state: 'attached', timeout: 3_000 });
        return;
      } catch {
        if (attempt === 3) throw new Error(`e2e: typing "${text}" left the active editor unchanged ${attempt} times`);
      }
      await this.focusEditor();
      await this.page.keyboard.type(text);
    }
  }

  /** Undo in the active editor (Ctrl+Z). */
  async undo(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Z');
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.editor-group-container.active .tab.active.dirty')
      .waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** Absolute path of the active editor's file (the tab label's accessible name carries it). */
  async activeEditorPath(): Promise<string> {
    const p = await this.page.evaluate(() => (globalThis as any).document
      .querySelector('.editor-group-container.active .tab.active .tab-label')?.getAttribute('aria-label') ?? '');
    if (!p.startsWith('/')) throw new Error(`e2e: the active editor is not a file on disk (tab label "${p}")`);
    return p;
  }

  /**
   * The active editor's full text. Saves it first (unless `{ save: false }`) and reads the file from disk: the
   * Monaco model is not reachable from the page, and copy/select-all through the clipboard is unreliable.
   */
  async readEditorText({ save = true }: { save?: boolean } = {}): Promise<string> {
    if (save) await this.save();
    return fs.readFileSync(await this.activeEditorPath(), 'utf8');
  }

  /** The rendered lines of the active editor: only those in view (Monaco virtualises the rest). */
  async visibleLines(): Promise<{ line: number; text: string }[]> {
    return this.page.evaluate((sel) => {
      const editor = (globalThis as any).document.querySelector(sel);
      if (!editor) return [];
      const nums = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')]
        .map((e: Dom) => ({ n: Number(e.textContent.trim()), r: e.getBoundingClientRect() }));
      return [...editor.querySelectorAll('.view-lines .view-line')].map((l: Dom) => {
        const r = l.getBoundingClientRect();
        const cy = r.top + r.height / 2;
        const num = nums.find((x: Dom) => x.r.top <= cy && cy < x.r.bottom);
        return { line: num ? num.n : -1, text: (l.textContent ?? '').replace(/\u00a0/g, ' '), top: r.top };
      }).filter((x: Dom) => x.line > 0).sort((a: Dom, b: Dom) => a.top - b.top)
        .map((x: Dom) => ({ line: x.line, text: x.text }));
    }, EDITOR);
  }

  /** Waits until a rendered line of the active editor matches `pattern` (e.g. after a command edited the file). */
  async waitForVisibleLine(pattern: RegExp | string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}):
    Promise<{ line: number; text: string }> {
    const test = (t: string): boolean => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
    return retry(`waitForVisibleLine(${pattern})`, async () => (await this.visibleLines()).find((l) => test(l.text)),
      { timeoutMs });
  }

  /**
   * Hovers line `line` of the active editor (over its first non-blank character, or at 1-based `column`) and
   * returns the hover's text. Scrolls the line into view if needed; moves the mouse away and back when no hover
   * shows within 3 s.
   */
  async hoverLine(line: number, { column, timeoutMs = 30_000 }: { column?: number; timeoutMs?: number } = {}):
    Promise<string> {
    return retry(`hoverLine(${line})`, async (attempt) => {
      await this.page.keyboard.press('Escape');
      let point = await this.linePoint(line, column);
      if (!point) {
        await this.goToLine(line);
        point = await this.linePoint(line, column);
        if (!point) return undefined;
      }
      // Approach from the left margin in steps so Monaco sees real mouse movement over the text.
      await this.page.mouse.move(point.marginX, point.y + (attempt % 2 === 0 ? 0 : 3));
      await this.page.mouse.move(point.x, point.y, { steps: 6 });
      const hover = this.page.locator(HOVER).first();
      try {
        await hover.waitFor({ state: 'visible', timeout: 3_000 });
      } catch {
        return undefined;
      }
      // Wait until the text settles (providers may fill in after "Loading...").
      let previous = '';
      for (let i = 0; i < 20; i++) {
        const text = (await hover.innerText().catch(() => '')).trim();
        if (text && text === previous && !/^Loading\.\.\.$/.test(text)) return text;
        previous = text;
        await sleep(150);
      }
      return previous || undefined;
    }, { timeoutMs, intervalMs: 200 });
  }

  private async linePoint(line: number, column?: number):
    Promise<{ x: number; y: number; marginX: number } | undefined> {
    const p = await this.page.evaluate(({ sel, line, column }) => {
      const editor = (globalThis as any).document.querySelector(sel);
      if (!editor) return null;
      const num = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')]
        .find((e: Dom) => e.textContent.trim() === String(line));
      if (!num) return null;
      const nr = num.getBoundingClientRect();
      const cy = nr.top + nr.height / 2;
      const viewLine = [...editor.querySelectorAll('.view-lines .view-line')].find((l: Dom) => {
        const r = l.getBoundingClientRect();
        return r.top <= cy && cy < r.bottom;
      });
      if (!viewLine) return null;
      const vr = viewLine.getBoundingClientRect();
      const walker = (globalThis as any).document.createTreeWalker(viewLine, 4 /* NodeFilter.SHOW_TEXT */);
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text: string = node.textContent ?? '';
        for (let i = 0; i < text.length; i++, seen++) {
          const hit = column !== undefined ? seen === column - 1 : !/[\s\u00a0]/.test(text[i]);
          if (!hit) continue;
          const range = (globalThis as any).document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: cy, marginX: nr.left + 2 };
        }
      }
      return { x: vr.left + 4, y: cy, marginX: nr.left + 2 };
    }, { sel: EDITOR, line, column });
    return p ?? undefined;
  }

  /** CodeLenses rendered in the active editor's visible area, top to bottom. */
  async readCodeLens(): Promise<CodeLensInfo[]> {
    return this.page.evaluate((sel) => {
      const editor = (globalThis as any).document.querySelector(sel);
      if (!editor) return [];
      const nums = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')]
        .map((e: Dom) => ({ n: Number(e.textContent.trim()), top: e.getBoundingClientRect().top }))
        .sort((a: Dom, b: Dom) => a.top - b.top);
      return [...editor.querySelectorAll('.codelens-decoration')].map((d: Dom) => {
        const r = d.getBoundingClientRect();
        const below = nums.find((x: Dom) => x.top >= r.bottom - 2);
        return { line: below ? below.n : null, text: (d.textContent ?? '').replace(/\u00a0/g, ' ').trim(), top: r.top };
      }).filter((x: Dom) => x.text).sort((a: Dom, b: Dom) => a.top - b.top)
        .map((x: Dom) => ({ line: x.line, text: x.text }));
    }, EDITOR);
  }

  /** Waits until at least `min` CodeLenses are rendered (they arrive after the provider resolves). */
  async waitForCodeLens(min = 1, { timeoutMs = 30_000 } = {}): Promise<CodeLensInfo[]> {
    return retry(`waitForCodeLens(${min})`, async () => {
      const lenses = await this.readCodeLens();
      return lenses.length >= min ? lenses : undefined;
    }, { timeoutMs });
  }

  /** Decorations of the active editor's visible lines (see EditorDecorations for what each list holds). */
  async gutterDecorations(): Promise<EditorDecorations> {
    return this.page.evaluate((sel) => {
      const editor = (globalThis as any).document.querySelector(sel);
      const empty = { glyphs: [], marginLines: [], overlays: [], inline: [], overviewRuler: {} };
      if (!editor) return empty;
      const nums = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')]
        .map((e: Dom) => ({ n: Number(e.textContent.trim()), r: e.getBoundingClientRect() }));
      const lineOf = (el: Dom): number | null => {
        const r = el.getBoundingClientRect();
        const cy = r.top + Math.min(r.height, 18) / 2;
        const hit = nums.find((x: Dom) => x.r.top - 1 <= cy && cy < x.r.bottom + 1);
        return hit ? hit.n : null;
      };
      const info = (el: Dom) => ({ line: lineOf(el), className: String(el.className) });
      const overviewRuler: Record<string, number> = {};
      for (const canvas of editor.querySelectorAll('canvas.decorationsOverviewRuler')) {
        try {
          const ctx = canvas.getContext('2d');
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] < 128) continue;
            const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
            overviewRuler[key] = (overviewRuler[key] ?? 0) + 1;
          }
        } catch {
          // canvas not readable (should not happen: same origin)
        }
      }
      return {
        glyphs: [...editor.querySelectorAll('.cgmr')].map(info),
        marginLines: [...editor.querySelectorAll('.margin-view-overlays .cldr')]
          .filter((e: Dom) => !/codicon-folding|folding/.test(String(e.className))).map(info),
        overlays: [...editor.querySelectorAll('.view-overlays .cdr')]
          .filter((e: Dom) => !/current-line|selected-text|cursor/.test(String(e.className))).map(info),
        inline: [...editor.querySelectorAll('.view-lines [class*="ced-"]')]
          .map((e: Dom) => ({ ...info(e), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') })),
        overviewRuler,
      };
    }, EDITOR);
  }

  // ---- Notifications, status bar, views -----------------------------------------------------------------------

  // With the smoke-test driver on (which extensionDevelopmentPath needs), VS Code never shows notification toasts:
  // every notification goes straight to the notification centre, so the helpers read (and click in) the centre.
  // VS Code closes the centre by itself when its last entry goes (a finished progress notification), so every read
  // re-opens it.

  /** Opens the notification centre (bell in the status bar) if it is not open. */
  async showNotificationCenter(): Promise<void> {
    const center = this.page.locator('.notifications-center.visible');
    if (await center.count()) return;
    await retry('showNotificationCenter', async () => {
      if (!(await center.count())) await this.page.locator('[id="status.notifications"]').first().click({ timeout: 5_000 });
      await center.waitFor({ state: 'visible', timeout: 2_000 });
      return true;
    }, { timeoutMs: 15_000 });
  }

  /** Closes the notification centre if it is open. */
  async hideNotificationCenter(): Promise<void> {
    if (await this.page.locator('.notifications-center.visible').count()) {
      await this.page.locator('[id="status.notifications"]').first().click({ timeout: 5_000 });
    }
  }

  /** All notifications (newest first), read from the notification centre; closes it again unless `keepOpen`. */
  async notificationDetails({ keepOpen = false }: { keepOpen?: boolean } = {}): Promise<Notification[]> {
    await this.showNotificationCenter();
    const list = await this.readNotificationCenter();
    if (!keepOpen) await this.hideNotificationCenter();
    return list;
  }

  private async readNotificationCenter(): Promise<Notification[]> {
    return this.page.evaluate(() => [...(globalThis as any).document.querySelectorAll(
      '.notifications-center.visible .notification-list-item, .notifications-toasts.visible .notification-list-item',
    )].map((item: Dom) => {
      const icon = String(item.querySelector('.notification-list-item-icon')?.className ?? '');
      return {
        message: (item.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
        severity: /error/.test(icon) ? 'error' : /warning/.test(icon) ? 'warning' : 'info',
        source: (item.querySelector('.notification-list-item-source')?.textContent ?? '').trim(),
        buttons: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')]
          .map((b: Dom) => (b.textContent ?? '').trim()),
      };
    }));
  }

  /** Messages of all notifications so far (newest first). */
  async notifications(): Promise<string[]> {
    return (await this.notificationDetails()).map((n) => n.message);
  }

  /** Waits for a notification whose message matches and returns it (the centre is closed again unless keepOpen). */
  async waitForNotification(pattern: RegExp | string,
    { timeoutMs = 60_000, keepOpen = false }: { timeoutMs?: number; keepOpen?: boolean } = {}): Promise<Notification> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    try {
      return await retry(`waitForNotification(${re})`, async () => {
        // Re-open every time: VS Code hides the centre by itself when it empties (e.g. a progress notification ends).
        await this.showNotificationCenter();
        return (await this.readNotificationCenter()).find((n) => re.test(n.message));
      }, { timeoutMs, intervalMs: 200 });
    } finally {
      if (!keepOpen) await this.hideNotificationCenter().catch(() => undefined);
    }
  }

  /** Clicks the button `button` of the notification whose message matches `pattern`. */
  async clickNotificationButton(pattern: RegExp | string, button: string, { timeoutMs = 30_000 } = {}):
    Promise<void> {
    await this.waitForNotification(pattern, { timeoutMs, keepOpen: true });
    // Found by the caller's pattern, not by the message just read: a progress notification's message changes
    // ("encode use-lite (1051/6920 texts) · 11%" -> "(1643/6920) · 17%") between reading it and clicking.
    const item = this.page.locator('.notifications-center .notification-list-item').filter({ hasText: pattern }).first();
    // Buttons show only on the expanded entry: click the message to expand it first when they are hidden.
    const btn = item.locator('.monaco-button', { hasText: button }).first();
    if (!(await btn.isVisible())) await item.locator('.notification-list-item-message').click();
    await btn.click({ timeout: 5_000 });
    await this.hideNotificationCenter().catch(() => undefined);
  }

  /**
   * The Problems panel's entries (opened with "View: Toggle Problems" when hidden, and left open), read from each row's
   * accessible label, e.g. "Error: density below ... at line 1 and character 1" (file rows say "... problems").
   */
  async problems({ open = true }: { open?: boolean } = {}): Promise<string[]> {
    if (open && !(await this.page.locator('.markers-panel').isVisible().catch(() => false))) {
      await this.runCommand('View: Toggle Problems');
      await this.page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
    }
    return this.page.evaluate(() => [...(globalThis as any).document.querySelectorAll('.markers-panel .monaco-list-row')]
      .map((e: Dom) => String(e.getAttribute('aria-label') ?? e.textContent ?? '').replace(/\u00a0/g, ' ').trim())
      .filter((t: string) => t));
  }

  /** Texts of the status bar items, left to right. */
  async statusBar(): Promise<string[]> {
    return this.page.evaluate(() => [...(globalThis as any).document.querySelectorAll('.part.statusbar .statusbar-item')]
      .map((e: Dom) => (e.textContent ?? '').replace(/\u00a0/g, ' ').trim()).filter((t: string) => t));
  }

  /**
   * Rows (aria-labels) of the side-bar view whose header title contains `viewTitle`, e.g. a tree view. The view must
   * be open: run its "Focus on <View> View" command first. Waits up to `timeoutMs` for at least one row, else [].
   */
  async viewRows(viewTitle: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<string[]> {
    const read = (): Promise<string[]> => this.page.evaluate((title) => {
      const pane = [...(globalThis as any).document.querySelectorAll('.pane')].find((p: Dom) =>
        (p.querySelector('.pane-header .title')?.textContent ?? '').toLowerCase().includes(title.toLowerCase()));
      if (!pane) return [];
      return [...pane.querySelectorAll('.pane-body .monaco-list-row')]
        .map((r: Dom) => (r.getAttribute('aria-label') ?? r.textContent ?? '').trim());
    }, viewTitle);
    try {
      return await retry(`viewRows("${viewTitle}")`, async () => {
        const rows = await read();
        return rows.length > 0 ? rows : undefined;
      }, { timeoutMs });
    } catch {
      return read();
    }
  }

  // ---- Webviews -------------------------------------------------------------------------------------------------

  /**
   * The content frame of the visible webview (VS Code nests it: outer iframe.webview > iframe#active-frame).
   * `index` picks among several visible webviews (e.g. split editors), in DOM order.
   */
  webviewFrame({ index = 0 }: { index?: number } = {}): FrameLocator {
    return this.page.locator('iframe.webview.ready').filter({ visible: true }).nth(index)
      .contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /** Waits for `selector` to be visible in the visible webview (webviews render 5-8 s after their command). */
  async waitForWebview(selector: string, { timeoutMs = 45_000, index = 0 } = {}): Promise<Locator> {
    const loc = this.webviewFrame({ index }).locator(selector).first();
    await loc.waitFor({ state: 'visible', timeout: timeoutMs });
    return loc;
  }

  // ---- Appearance, files, logs ----------------------------------------------------------------------------------

  /**
   * Switches the colour theme as a user does (Preferences: Color Theme, pick `name`); when no row has that label (ids
   * and labels differ for a few themes) it writes the id to user settings instead, which VS Code notices in ~5 s.
   * VS Code 1.139 built-in ids: 'Dark Modern', 'Light Modern', 'Dark 2026', 'Light 2026', 'Dark+', 'Light+',
   * 'Default High Contrast', 'Default High Contrast Light' (1.90: 'Default Dark Modern', ..., no 2026 themes; either
   * spelling works on both). Waits until the workbench colours change.
   */
  async setTheme(theme: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const name = themeId(theme, this.server.paths.build);
    const read = (): Promise<string> => this.page.evaluate(() => {
      const el = (globalThis as any).document.querySelector('.monaco-workbench');
      return el ? (globalThis as any).getComputedStyle(el).getPropertyValue('--vscode-editor-background') : '';
    });
    const before = await read();
    const changed = async (ms: number): Promise<boolean> => {
      try {
        return await retry(`setTheme("${name}")`, async () => ((await read()) !== before ? true : undefined),
          { timeoutMs: ms });
      } catch {
        return false;
      }
    };
    await this.runCommand('Preferences: Color Theme');
    // Rows show labels: 1.90's "Default Dark Modern" is labelled "Dark Modern".
    const index = await this.waitForQuickRow((label) => label === name || label === themeId(theme), 5_000);
    if (index !== undefined) await this.acceptQuickRow(index);
    else await this.page.keyboard.press('Escape');
    if (index === undefined || !(await changed(5_000))) {
      const settings = JSON.parse(fs.readFileSync(this.server.settingsPath, 'utf8')) as Record<string, unknown>;
      settings['workbench.colorTheme'] = name;
      fs.writeFileSync(this.server.settingsPath, JSON.stringify(settings, null, 2));
      if (!(await changed(timeoutMs))) {
        throw new Error(`setTheme("${name}"): the colours did not change; is "${name}" a theme of this VS Code ` +
          '(e.g. "Dark Modern", "Light Modern"), and not the theme already shown?');
      }
    }
    await sleep(300); // let the repaint finish before a screenshot
  }

  /** Saves a PNG of the window (webview content included) to test/e2e/screenshots/<session>-<name>.png. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.server.paths.screenshotDir, { recursive: true });
    const file = path.join(this.server.paths.screenshotDir, `${slug(this.name)}--${slug(name)}.png`);
    await this.page.screenshot({ path: file });
    this.screenshots.push(file);
    return file;
  }

  /** Absolute path of a file in the workspace copy. */
  workspacePath(relative: string): string {
    return path.join(this.workspaceDir, relative);
  }

  /** Reads a workspace file from disk (e.g. a result the extension wrote, or a file after save()). */
  readFile(relative: string): string {
    return fs.readFileSync(this.workspacePath(relative), 'utf8');
  }

  /** Requests that left the machine (neither loopback nor served by a webview's service worker). */
  externalRequests(): RecordedRequest[] {
    return this.network.externalRequests();
  }

  /** The extension host's log (activation errors and stack traces land here). */
  extensionHostLog(): string {
    return this.logFiles((f) => /exthost\.log$/.test(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  }

  /** Text of an output channel by its name (VS Code writes each channel to `<n>-<name>.log`). */
  outputChannel(name: string): string {
    const files = this.logFiles((f) => path.basename(f).replace(/^\d+-/, '') === `${name}.log`);
    return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  }

  private logFiles(match: (file: string) => boolean): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (match(p)) out.push(p);
      }
    };
    const logs = path.join(this.server.userDataDir, 'logs');
    if (fs.existsSync(logs)) walk(logs);
    return out;
  }

  /** Closes the browser and kills code-server's process group; safe to call twice and after failures. */
  async stop({ keepFiles = false }: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await withTimeout(this.context.close(), 15_000, 'closing Chromium');
    } catch {
      // a hung browser must not keep the server alive; Playwright kills its own child on process exit
    }
    await this.server.stop({ keepFiles: keepFiles || process.env.E2E_KEEP === '1' });
  }
}
