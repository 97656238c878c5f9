/**
 * Colours each W2S-train row of an analysed dataset by its category: a gutter marker (or a left border) on the
 * visible rows and sampled marks in the overview ruler, in the theme colours contributed in package.json.
 * A document that no longer matches its results gets no colours and one message saying why.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { CategoryName } from '../core/detect/types';
import type { Config } from './config';
import type { Ctx } from './ctx';
import {
  emptyCategoryRanges,
  overviewMarks,
  visibleCategoryRanges,
  visibleFlagRanges,
  type CategoryRanges,
  type LineRange,
} from './decorationRanges';
import type { ResultEntry } from './results';

const CATEGORIES: readonly CategoryName[] = ['easy', 'hard', 'overlap'];
const COLOR: Record<CategoryName, string> = { easy: 'overlapDensity.easyOnly', hard: 'overlapDensity.hardOnly', overlap: 'overlapDensity.overlap' };
const BACKGROUND: Record<CategoryName, string> = {
  easy: 'overlapDensity.easyOnlyBackground',
  hard: 'overlapDensity.hardOnlyBackground',
  overlap: 'overlapDensity.overlapBackground',
};
const ICON: Record<CategoryName, string> = { easy: 'gutter-easy', hard: 'gutter-hard', overlap: 'gutter-overlap' };

interface Types {
  rows: Record<CategoryName, vscode.TextEditorDecorationType>;
  ruler: Record<CategoryName, vscode.TextEditorDecorationType>;
  flag: vscode.TextEditorDecorationType;
}

function toRanges(lines: readonly LineRange[]): vscode.Range[] {
  return lines.map((r) => new vscode.Range(r.start, 0, r.end, 0));
}

export class Decorations implements vscode.Disposable {
  private types: Types;
  private readonly timers = new Map<vscode.TextEditor, ReturnType<typeof setTimeout>>();
  /** Whole-file ruler marks per document version and result (they do not change while scrolling). */
  private readonly rulerCache = new WeakMap<vscode.TextDocument, { key: string; marks: CategoryRanges }>();
  private readonly staleTold = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.types = this.createTypes(ctx.config);
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors((eds) => eds.forEach((e) => this.schedule(e, 0))),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.schedule(e.textEditor, 30)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        for (const ed of vscode.window.visibleTextEditors) if (ed.document === e.document) this.schedule(ed, 250);
      }),
      ctx.results.onDidChange((p) => {
        for (const ed of vscode.window.visibleTextEditors) if (ed.document.uri.fsPath === p) this.schedule(ed, 0);
      }),
      ctx.onDidChangeConfig((cfg) => {
        this.disposeTypes();
        this.types = this.createTypes(cfg);
        this.refreshAll();
      }),
    );
    this.refreshAll();
  }

  private createTypes(cfg: Config): Types {
    const d = cfg.decorations;
    const icon = (cat: CategoryName, theme: 'light' | 'dark') =>
      vscode.Uri.file(this.ctx.asAbsolutePath(`media/icons/${ICON[cat]}-${theme}.svg`));
    const rows = {} as Record<CategoryName, vscode.TextEditorDecorationType>;
    const ruler = {} as Record<CategoryName, vscode.TextEditorDecorationType>;
    for (const cat of CATEGORIES) {
      rows[cat] = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        ...(d.lineHighlight ? { backgroundColor: new vscode.ThemeColor(BACKGROUND[cat]) } : {}),
        ...(d.gutterIcons
          ? {
              light: { gutterIconPath: icon(cat, 'light'), gutterIconSize: 'contain' },
              dark: { gutterIconPath: icon(cat, 'dark'), gutterIconSize: 'contain' },
            }
          : { borderColor: new vscode.ThemeColor(COLOR[cat]), borderStyle: 'solid', borderWidth: '0 0 0 2px' }),
      });
      ruler[cat] = vscode.window.createTextEditorDecorationType({
        overviewRulerColor: new vscode.ThemeColor(COLOR[cat]),
        overviewRulerLane: vscode.OverviewRulerLane.Left,
      });
    }
    const flag = vscode.window.createTextEditorDecorationType({
      after: { contentText: ' ⚑ flagged', color: new vscode.ThemeColor('overlapDensity.flagged'), margin: '0 0 0 1em' },
      overviewRulerColor: new vscode.ThemeColor('overlapDensity.flagged'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    return { rows, ruler, flag };
  }

  private disposeTypes(): void {
    for (const cat of CATEGORIES) {
      this.types.rows[cat].dispose();
      this.types.ruler[cat].dispose();
    }
    this.types.flag.dispose();
  }

  refreshAll(): void {
    for (const ed of vscode.window.visibleTextEditors) this.schedule(ed, 0);
  }

  private schedule(editor: vscode.TextEditor, delayMs: number): void {
    const t = this.timers.get(editor);
    if (t) clearTimeout(t);
    this.timers.set(
      editor,
      setTimeout(() => {
        this.timers.delete(editor);
        void this.update(editor).catch((e) => this.ctx.output.error(`decorations: ${e instanceof Error ? e.message : String(e)}`));
      }, delayMs),
    );
  }

  private clear(editor: vscode.TextEditor): void {
    for (const cat of CATEGORIES) {
      editor.setDecorations(this.types.rows[cat], []);
      editor.setDecorations(this.types.ruler[cat], []);
    }
    editor.setDecorations(this.types.flag, []);
  }

  private async update(editor: vscode.TextEditor): Promise<void> {
    const doc = editor.document;
    const cfg = this.ctx.config.decorations;
    if (doc.uri.scheme !== 'file') return;
    const entry = this.ctx.results.peek(doc.uri.fsPath) ?? (await this.ctx.results.get(doc.uri.fsPath));
    if (!entry || !cfg.enabled) {
      this.clear(editor);
      return;
    }
    const fresh = await this.ctx.results.freshness(doc, entry);
    if (fresh === 'stale') {
      this.clear(editor);
      this.tellStale(doc, entry);
      return;
    }
    this.apply(editor, entry, new Set(cfg.categories), cfg.overviewRuler);
  }

  private apply(editor: vscode.TextEditor, entry: ResultEntry, categories: Set<CategoryName>, ruler: boolean): void {
    const doc = editor.document;
    const visible = editor.visibleRanges.map((r) => ({ start: r.start.line, end: r.end.line }));
    const rows = visibleCategoryRanges(entry.index, entry.result.rows, visible, doc.lineCount, categories);
    for (const cat of CATEGORIES) editor.setDecorations(this.types.rows[cat], toRanges(rows[cat]));
    let marks = emptyCategoryRanges();
    if (ruler) {
      const key = `${doc.version}|${entry.result.createdAt}|${entry.moved ? `${entry.moved.t1},${entry.moved.t2}` : ''}|${[...categories].join()}`;
      const cached = this.rulerCache.get(doc);
      if (cached && cached.key === key) marks = cached.marks;
      else {
        marks = overviewMarks(entry.index, entry.result.rows, doc.lineCount, categories);
        this.rulerCache.set(doc, { key, marks });
      }
    }
    for (const cat of CATEGORIES) editor.setDecorations(this.types.ruler[cat], toRanges(marks[cat]));
    // The flag text goes after the end of the row's first line.
    const flags = visibleFlagRanges(entry.index, entry.result.rows, entry.flagged, visible, doc.lineCount);
    editor.setDecorations(this.types.flag, flags.map((r) => doc.lineAt(r.start).range));
  }

  /** Once per document and analysis: why the colours went away, and the way back. */
  private tellStale(doc: vscode.TextDocument, entry: ResultEntry): void {
    const key = `${doc.uri.toString()}|${entry.result.createdAt}`;
    if (this.staleTold.has(key)) return;
    this.staleTold.add(key);
    const name = doc.uri.path.split('/').pop();
    void notify
      .showWarningMessage(
        `${name} changed since it was analysed, so its overlap highlights and hovers are hidden (they would colour the wrong rows). Undo the changes or analyse it again.`,
        'Analyze Again',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('overlapDensity.analyze', doc.uri);
      });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.disposeTypes();
  }
}
