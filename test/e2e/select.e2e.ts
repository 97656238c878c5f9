// Data-source selection in a real VS Code (the UCB issue): two real sources made from WRENCH SMS
// (../shared/data/sms/train.json, read-only; split at run time into a temp workspace by labelling-function coverage,
// the filter that changes overlap, see docs/selection.md) are compared with "Compare Data Sources (UCB)...": multi-select
// the two files, change the plan (30 rounds, 5 seeds), watch the progress, read the selection report (summary numbers
// equal to the written result, the three plots rendered with the strategies in their legends), screenshot it, reload the
// window (the panel comes back through its serializer), then start a long run and cancel it: no result is written.
// Weak side: the labelling functions' majority vote (fast); strong side: the bundled USE-Lite encoder.
// Screenshots: <E2E_SCREENSHOTS or test/e2e/screenshots>/select-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectionHeadline, strategyRows } from '../../src/core/report/selection';
import type { SelectionResult } from '../../src/core/select/schema';
import { retry, sleep, type Journey, type VSCode } from './harness';

const SMS = path.resolve(process.env.E2E_REPO_ROOT ?? path.resolve(__dirname, '..', '..'), '..', 'shared', 'data', 'sms');
const COVERED = 'sms-covered.json';
const UNCOVERED = 'sms-uncovered.json';
const RESULT = path.join('sms', '.overlap', 'sms-covered+sms-uncovered.select.json');

interface WrenchRow {
  label: number;
  weak_labels: number[];
  data: { text: string };
}

/** WRENCH's own layout, one row per line (the dataset listing sniffs the first 64 KB line by line). */
function wrenchJson(rows: Record<string, WrenchRow>): string {
  return `{\n${Object.entries(rows).map(([k, v]) => `\t${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`;
}

/**
 * A workspace with SMS train split in two WRENCH files by labelling-function coverage (rows some function votes on vs
 * rows none does), with label.json beside them; null (and a printed reason) when the shared data is absent.
 */
function smsWorkspace(): string | null {
  const train = path.join(SMS, 'train.json');
  if (!fs.existsSync(train)) {
    console.log(`    skipping the selection journey: ${train} is absent (the shared data folder is not mounted)`);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-e2e-select-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const rows = JSON.parse(fs.readFileSync(train, 'utf8')) as Record<string, WrenchRow>;
  const covered: Record<string, WrenchRow> = {};
  const uncovered: Record<string, WrenchRow> = {};
  for (const row of Object.values(rows)) {
    const into = row.weak_labels.some((v) => v !== -1) ? covered : uncovered;
    into[String(Object.keys(into).length)] = row;
  }
  fs.mkdirSync(path.join(dir, 'sms'));
  fs.writeFileSync(path.join(dir, 'sms', COVERED), wrenchJson(covered));
  fs.writeFileSync(path.join(dir, 'sms', UNCOVERED), wrenchJson(uncovered));
  fs.copyFileSync(path.join(SMS, 'label.json'), path.join(dir, 'sms', 'label.json'));
  console.log(`    workspace: ${Object.keys(covered).length} covered + ${Object.keys(uncovered).length} uncovered SMS rows in ${dir}`);
  return dir;
}

let workspace: string | null | undefined;
const ws = (): string | null => (workspace === undefined ? (workspace = smsWorkspace()) : workspace);

const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

/** Types `value` into the input box titled `title` and accepts it. */
async function answerBox(h: VSCode, title: string, value: string): Promise<void> {
  await h.waitForQuickStep(title, 60_000);
  await h.answerQuickInput(value, { type: true });
}

/** Checks the rows labelled `labels` in the multi-select quick pick titled `title`, then accepts it (Enter). */
async function pickMany(h: VSCode, title: string, labels: string[]): Promise<void> {
  await h.waitForQuickStep(title, 60_000);
  const input = h.page.locator('.quick-input-widget .quick-input-box input');
  for (const label of labels) {
    const row = h.page.locator(QUICK_ROWS).filter({ has: h.page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await row.getAttribute('aria-checked')) !== 'true') await row.click();
    await retry(`"${label}" checked`, async () => ((await row.getAttribute('aria-checked')) === 'true' ? true : undefined), { timeoutMs: 5_000 });
  }
  await input.focus();
  await h.page.keyboard.press('Enter');
}

/** Answers the plan: "Change the plan...", then rounds, points per round (empty: auto), strategies (as proposed), seeds. */
async function answerPlan(h: VSCode, rounds: number, seeds: number): Promise<void> {
  await h.waitForQuickStep('the plan', 60_000);
  await h.answerQuickInput('Change the plan...');
  await answerBox(h, 'rounds T', String(rounds));
  await answerBox(h, 'points per round n', '');
  await pickMany(h, 'strategies', ['ucb', 'random']);
  await answerBox(h, 'seeds (runs of every strategy)', String(seeds));
}

/** Accepts VS Code's save dialog (code-server's simple file dialog: a quick input holding the path). */
async function acceptSaveDialog(h: VSCode, expectedName: string): Promise<void> {
  const input = h.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await retry('save dialog path', async () => ((await input.inputValue()).endsWith(expectedName) ? true : undefined), { timeoutMs: 10_000 });
  await input.press('Enter');
}

async function field(h: VSCode, name: string): Promise<string> {
  return ((await h.webviewFrame().locator(`#summary [data-field="${name}"]`).first().textContent()) ?? '').trim();
}

const meanStd = (s: { mean: number; std: number } | null) => (s ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}` : '—');

export const journeys: Journey[] = [
  {
    name: 'select: compare two real SMS sources with UCB, read the report, reload, cancel a run',
    get start() {
      // Tall enough for the three plots in one screenshot.
      return { workspace: ws() ?? 'workspace', theme: 'Dark Modern', viewport: { width: 1400, height: 1280 } };
    },
    timeoutMs: 300_000,
    async run(h) {
      if (!ws()) return;
      const resultFile = h.workspacePath(RESULT);
      const t0 = Date.now();
      await h.runCommand('Overlap Density: Compare Data Sources (UCB)...');
      await pickMany(h, 'the sources', [COVERED, UNCOVERED]);
      await answerPlan(h, 30, 5);

      // Progress: a cancellable notification naming what is compared.
      const progress = await h.waitForNotification(/comparing 2 sources \(sms-covered\.json, sms-uncovered\.json\)/, { keepOpen: true, timeoutMs: 30_000 });
      assert.ok(progress.buttons.includes('Cancel'), `the progress can be cancelled (buttons: ${progress.buttons.join(', ')})`);
      await h.screenshot('select-progress');
      await h.hideNotificationCenter();

      await h.waitForWebview('#chart-selection-pulls[data-rendered="true"] svg', { timeoutMs: 240_000 });
      console.log(`    select: report ${((Date.now() - t0) / 1000).toFixed(1)} s after the command`);
      assert.ok(fs.existsSync(resultFile), `${RESULT} written`);
      const r = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as SelectionResult;
      const frame = h.webviewFrame();

      // The result: two file sources, the plan asked for, both strategies over 5 seeds; UCB finds the covered source.
      assert.equal(r.mode, 'files');
      assert.deepEqual(r.sources.map((s) => s.name), [COVERED, UNCOVERED]);
      assert.equal(r.plan.rounds, 30);
      assert.deepEqual(r.plan.strategies, ['ucb', 'random']);
      assert.deepEqual(r.plan.seeds, [0, 1, 2, 3, 4]);
      const [ucb, random] = strategyRows(r);
      for (const line of r.summary.lines) console.log(`    ${line}`);
      console.log(`    sources: ${r.sources.map((s) => `${s.name} pool ${s.poolRows}, detected ${(s.detectedPoolDensity * 100).toFixed(1)}%`).join('; ')}; n = ${r.plan.perRound}`);
      console.log(`    shared: weak ${r.shared.accuracy.weak.toFixed(3)}, W2S all pools ${r.shared.accuracy.w2sAllPools.toFixed(3)}, strong ${r.shared.accuracy.strong.toFixed(3)} on ${r.shared.testRows} test rows`);
      console.log(`    headline: ${selectionHeadline(r)}`);
      assert.ok(r.sources[0].detectedPoolDensity > r.sources[1].detectedPoolDensity + 0.2, 'the covered source is the denser one');
      assert.ok(ucb.denseShare! > random.denseShare!, `ucb pulls the covered source more often (${ucb.denseShare} vs ${random.denseShare})`);

      // The summary says what the file says.
      assert.equal(await field(h, 'headline'), selectionHeadline(r));
      assert.equal(await field(h, 'acc-ucb'), meanStd(ucb.finalAccuracy));
      assert.equal(await field(h, 'acc-random'), meanStd(random.finalAccuracy));
      assert.equal(await field(h, 'dense-ucb'), `${(ucb.denseShare! * 100).toFixed(1)}%`);
      assert.equal(await field(h, 'acc-weak'), r.shared.accuracy.weak.toFixed(3));
      assert.equal(await field(h, 'acc-strong'), r.shared.accuracy.strong.toFixed(3));
      assert.equal(await field(h, 'density-0'), `${(r.sources[0].detectedPoolDensity * 100).toFixed(1)}%`);
      assert.match(await field(h, 'plan'), /^30 rounds × \d+ points · bonus code · ucb, random · seeds 0\.\.4 \(5\)$/);

      // The three plots rendered, with the strategies (and sources) in their legends.
      for (const id of ['selection-overlap', 'selection-accuracy']) {
        const chart = frame.locator(`#chart-${id}[data-rendered="true"] svg`).first();
        assert.ok((await chart.locator('g.mark-line.role-mark path').count()) >= 2, `${id}: a mean line per strategy`);
        assert.ok((await chart.locator('g.mark-area.role-mark path').count()) >= 2, `${id}: a band per strategy`);
        const legend = await chart.locator('g.role-legend-label text').allTextContents();
        assert.deepEqual(legend.slice(0, 2), ['ucb', 'random'], `${id} legend: ${legend.join(', ')}`);
      }
      const pulls = frame.locator('#chart-selection-pulls svg').first();
      assert.equal(await pulls.locator('g.mark-rect.role-mark path').count(), 4);
      assert.deepEqual(await pulls.locator('g.role-legend-label text').allTextContents(), [COVERED, UNCOVERED]);
      await h.runCommand('View: Close Primary Side Bar');
      await sleep(500);
      await h.screenshot('select-summary');
      await frame.locator('#selection-overlap-section').evaluate((e) => e.scrollIntoView({ block: 'start' }));
      await sleep(500);
      await h.screenshot('select-plots');

      // Export the result JSON through the save dialog: proposed next to the sources, the same result.
      await frame.locator('#export-json').click();
      await acceptSaveDialog(h, 'sms-covered+sms-uncovered.select.json');
      const exported = h.workspacePath(path.join('sms', 'sms-covered+sms-uncovered.select.json'));
      await retry('exported JSON', async () => (fs.existsSync(exported) ? true : undefined), { timeoutMs: 10_000 });
      assert.deepEqual(JSON.parse(fs.readFileSync(exported, 'utf8')), r);

      // Reload the window: the serializer restores the selection panel from the results file its page names.
      await h.reload({ afterStateSaved: true });
      await h.waitForWebview('#chart-selection-accuracy[data-rendered="true"] svg', { timeoutMs: 60_000 });
      assert.equal(await field(h, 'headline'), selectionHeadline(r));
      await h.screenshot('select-restored');

      // A long run, cancelled while it runs: the earlier result stays as it was and nothing else is written.
      const before = fs.readFileSync(resultFile, 'utf8');
      const overlapDir = path.dirname(resultFile);
      const filesBefore = fs.readdirSync(overlapDir).sort();
      await h.runCommand('Overlap Density: Compare Data Sources (UCB)...');
      await pickMany(h, 'the sources', [COVERED, UNCOVERED]);
      await answerPlan(h, 50, 60);
      await h.waitForNotification(/comparing 2 sources/, { timeoutMs: 30_000 });
      await sleep(3_000);
      await h.clickNotificationButton(/comparing 2 sources/, 'Cancel');
      await h.waitForNotification(/Comparison of 2 sources .* cancelled\. No results were written\./, { timeoutMs: 60_000 });
      assert.equal(fs.readFileSync(resultFile, 'utf8'), before, 'the cancelled run left the result as it was');
      assert.deepEqual(fs.readdirSync(overlapDir).sort(), filesBefore, 'and wrote no other file');
      const log = h.outputChannel('Overlap Density');
      assert.match(log, /comparison of 2 sources .* cancelled after/);
      const errors = h.console.filter((c) => c.type === 'pageerror' || (c.type === 'error' && /Content Security Policy|unsafe-eval|EvalError/i.test(c.text)));
      assert.deepEqual(errors.map((e) => e.text), [], 'no page errors or CSP violations');
    },
  },
];
