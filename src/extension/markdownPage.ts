/**
 * Read-only Markdown pages (the curation side-by-side, a comparison of two results): a virtual document under the
 * `overlap-density-page:` scheme shown in the Markdown preview. Unlike an untitled document it is never "dirty", so
 * closing it asks nothing, and the user cannot edit the numbers by mistake. Pages are kept in memory, the newest
 * MAX_PAGES only.
 */
import * as vscode from 'vscode';

export const PAGE_SCHEME = 'overlap-density-page';
const MAX_PAGES = 20;

class Pages implements vscode.TextDocumentContentProvider {
  private readonly pages = new Map<string, string>();
  private next = 1;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pages.get(uri.toString()) ?? '# This page is gone\n\nIt was kept in memory only; run the command again.';
  }

  add(name: string, content: string): vscode.Uri {
    const safe = name.replace(/[^\w.+-]+/g, '-').slice(0, 80) || 'page';
    const uri = vscode.Uri.from({ scheme: PAGE_SCHEME, path: `/${this.next++}/${safe}.md` });
    this.pages.set(uri.toString(), content);
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
    return uri;
  }
}

const pages = new Pages();

export function registerMarkdownPages(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(PAGE_SCHEME, pages);
}

/** Shows `content` (Markdown whose data is already escaped) as a read-only preview titled by `name`. */
export async function showMarkdownPage(name: string, content: string): Promise<void> {
  const uri = pages.add(name, content);
  await vscode.commands.executeCommand('markdown.showPreview', uri);
}
