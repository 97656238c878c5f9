import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../pipeline/results';

/** Asks where to save (proposing `defaultPath`) and writes atomically; null when the user cancels. */
export async function saveWithDialog(defaultPath: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<string | null> {
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(defaultPath), filters, title: `Save ${path.basename(defaultPath)}` });
  if (!target) return null;
  if (target.scheme === 'file') await writeFileAtomic(target.fsPath, bytes);
  else await vscode.workspace.fs.writeFile(target, bytes);
  return target.scheme === 'file' ? target.fsPath : target.toString();
}
