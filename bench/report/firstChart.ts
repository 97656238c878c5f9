/**
 * Report bench: how long from the command to the first chart, at 10k and 100k dataset rows.
 *   - VS Code: code-server + Chromium (the e2e harness), "Overlap Density: Show Report" typed in the palette until
 *     the regime plot has rendered in the webview (includes palette, results loading, host init, page start).
 *   - Reference in the same run: the same page as a self-contained HTML report in the same Chromium, no host
 *     (page start to first chart), and the host's init message built in Node.
 *   - Drag cost: one threshold step at 100k rows (partition + counts + table page + histogram recolour).
 *   - Wire size: typed columns vs the rows as JSON (what the protocol avoids).
 * Usage: node bench/run.js report-first-chart [--sizes 10000,100000] [--no-vscode]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { renderHtmlReport } from '../../src/core/report/html';
import { toReportInit } from '../../src/protocol/columns';
import { startVSCode } from '../../test/e2e/harness';
import { buildResult, datasetJsonl, rowText } from '../../test/unit/report/build';
import { machineLine, table } from '../common';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (arg('--sizes') ?? '10000,100000').split(',').map(Number);
const withVsCode = !args.includes('--no-vscode');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (v: number) => v.toFixed(0);

interface Row {
  rows: number;
  hostInitMs: number;
  wireMB: number;
  jsonMB: number;
  pageFirstChartMs: number;
  pageAllChartsMs: number;
  dragStepMs: number;
  vscodeFirstChartS: number | null;
}

async function main(): Promise<void> {
  console.log(machineLine());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-bench-report-'));
  const results = new Map<number, ReturnType<typeof buildResult>>();
  for (const n of sizes) {
    const name = `rows${n}.jsonl`;
    const r = buildResult({ w2s: Math.round(n / 2), groundTruth: true, datasetPath: path.join(dir, name), seed: n });
    fs.writeFileSync(path.join(dir, name), datasetJsonl(r));
    fs.mkdirSync(path.join(dir, '.overlap'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.overlap', `${name}.result.json`), JSON.stringify(r));
    results.set(n, r);
  }

  const out: Row[] = [];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  for (const n of sizes) {
    const r = results.get(n)!;
    const t0 = performance.now();
    const init = toReportInit(r, 'x');
    const hostInitMs = performance.now() - t0;
    const c = init.columns;
    const wire = [c.index, c.line, c.label, c.pseudoLabel, c.confidence, c.alignment, c.category, c.trueCategory!, c.nearestHard, init.map!.x, init.map!.y, init.map!.k].reduce((s, a) => s + a.byteLength, 0);
    const json = Buffer.byteLength(JSON.stringify(r.rows)) + Buffer.byteLength(JSON.stringify(r.map));

    const file = path.join(dir, `rows${n}.report.html`);
    fs.writeFileSync(file, renderHtmlReport(r, { texts: r.rows.map((x) => rowText(x.index)) }));
    const firsts: number[] = [];
    const alls: number[] = [];
    let dragStepMs = 0;
    for (let rep = 0; rep < 3; rep++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const start = Date.now();
      await page.goto(`file://${file}`, { waitUntil: 'commit' });
      await page.waitForSelector('#chart-regime[data-rendered="true"] svg', { timeout: 120_000 });
      firsts.push(Date.now() - start);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      alls.push(Date.now() - start);
      if (rep === 0) {
        // One drag step: set the t1 signal as a drag does and wait until the counts show the new partition.
        dragStepMs = (await page.evaluate(`(async () => {
          const app = window.overlapReport;
          const view = app.charts.get('confidence').view;
          const times = [];
          for (let i = 0; i < 9; i++) {
            const t = performance.now();
            const before = document.querySelector('[data-field="count-hard"]').textContent;
            await view.signal('t1', 0.35 + i * 0.03).runAsync();
            while (document.querySelector('[data-field="count-hard"]').textContent === before) await new Promise((r) => requestAnimationFrame(r));
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          return times[4];
        })()`)) as number;
      }
      await page.close();
    }
    out.push({ rows: n, hostInitMs, wireMB: wire / 2 ** 20, jsonMB: json / 2 ** 20, pageFirstChartMs: median(firsts), pageAllChartsMs: median(alls), dragStepMs, vscodeFirstChartS: null });
  }
  await browser.close();

  if (withVsCode) {
    const h = await startVSCode({ name: 'bench-report', workspace: dir, theme: 'Dark Modern' });
    try {
      for (const row of out) {
        await h.openFile(`rows${row.rows}.jsonl`, { timeoutMs: 120_000 });
        const t0 = Date.now();
        await h.runCommand('Overlap Density: Show Report', { timeoutMs: 120_000 });
        await h.page.locator('iframe.webview.ready').filter({ visible: true }).last()
          .contentFrame().locator('iframe#active-frame').contentFrame()
          .locator(`#chart-regime[data-rendered="true"] svg`).first().waitFor({ timeout: 180_000 });
        row.vscodeFirstChartS = (Date.now() - t0) / 1000;
        await h.screenshot(`rows${row.rows}`);
        await h.page.keyboard.press('Escape');
      }
    } finally {
      await h.stop();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(table(
    ['dataset rows', 'VS Code: command -> first chart (s)', 'ref: HTML page -> first chart (ms)', 'page -> all charts (ms)', 'host init (ms)', 'wire typed (MB)', 'rows as JSON (MB)', 'drag step (ms)'],
    out.map((r) => [String(r.rows), r.vscodeFirstChartS === null ? 'skipped' : r.vscodeFirstChartS.toFixed(1), ms(r.pageFirstChartMs), ms(r.pageAllChartsMs), ms(r.hostInitMs), r.wireMB.toFixed(2), r.jsonMB.toFixed(2), r.dragStepMs.toFixed(1)]),
  ));
  const big = out[out.length - 1];
  console.log(`verdict: at ${big.rows} rows the first chart shows ${big.vscodeFirstChartS === null ? 'in' : `${big.vscodeFirstChartS.toFixed(1)} s after the command in VS Code and`} ${ms(big.pageFirstChartMs)} ms after the page starts; a threshold step costs ${big.dragStepMs.toFixed(1)} ms (a frame is 16.7 ms); the typed columns are ${(big.jsonMB / big.wireMB).toFixed(1)}x smaller than the rows as JSON.`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
