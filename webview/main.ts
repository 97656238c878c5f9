/**
 * Entry of the report pages (bundled to media/webview.js). In a VS Code webview it talks to the panel host (the
 * panel kind is in #app's data-panel: the dataset report or the selection report); in a self-contained HTML report
 * it reads the result embedded in the page (its `kind` says which page).
 */
import type { AnalysisResult } from '../src/core/result/schema';
import type { SelectionResult } from '../src/core/select/schema';
import { inVsCode, standaloneHost, standaloneSelectionHost, vscodeHost, type ReportHost, type SelectionHost } from './host';
import { ReportApp } from './report';
import { SelectionApp } from './selection';

function embedded<T>(id: string): T | null {
  const el = document.getElementById(id);
  return el?.textContent ? (JSON.parse(el.textContent) as T) : null;
}

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) throw new Error('report: #app is missing');
  let app: ReportApp | SelectionApp;
  if (inVsCode()) {
    app = root.dataset.panel === 'selection' ? new SelectionApp(vscodeHost() as SelectionHost, root) : new ReportApp(vscodeHost() as ReportHost, root);
  } else {
    const result = embedded<AnalysisResult | SelectionResult>('result-data');
    if (!result) throw new Error('report: no embedded result (#result-data)');
    app = (result as { kind?: string }).kind === 'selection'
      ? new SelectionApp(standaloneSelectionHost(result as SelectionResult), root)
      : new ReportApp(standaloneHost(result as AnalysisResult, embedded<(string | null)[]>('texts-data')), root);
  }
  (window as unknown as { overlapReport?: ReportApp | SelectionApp }).overlapReport = app;
  window.addEventListener('error', (e) => app.showError(e.message));
  window.addEventListener('unhandledrejection', (e) => app.showError(String((e.reason as Error)?.message ?? e.reason)));
  await app.start();
}

main().catch((e) => {
  const root = document.getElementById('app') ?? document.body;
  const div = document.createElement('div');
  div.className = 'error';
  div.textContent = `The report could not start: ${(e as Error).message}`;
  root.replaceChildren(div);
});
