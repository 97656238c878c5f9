/**
 * Entry of the report page (bundled to media/webview.js). In a VS Code webview it talks to the panel host;
 * in the self-contained HTML report it reads the result embedded in the page.
 */
import type { AnalysisResult } from '../src/core/report/schema';
import { inVsCode, standaloneHost, vscodeHost } from './host';
import { ReportApp } from './report';

function embedded<T>(id: string): T | null {
  const el = document.getElementById(id);
  return el?.textContent ? (JSON.parse(el.textContent) as T) : null;
}

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) throw new Error('report: #app is missing');
  let host;
  if (inVsCode()) {
    host = vscodeHost();
  } else {
    const result = embedded<AnalysisResult>('result-data');
    if (!result) throw new Error('report: no embedded result (#result-data)');
    host = standaloneHost(result, embedded<(string | null)[]>('texts-data'));
  }
  const app = new ReportApp(host, root);
  (window as unknown as { overlapReport?: ReportApp }).overlapReport = app;
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
