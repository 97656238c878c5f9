import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Which page of the bundle the panel shows: a dataset's report or a data-source selection report. */
export type WebviewPanelKind = 'report' | 'selection';

/**
 * The panel's HTML (webview-sample shape): a CSP with a per-load nonce, scripts only by that nonce, styles and
 * fonts only from the extension's media folder (`webview.cspSource`), and no 'unsafe-eval' (vega runs with its
 * AST interpreter). Resources come through `asWebviewUri` from `localResourceRoots`.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, panel: WebviewPanelKind = 'report'): string {
  const nonce = makeNonce();
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${media('report.css')}" rel="stylesheet">
<title>${escape(title)}</title>
</head>
<body>
<div id="app" data-panel="${panel}"><p>Loading the report…</p></div>
<script type="module" nonce="${nonce}" src="${media('webview.js')}"></script>
</body>
</html>`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    // State survives hiding through getState/setState and the host's copy, not retainContextWhenHidden.
    retainContextWhenHidden: false,
    enableFindWidget: true,
  };
}

function makeNonce(): string {
  return randomBytes(24).toString('base64');
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** A page that only says something (a panel that cannot be restored); scripts off. */
export function messageHtml(message: string): string {
  const text = message.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${text}</p></body></html>`;
}
