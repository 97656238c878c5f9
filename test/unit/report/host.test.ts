/**
 * The panel host's pure parts: the webview HTML and its CSP, the dataset path of a results file, and the row
 * texts served per page from the real dataset readers. `vscode` is replaced by the few members these use.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => {
  const Uri = {
    joinPath: (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join('/'), toString() { return this.path; } }),
    file: (p: string) => ({ path: p, fsPath: p, scheme: 'file', toString() { return `file://${p}`; } }),
  };
  return { Uri, ViewColumn: { Beside: -2 }, window: {}, workspace: {} };
});

import { datasetFileOf } from '../../../src/extension/report/panel';
import { RowTexts } from '../../../src/extension/report/rowTexts';
import { webviewHtml, webviewOptions } from '../../../src/extension/report/webviewHtml';
import { buildResult, datasetJsonl, rowText } from './build';

const fakeWebview = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  asWebviewUri: (u: { path: string }) => `https://file+.vscode-resource.vscode-cdn.net${u.path}`,
};

describe('webview HTML', () => {
  it('has a strict CSP: nonce scripts, styles and fonts from cspSource, no eval, no inline styles', () => {
    const html = webviewHtml(fakeWebview as never, { path: '/ext' } as never, 'Overlap: <reviews>.jsonl');
    const csp = /content="([^"]+)"/.exec(html)![1];
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      'img-src https://file+.vscode-resource.vscode-cdn.net data: blob:',
      'style-src https://file+.vscode-resource.vscode-cdn.net',
      'font-src https://file+.vscode-resource.vscode-cdn.net',
      `script-src 'nonce-${nonce}'`,
    ]);
    expect(nonce.length).toBeGreaterThanOrEqual(32);
    expect(html).toContain(`<script type="module" nonce="${nonce}" src="https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.js">`);
    expect(html).toContain('href="https://file+.vscode-resource.vscode-cdn.net/ext/media/report.css"');
    expect(html).toContain('<title>Overlap: &lt;reviews&gt;.jsonl</title>');
    expect(html).not.toMatch(/style=|<style|unsafe-/);
    // A fresh nonce per load.
    expect(webviewHtml(fakeWebview as never, { path: '/ext' } as never, 't')).not.toContain(nonce);
  });

  it('names the page of the bundle to start: the dataset report, or the selection report under the same CSP', () => {
    const report = webviewHtml(fakeWebview as never, { path: '/ext' } as never, 'r');
    const selection = webviewHtml(fakeWebview as never, { path: '/ext' } as never, 's', 'selection');
    expect(report).toContain('<div id="app" data-panel="report">');
    expect(selection).toContain('<div id="app" data-panel="selection">');
    const csp = (html: string) => /content="([^"]+)"/.exec(html)![1].replace(/'nonce-[^']+'/, 'NONCE');
    expect(csp(selection)).toBe(csp(report));
  });

  it('loads resources only from media/ and does not keep hidden pages alive', () => {
    const o = webviewOptions({ path: '/ext' } as never);
    expect(o.enableScripts).toBe(true);
    expect(o.retainContextWhenHidden).toBe(false);
    expect(o.localResourceRoots!.map((u) => u.path)).toEqual(['/ext/media']);
  });
});

function workspaceWith(result: ReturnType<typeof buildResult>): { dir: string; dataset: string; resultPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-host-'));
  const dataset = path.join(dir, 'reviews.jsonl');
  fs.writeFileSync(dataset, datasetJsonl(result));
  fs.mkdirSync(path.join(dir, '.overlap'));
  const resultPath = path.join(dir, '.overlap', 'reviews.jsonl.result.json');
  fs.writeFileSync(resultPath, JSON.stringify(result));
  return { dir, dataset, resultPath };
}

describe('dataset of a results file', () => {
  it('prefers the file beside .overlap/ (a moved folder still works), else the recorded path', () => {
    const r = buildResult({ w2s: 10, datasetPath: '/somewhere/else/reviews.jsonl' });
    const { dataset, resultPath } = workspaceWith(r);
    expect(datasetFileOf(r, resultPath)).toBe(dataset);
    expect(datasetFileOf(r, '/tmp/out/custom.json')).toBe('/somewhere/else/reviews.jsonl');
    fs.rmSync(dataset);
    expect(datasetFileOf(r, resultPath)).toBe('/somewhere/else/reviews.jsonl');
  });
});

describe('RowTexts', () => {
  it('serves a page of snippets, searches case-insensitively and knows each row line', async () => {
    const r = buildResult({ w2s: 40 });
    const { dataset } = workspaceWith(r);
    const texts = new RowTexts(dataset, 'jsonl');
    expect(await texts.get([0, 5, 79], 1000)).toEqual([rowText(0), rowText(5), rowText(79)]);
    expect(await texts.get([3], 6)).toEqual([rowText(3).slice(0, 6) + '…']);
    expect(await texts.get([100000], 10)).toEqual([null]);
    const hits = await texts.search('BRILLIANT SCORE');
    const expected = r.rows.map((x) => x.index).filter((i) => rowText(i).includes('brilliant score'));
    expect(Array.from(hits)).toEqual(expected);
    expect(await texts.line(7)).toBe(8);
  });

  it('reads the dataset once, and again after a failure', async () => {
    const r = buildResult({ w2s: 10 });
    const { dataset } = workspaceWith(r);
    let reads = 0;
    let fail = true;
    const { readDataset } = await import('../../../src/core/data');
    const texts = new RowTexts(dataset, 'jsonl', async (p, o) => {
      reads++;
      if (fail) throw new Error('reviews.jsonl:3: bad JSON');
      return readDataset(p, o);
    });
    await expect(texts.get([0], 10)).rejects.toThrow('reviews.jsonl:3: bad JSON');
    fail = false;
    await texts.get([0], 10);
    await texts.search('row');
    expect(reads).toBe(2);
  });
});
