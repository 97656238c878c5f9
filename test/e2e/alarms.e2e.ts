// Issue 17 in a real VS Code: the check rules of `overlap-density check` as Problems-panel diagnostics, "Set as
// Baseline", and the opt-in re-analysis on save that turns an edit (two rows with the same text and different
// labels) into row-level alarms at those rows' lines. Screenshots: test/e2e/screenshots/alarms-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisResult } from '../../src/core/result/schema';
import { generateSynthetic } from '../../src/core/synth/generate';
import { syntheticJsonl } from '../../src/extension/syntheticJsonl';
import { retry, sleep, type Journey, type VSCode } from './harness';

/** 600 synthetic rows with activations in the rows (analyses in seconds) and a fixed-width text per row. */
function workspace(): { dir: string; labels: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-e2e-alarms-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const data = generateSynthetic({ scenario: 'mixed', nOverlap: 200, nNonOverlap: 400, seed: 11 });
  const lines = syntheticJsonl(data).trimEnd().split('\n').map((l, i) => `{"text":"review ${String(i).padStart(4, '0')}",${l.slice(1)}`);
  fs.writeFileSync(path.join(dir, 'reviews.jsonl'), `${lines.join('\n')}\n`);
  // A minimum no analysis of this mixture reaches: an alarm from the first analysis on.
  fs.writeFileSync(path.join(dir, 'overlap-density.check.json'), `${JSON.stringify({ minDensity: 0.9 }, null, 2)}\n`);
  return { dir, labels: [...data.labels] };
}

const ws = workspace();

function readResult(h: VSCode): AnalysisResult {
  return JSON.parse(h.readFile(path.join('.overlap', 'reviews.jsonl.result.json'))) as AnalysisResult;
}

export const journeys: Journey[] = [
  {
    name: 'alarms: check rules in the Problems panel, Set as Baseline, re-analysis on save flags duplicate texts',
    start: { workspace: ws.dir, theme: 'Dark Modern', workspaceSettings: { 'overlapDensity.check.analyzeOnSave': true } },
    timeoutMs: 300_000,
    async run(h) {
      await h.openFile('reviews.jsonl');
      await h.runCommand('Overlap Density: Analyze Dataset');
      await retry('analysis to finish', async () => (fs.existsSync(h.workspacePath(path.join('.overlap', 'reviews.jsonl.result.json'))) ? true : undefined), { timeoutMs: 120_000 });
      const first = readResult(h);

      // The dataset-level alarm from the repository's rules file, on line 1.
      const density = await retry('density alarm in Problems', async () =>
        (await h.problems()).find((p) => /overlap density/i.test(p) && /line 1\b/.test(p)), { timeoutMs: 30_000 });
      console.log(`    problem: ${density}`);
      assert.match(density, /90(\.0)?%|0\.9/);
      await h.screenshot('alarms-problems');

      // Set as Baseline: the result is copied beside it, and the check now compares with it.
      await h.focusEditor();
      await h.runCommand('Overlap Density: Set as Baseline');
      const baselineFile = path.join('.overlap', 'reviews.jsonl.baseline.json');
      await retry('baseline written', async () => (fs.existsSync(h.workspacePath(baselineFile)) ? true : undefined), { timeoutMs: 15_000 });
      assert.equal((JSON.parse(h.readFile(baselineFile)) as AnalysisResult).createdAt, first.createdAt);

      // Edit: row 6 (line 6) takes the text of row 4 (line 4), whose label differs; save; the re-analysis runs by itself.
      const a = 3;
      const b = ws.labels.findIndex((l, i) => i > a && l !== ws.labels[a]);
      assert.ok(b > a && b < 40, `a row after ${a + 1} with another label (found ${b + 1})`);
      // The cursor goes straight to the column (Go to Line's line:column): a first attempt in a rehearsal moved it by
      // Home + 16 ArrowRight presses, one press was lost, and the edit wrote "revie000305" (no duplicate to find).
      const column = '{"text":"review '.length + 1;
      await h.goToLine(b + 1, column);
      await h.focusEditor();
      await retry('cursor at the digits', async () => (await h.statusBar()).some((t) => t.includes(`Ln ${b + 1}, Col ${column}`)) || undefined, { timeoutMs: 10_000 })
        .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await h.statusBar())}`); });
      for (let i = 0; i < 4; i++) await h.page.keyboard.press('Shift+ArrowRight');
      await h.page.keyboard.type(String(a).padStart(4, '0'));
      await h.save();
      const want = `{"text":"review ${String(a).padStart(4, '0')}"`;
      const lineAfter = () => h.readFile('reviews.jsonl').split('\n')[b] ?? '';
      await retry('the edit on disk', async () => lineAfter().startsWith(want) || undefined, { timeoutMs: 5_000 })
        .catch((e: Error) => { throw new Error(`${e.message}: line ${b + 1} is ${lineAfter().slice(0, 40)}`); });
      const second = await retry('re-analysis after save', async () => {
        const r = fs.existsSync(h.workspacePath(path.join('.overlap', 'reviews.jsonl.result.json'))) ? readResult(h) : undefined;
        return r && r.createdAt !== first.createdAt ? r : undefined;
      }, { timeoutMs: 120_000, intervalMs: 500 });
      assert.notEqual(second.dataset.contentHash, first.dataset.contentHash);

      // Row-level alarms at both rows' lines; the density alarm stays on line 1.
      const dupes = await retry('duplicate-label alarms', async () => {
        const all = await h.problems();
        const rows = all.filter((p) => /same text|duplicate/i.test(p));
        return rows.some((p) => new RegExp(`line ${a + 1}\\b`).test(p)) && rows.some((p) => new RegExp(`line ${b + 1}\\b`).test(p)) ? all : undefined;
      }, { timeoutMs: 30_000 }).catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await h.problems())}`); });
      console.log(`    after save: ${dupes.length} problems; ${dupes.filter((p) => /same text|duplicate/i.test(p)).slice(0, 2).join(' | ')}`);
      assert.ok(dupes.some((p) => /overlap density/i.test(p)), 'the density alarm is still there');
      // The editor takes the new result: the lens is no longer "out of date" (VS Code refreshes lenses of a focused editor).
      await h.focusEditor();
      await retry('lens of the new result', async () => {
        const lenses = await h.readCodeLens();
        return lenses.length > 0 && lenses.every((l) => !/out of date/.test(l.text)) ? lenses : undefined;
      }, { timeoutMs: 20_000 }).catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await h.readCodeLens())}`); });
      await sleep(300);
      await h.screenshot('alarms-after-save');

      // The two analyses side by side: the current result against the baseline, as a Markdown page.
      await h.runCommand('Overlap Density: Compare with an Earlier Result...');
      await h.answerQuickInput('Baseline');
      const heading = await h.waitForWebview('h1', { timeoutMs: 45_000 });
      assert.match((await heading.textContent()) ?? '', /reviews\.jsonl: baseline vs now/);
      const page = (await h.webviewFrame().locator('body').textContent()) ?? '';
      assert.match(page, /file contents changed/);
      assert.match(page, /Rows paired by their text/, 'the baseline stored its row text hashes, so rows pair by text');
      console.log(`    compare: ${page.replace(/\s+/g, ' ').slice(0, 300)}`);
      const tabs = (await h.page.locator('.tabs-container .tab').allTextContents()).map((t) => t.trim());
      assert.ok(!tabs.some((t) => /Untitled/.test(t)), `a read-only page, not an untitled document: ${tabs.join(' | ')}`);
      await h.screenshot('alarms-compare');

      // The report shows the trend across the two kept analyses.
      await h.openFile('reviews.jsonl');
      await h.runCommand('Overlap Density: Show Report');
      const history = await h.waitForWebview('[data-field="history"] summary', { timeoutMs: 60_000 });
      assert.match((await history.textContent()) ?? '', /History: the last 2 of 2 kept analyses/);
      await history.click();
      const items = await h.webviewFrame().locator('[data-field="history"] li').allTextContents();
      console.log(`    report history: ${items.join(' | ')}`);
      assert.equal(items.length, 2);
      assert.match(items[1]!, /data changed/);
      await h.screenshot('alarms-report-history');

      // A baseline of another analysis (here: other class names) is refused as the CLI refuses it, on the dataset,
      // instead of comparing numbers that mean other things.
      const other = JSON.parse(h.readFile(baselineFile)) as AnalysisResult;
      other.dataset.labelNames = ['cat', 'dog'];
      fs.writeFileSync(h.workspacePath(baselineFile), JSON.stringify(other));
      await h.openFile('reviews.jsonl');
      await h.runCommand('Overlap Density: Analyze Dataset');
      const refused = await retry('baseline of another analysis refused', async () =>
        (await h.problems()).find((p) => /describes another analysis/.test(p)), { timeoutMs: 120_000, intervalMs: 500 })
        .catch(async (e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(await h.problems())}`); });
      console.log(`    other baseline: ${refused}`);
      assert.match(refused, /its classes are cat, dog/);
      assert.match(refused, /Set as Baseline/);
    },
  },
];
