// The report panel in a real VS Code: open it from the palette, read the summary, see the regime plot, drag t1
// and watch the overlap count change, click a table row and land on that line, export SVG and HTML (and open the
// HTML offline), switch to the light theme (charts re-theme), reload the window (the panel comes back through its
// serializer with the moved threshold). Screenshots: test/e2e/screenshots/report-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportWorkspace, waitForEditorAtLine } from './reportHelpers';
import { acceptSaveDialog, retry, sleep, type Journey, type VSCode } from './harness';

/** 600 rows (300 W2S-train) with a consistent result beside them, ground truth and a 2-D map: every chart shows. */
const ws = reportWorkspace(300, 'od-e2e-report-');

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

async function field(h: VSCode, name: string): Promise<string> {
  return ((await h.webviewFrame().locator(`#summary [data-field="${name}"]`).first().textContent()) ?? '').trim();
}

const count = async (h: VSCode, name: string) => Number((await field(h, name)).replace(/,/g, ''));

async function chartBackground(h: VSCode): Promise<string> {
  return h.webviewFrame().locator('#chart-regime svg').first().evaluate((e) => (globalThis as any).getComputedStyle(e).backgroundColor);
}

export const journeys: Journey[] = [
  {
    name: 'report: summary, regime plot, drag t1, reveal a row, exports, themes, restore after reload',
    start: { workspace: ws.dir, theme: 'Dark Modern' },
    timeoutMs: 300_000,
    async run(h) {
      const r = ws.result;
      await h.openFile('reviews.jsonl');
      const t0 = Date.now();
      await h.runCommand('Overlap Density: Show Report');
      await h.waitForWebview('#chart-regime[data-rendered="true"] svg', { timeoutMs: 60_000 });
      console.log(`    report: first chart ${((Date.now() - t0) / 1000).toFixed(1)} s after the command`);

      // The summary says what the result says.
      assert.equal(await field(h, 'density'), pct(r.detection.overlapDensity));
      assert.equal(await count(h, 'count-overlap'), r.detection.counts.overlap);
      assert.equal(await count(h, 'count-hard'), r.detection.counts.hard);
      assert.equal(await count(h, 'count-easy'), r.detection.counts.easy);
      assert.equal(await field(h, 'acc-weak'), r.accuracy.weak.toFixed(3));
      assert.equal(await field(h, 'acc-w2s'), r.accuracy.w2s.toFixed(3));
      assert.equal(await field(h, 'acc-strong'), r.accuracy.strong.toFixed(3));
      assert.equal(await field(h, 'pgr'), r.pgr!.toFixed(3));
      assert.equal(await field(h, 'regime'), 'medium regime');
      assert.equal(await field(h, 'device'), 'cpu');
      // The regime plot drew its 11 mixing points; the other charts rendered too.
      const frame = h.webviewFrame();
      assert.equal(await frame.locator('#chart-regime svg g.mark-symbol.role-mark path').count(), 11);
      for (const id of ['confidence', 'alignment', 'map', 'confusion']) {
        await frame.locator(`#chart-${id}[data-rendered="true"] :is(svg, canvas)`).first().waitFor({ timeout: 30_000 });
      }
      await h.screenshot('report-dark');

      // Drag t1 to the right: more rows are hard-only, fewer are overlap, live in the page.
      const hardBefore = await count(h, 'count-hard');
      const rule = frame.locator('#chart-confidence svg .mark-rule.role-mark line').last();
      await rule.scrollIntoViewIfNeeded();
      const box = (await rule.boundingBox())!;
      const y = box.y + box.height / 2;
      await h.page.mouse.move(box.x + 1, y);
      await h.page.mouse.down();
      for (let i = 1; i <= 12; i++) await h.page.mouse.move(box.x + 1 + i * 12, y);
      await h.page.mouse.up();
      await retry('hard-only count to grow', async () => ((await count(h, 'count-hard')) > hardBefore ? true : undefined), { timeoutMs: 10_000 });
      const movedT1 = await field(h, 't1');
      assert.ok(Number(movedT1) > r.detection.confidenceThreshold, `t1 moved right (now ${movedT1})`);
      assert.notEqual(await count(h, 'count-overlap'), r.detection.counts.overlap);
      const overlapNow = await count(h, 'count-overlap');
      await h.screenshot('report-dark-after-drag');
      // The 2-D map follows at once: its points per category are the live counts (all 300 rows are drawn).
      const mapCounts = async () => JSON.parse((await frame.locator('#chart-map').getAttribute('data-categories')) ?? '{}') as Record<string, number>;
      await retry('map to show the moved thresholds', async () => ((await mapCounts()).overlap === overlapNow ? true : undefined), { timeoutMs: 15_000 })
        .catch(async (e: Error) => { throw new Error(`${e.message}: map ${JSON.stringify(await mapCounts())}, live overlap ${overlapNow}`); });
      assert.equal((await mapCounts()).hard, await count(h, 'count-hard'));

      // Click a table row: the dataset opens on that row's line.
      const row = frame.locator('vscode-table-row.sample').nth(7);
      await row.scrollIntoViewIfNeeded();
      const line = Number(await row.getAttribute('data-line'));
      assert.ok(line > 1);
      // On the row's text, as a reader clicks (the row's middle can fall on a column-resize sash of the table).
      await row.locator('vscode-table-cell.text').click({ position: { x: 12, y: 8 } });
      await waitForEditorAtLine(h, 'reviews.jsonl', line);
      await h.screenshot('report-row-revealed');
      // Click a point of the 2-D map (the canvas pixel of its most isolated point, so no neighbour lies on top): the
      // dataset opens on that point's row, as for a table row.
      const point = await frame.locator('#chart-map').evaluate((el) => {
        type Item = { x?: number; y?: number; datum?: { row?: number }; items?: Mark[] };
        type Mark = { marktype: string; items: Item[] };
        type View = { scenegraph(): { root: Mark }; origin(): [number, number]; padding(): { left: number; top: number } };
        const view = (el as unknown as { odMapView: View }).odMapView;
        const pts: { x: number; y: number; row: number }[] = [];
        const walk = (mark: Mark, ox: number, oy: number): void => {
          for (const it of mark.items) {
            if (mark.marktype === 'symbol' && typeof it.datum?.row === 'number') pts.push({ x: ox + (it.x ?? 0), y: oy + (it.y ?? 0), row: it.datum.row });
            else for (const m of it.items ?? []) walk(m, ox + (it.x ?? 0), oy + (it.y ?? 0));
          }
        };
        // The scene's offset on the canvas is the view's padding plus its origin (vega's own event handler uses both).
        const [ox, oy] = view.origin();
        walk(view.scenegraph().root, ox + view.padding().left, oy + view.padding().top);
        let best = { x: 0, y: 0, row: -1, gap: -1 };
        for (const p of pts) {
          let gap = Infinity;
          for (const q of pts) if (q !== p) gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
          if (gap > best.gap) best = { ...p, gap };
        }
        return best;
      });
      assert.ok(point.row > 0 && point.gap >= 4, `an isolated map point: ${JSON.stringify(point)}`);
      const canvas = frame.locator('#chart-map canvas');
      await canvas.scrollIntoViewIfNeeded();
      await canvas.click({ position: { x: point.x, y: point.y } });
      await waitForEditorAtLine(h, 'reviews.jsonl', point.row); // JSONL: row r (1-based) is line r
      await h.screenshot('report-map-point-revealed');

      // The host heard the released thresholds: the editor's CodeLens (on line 1, so scroll there first: the
      // revealed row can be anywhere in the file) counts the new overlap rows.
      await h.goToLine(1);
      await retry('CodeLens to follow the thresholds', async () =>
        ((await h.readCodeLens()).some((l) => l.text.includes(`${overlapNow} overlap`)) ? true : undefined), { timeoutMs: 15_000 })
        .catch(async (e: Error) => { throw new Error(`${e.message}: lenses ${JSON.stringify(await h.readCodeLens())}, live overlap ${overlapNow}`); });

      // Export the regime plot as SVG and the whole report as HTML through the save dialog.
      await frame.locator('vscode-button.export[data-chart="regime"][data-format="svg"]').click();
      await acceptSaveDialog(h, 'reviews.jsonl.regime.svg');
      const svgPath = h.workspacePath(path.join('.overlap', 'reviews.jsonl.regime.svg'));
      await retry('SVG file', async () => (fs.existsSync(svgPath) ? true : undefined), { timeoutMs: 10_000 });
      assert.match(fs.readFileSync(svgPath, 'utf8'), /^<svg [^>]*>[\s\S]*W2S test accuracy vs overlap proportion/);

      await frame.locator('#export-html').click();
      await acceptSaveDialog(h, 'reviews.jsonl.report.html');
      const htmlPath = h.workspacePath(path.join('.overlap', 'reviews.jsonl.report.html'));
      await retry('HTML file', async () => (fs.existsSync(htmlPath) && fs.statSync(htmlPath).size > 100_000 ? true : undefined), { timeoutMs: 15_000 });
      // It opens offline: a fresh tab on the file renders the regime plot with the same numbers.
      const tab = await h.page.context().newPage();
      await tab.goto(`file://${htmlPath}`);
      await tab.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      await tab.waitForSelector('#chart-regime[data-rendered="true"] svg');
      assert.equal((await tab.locator('#summary [data-field="density"]').textContent())?.trim(), pct(r.detection.overlapDensity));
      assert.ok((await tab.locator('vscode-table-row.sample .text').first().textContent())?.startsWith('row '), 'row texts embedded');
      await tab.close();

      // Light theme: the charts re-theme with the workbench.
      await frame.locator('#chart-regime').scrollIntoViewIfNeeded();
      const darkBackground = await chartBackground(h);
      await h.setTheme('Light Modern');
      await retry('charts to re-theme', async () => ((await chartBackground(h)) !== darkBackground ? true : undefined), { timeoutMs: 15_000 });
      await sleep(500);
      await h.screenshot('report-light');

      // Reload the window: the serializer restores the panel, and the page its moved threshold.
      await h.reload();
      await h.waitForWebview('#chart-regime[data-rendered="true"] svg', { timeoutMs: 60_000 });
      await retry('restored t1', async () => ((await field(h, 't1')) === movedT1 ? true : undefined), { timeoutMs: 15_000 });
      await h.screenshot('report-light-restored');
      // Reset t1 to its change point: the map shows the detected partition straight away, not the moved one.
      const frame2 = h.webviewFrame();
      await frame2.locator('#reset-t1').click();
      const mapNow = async () => JSON.parse((await frame2.locator('#chart-map').getAttribute('data-categories')) ?? '{}') as Record<string, number>;
      await retry('map after reset', async () => ((await mapNow()).overlap === r.detection.counts.overlap ? true : undefined), { timeoutMs: 15_000 })
        .catch(async (e: Error) => { throw new Error(`${e.message}: map ${JSON.stringify(await mapNow())}, detected ${JSON.stringify(r.detection.counts)}`); });
      assert.equal(await count(h, 'count-overlap'), r.detection.counts.overlap);
      const errors = h.console.filter((c) => c.type === 'pageerror' || (c.type === 'error' && /webview|vega|report/i.test(c.text)));
      assert.deepEqual(errors.filter((e) => /Content Security Policy|unsafe-eval|EvalError/i.test(e.text)), [], 'no CSP errors');
    },
  },
];
