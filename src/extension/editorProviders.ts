/**
 * The hover on a row and the summary CodeLens on line 1 of an analysed dataset. Both read the results store;
 * the words come from the pure builders in hoverText.ts and summaryText.ts.
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { buildHoverMarkdown, REVEAL_ROW_COMMAND, revealRowUri, rowPreviewText, type NearestHardPreview } from './hoverText';
import type { ResultEntry } from './results';
import { rowAtLine, rowsInLines } from './rowIndex';
import { lensTitle, resultTooltip, STALE_LENS_TITLE } from './summaryText';

export { REVEAL_ROW_COMMAND };

/** Shows a 1-based line of a file in an editor (the report panel's "reveal" and the hover link both end here). */
export async function revealLine(uri: vscode.Uri, line: number): Promise<void> {
  const l = Math.max(0, Math.floor(line) - 1);
  const range = new vscode.Range(l, 0, l, 0);
  const editor = await vscode.window.showTextDocument(uri, { selection: range, preserveFocus: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export class RowHoverProvider implements vscode.HoverProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.ctx.config.hover || doc.uri.scheme !== 'file') return undefined;
    const entry = this.ctx.results.peek(doc.uri.fsPath) ?? (await this.ctx.results.get(doc.uri.fsPath));
    if (!entry) return undefined;
    const k = rowAtLine(entry.index, pos.line + 1, doc.lineCount);
    if (k < 0) return undefined;
    if ((await this.ctx.results.freshness(doc, entry)) === 'stale') {
      const md = new vscode.MarkdownString(
        '**Overlap Density** · this file changed since it was analysed, so row scores are not shown (they may belong to other rows). Analyse it again to update them.',
      );
      return new vscode.Hover(md);
    }
    const row = entry.result.rows[k]!;
    const md = new vscode.MarkdownString(
      buildHoverMarkdown({
        row,
        result: entry.result,
        flagged: entry.flagged.has(row.index),
        moved: entry.moved !== undefined,
        nearest: nearestPreview(doc, entry, row.nearestHard),
      }),
      true,
    );
    // Trusted for this one command only (no other command: link, no HTML); the data in it is escaped (hoverText.ts).
    md.isTrusted = { enabledCommands: [REVEAL_ROW_COMMAND] };
    md.supportHtml = false;
    const span = doc.lineAt(pos.line).range;
    return new vscode.Hover(md, span);
  }
}

/** Lines of a multi-line row (pretty-printed JSON) that go into the preview. */
const PREVIEW_LINES = 6;

function nearestPreview(doc: vscode.TextDocument, entry: ResultEntry, nearest: number | null | undefined): NearestHardPreview | undefined {
  if (nearest === null || nearest === undefined) return undefined;
  const k = entry.index.byDatasetIndex.get(nearest);
  const line = k === undefined ? undefined : entry.result.rows[k]!.line;
  if (line === undefined || line > doc.lineCount) return undefined;
  const span = rowsInLines(entry.index, line, line, doc.lineCount).find((s) => s.start === line);
  const last = Math.min(span?.end ?? line, line + PREVIEW_LINES - 1, doc.lineCount);
  const lines: string[] = [];
  for (let l = line; l <= last; l++) lines.push(doc.lineAt(l - 1).text);
  return { line, text: rowPreviewText(lines.join(' '), entry.result.dataset.read?.textFields), revealUri: revealRowUri(entry.datasetPath, nearest) };
}

class SummaryLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly datasetPath: string,
    readonly kind: 'summary' | 'report' | 'stale',
  ) {
    super(range);
  }
}

/** Lenses are created with a range only; their titles are filled in by resolveCodeLens (cheap for large files). */
export class SummaryCodeLensProvider implements vscode.CodeLensProvider<SummaryLens> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly ctx: Ctx) {
    ctx.push(
      this.emitter,
      ctx.results.onDidChange(() => this.emitter.fire()),
      // VS Code does not always ask again after an edit on the lens's own line: say so when freshness flips.
      ctx.results.onDidChangeFreshness(() => this.emitter.fire()),
      ctx.onDidChangeConfig(() => this.emitter.fire()),
    );
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<SummaryLens[]> {
    if (!this.ctx.config.codeLens || doc.uri.scheme !== 'file') return [];
    const entry = await this.ctx.results.get(doc.uri.fsPath);
    if (!entry) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    if ((await this.ctx.results.freshness(doc, entry)) === 'stale') {
      return [new SummaryLens(range, doc.uri.fsPath, 'stale')];
    }
    return [new SummaryLens(range, doc.uri.fsPath, 'summary'), new SummaryLens(range, doc.uri.fsPath, 'report')];
  }

  resolveCodeLens(lens: SummaryLens): SummaryLens {
    const entry = this.ctx.results.peek(lens.datasetPath);
    const uri = vscode.Uri.file(lens.datasetPath);
    if (!entry || lens.kind === 'stale') {
      lens.command = { title: `${STALE_LENS_TITLE} · Analyze again`, command: 'overlapDensity.analyze', arguments: [uri] };
    } else if (lens.kind === 'summary') {
      lens.command = { title: lensTitle(entry.result, entry.moved !== undefined), tooltip: resultTooltip(entry.result), command: 'overlapDensity.showReport', arguments: [uri] };
    } else {
      lens.command = { title: 'Open report', command: 'overlapDensity.showReport', arguments: [uri] };
    }
    return lens;
  }
}
