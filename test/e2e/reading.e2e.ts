// Files nobody here wrote, read as a new user meets them: a headerless CSV in the AG News layout with a classes.txt
// (the extension asks for the columns in quick picks), a WRENCH folder (listed once, train.json analysed with the
// test.json beside it) and a JSONL with string labels. Rows come from the public SST-2 and SMS copies in ../shared.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisResult } from '../../src/core/result/schema';
import { retry, type Journey, type VSCode } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const repoRoot = () => process.env.E2E_REPO_ROOT ?? ROOT;
const SHARED = () => path.resolve(repoRoot(), '..', 'shared', 'data');

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempWorkspace(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `od-e2e-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** SST-2 rows as AG News lays them out: "class","title","description", no header, class ids 1 and 2. */
function newsWorkspace(): string {
  const dir = tempWorkspace('news');
  const lines = fs.readFileSync(path.join(SHARED(), 'sst2', 'stsa.binary.train'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 600);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const rows = lines.map((l) => {
    const [label, ...words] = l.split(' ');
    return [q(String(Number(label) + 1)), q(words.slice(0, 5).join(' ')), q(words.slice(5).join(' ') || '.')].join(',');
  });
  fs.writeFileSync(path.join(dir, 'news.csv'), `${rows.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'classes.txt'), 'Negative\nPositive\n');
  return dir;
}

/** A WRENCH folder cut from SMS (first rows of each split) and a JSONL with string labels. */
function wrenchWorkspace(): string {
  const dir = tempWorkspace('wrench');
  fs.mkdirSync(path.join(dir, 'sms'));
  const cut = (split: string, n: number) => {
    const all = JSON.parse(fs.readFileSync(path.join(SHARED(), 'sms', `${split}.json`), 'utf8')) as Record<string, unknown>;
    const kept = Object.entries(all).slice(0, n).map(([, v], i) => [String(i), v]);
    fs.writeFileSync(path.join(dir, 'sms', `${split}.json`), JSON.stringify(Object.fromEntries(kept)));
  };
  cut('train', 900);
  cut('valid', 100);
  cut('test', 300);
  fs.copyFileSync(path.join(SHARED(), 'sms', 'label.json'), path.join(dir, 'sms', 'label.json'));
  const sst = fs.readFileSync(path.join(SHARED(), 'sst2', 'stsa.binary.dev'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 500);
  fs.writeFileSync(path.join(dir, 'reviews.jsonl'), sst.map((l) => {
    const [label, ...words] = l.split(' ');
    return JSON.stringify({ review: words.join(' '), sentiment: label === '1' ? 'positive' : 'negative' });
  }).join('\n') + '\n');
  return dir;
}

function readResult(h: VSCode, file: string): AnalysisResult {
  return JSON.parse(h.readFile(file)) as AnalysisResult;
}

async function quickInputTitle(h: VSCode): Promise<string> {
  return retry('quick input title', async () => {
    const t = await h.page.locator('.quick-input-widget .quick-input-title').textContent().catch(() => null);
    return t && t.trim() !== '' ? t.trim() : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 });
}

async function finished(h: VSCode, file: string, timeoutMs = 180_000): Promise<string> {
  return retry(`analysis of ${file}`, async () => {
    const all = await h.notificationDetails();
    const err = all.find((n) => n.message.startsWith('Overlap Density:') && /error|no labelled|choose/i.test(n.message));
    if (err) throw new Error(`error notification: ${err.message}`);
    return all.find((n) => n.message.startsWith(`${file}: overlap density`))?.message;
  }, { timeoutMs, intervalMs: 1000 });
}

const hasShared = () => fs.existsSync(path.join(SHARED(), 'sst2')) && fs.existsSync(path.join(SHARED(), 'sms'));

export const journeys: Journey[] = [
  {
    name: 'reading: a headerless CSV with classes.txt asks for its columns, then reads both text columns and the class names',
    get start() {
      return { workspace: hasShared() ? newsWorkspace() : tempWorkspace('empty') };
    },
    timeoutMs: 300_000,
    async run(h) {
      if (!hasShared()) {
        console.log('    skipped: ../shared/data is absent');
        return;
      }
      await h.openFile('news.csv');
      await h.runCommand('Overlap Density: Analyze Dataset');
      // 1/3: the header row, "no header" first because that is what the detection found.
      assert.match(await quickInputTitle(h), /news\.csv: header row \(1\/3\)/);
      await h.screenshot('reading-1-header-pick');
      await h.answerQuickInput('The first row is data (no header row)');
      // 2/3: text columns, both preselected (several words in every value).
      await retry('text step', async () => (/text column/.test(await quickInputTitle(h)) ? true : undefined), { timeoutMs: 30_000 });
      const checked = await h.page.locator('.quick-input-list .monaco-list-row[aria-checked="true"] .label-name').allTextContents();
      assert.deepEqual(checked.map((c) => c.trim()).sort(), ['column_2', 'column_3']);
      await h.screenshot('reading-2-text-pick');
      await h.page.keyboard.press('Enter');
      // 3/3: the label column, the detected one first.
      await retry('label step', async () => (/label column/.test(await quickInputTitle(h)) ? true : undefined), { timeoutMs: 30_000 });
      await h.answerQuickInput('column_1');
      const message = await finished(h, 'news.csv');
      console.log(`    ${message}`);
      const result = readResult(h, path.join('.overlap', 'news.csv.result.json'));
      assert.equal(result.dataset.rows, 600);
      assert.equal(result.dataset.numClasses, 2, 'ids 1 and 2 are two classes');
      assert.deepEqual(result.dataset.labelNames, ['Negative', 'Positive']);
      assert.deepEqual(result.dataset.read?.textFields, ['column_2', 'column_3']);
      assert.equal(result.dataset.read?.how.text, 'option');
      assert.equal(result.dataset.read?.header?.present, false);

      // The report states what was read.
      await h.runCommand('Overlap Density: Show Report');
      await h.waitForWebview('#summary [data-field="read"]', { timeoutMs: 60_000 });
      const frame = h.webviewFrame();
      await frame.locator('#summary [data-field="read"] summary').click();
      const read = (await frame.locator('#summary [data-field="read"]').textContent()) ?? '';
      assert.match(read, /text: column_2 \+ column_3 · label: column_1/);
      assert.match(read, /Negative \[1\] \(\d+\), Positive \[2\] \(\d+\) \(names from classes\.txt\)/);
      assert.match(read, /no header row/);
      await h.screenshot('reading-3-report-what-was-read');

      // Analysing again does not ask: the choice is remembered for this file.
      await h.focusEditor();
      await h.runCommand('Overlap Density: Analyze Dataset');
      await finished(h, 'news.csv');
    },
  },
  {
    name: 'reading: a WRENCH folder lists once and uses its test.json; string labels keep their names',
    get start() {
      return { workspace: hasShared() ? wrenchWorkspace() : tempWorkspace('empty') };
    },
    timeoutMs: 300_000,
    async run(h) {
      if (!hasShared()) {
        console.log('    skipped: ../shared/data is absent');
        return;
      }
      await h.runCommand('Overlap Density: Focus on Datasets View');
      const rows = await retry('Datasets view', async () => {
        const r = await h.viewRows('Datasets');
        return r.some((x) => x.includes('sms/ (WRENCH)')) && r.some((x) => x.includes('reviews.jsonl')) ? r : undefined;
      }, { timeoutMs: 60_000 });
      console.log(`    Datasets view: ${JSON.stringify(rows)}`);
      assert.ok(!rows.some((r) => /test\.json|valid\.json/.test(r)), 'the split files are not separate datasets');
      await h.screenshot('reading-4-datasets-view');

      await h.openFile('sms/train.json');
      await h.runCommand('Overlap Density: Analyze Dataset');
      await finished(h, 'train.json', 240_000);
      const sms = readResult(h, path.join('sms', '.overlap', 'train.json.result.json'));
      assert.equal(path.basename(sms.dataset.testFile ?? ''), 'test.json');
      assert.equal(sms.dataset.splits.test, 300);
      assert.deepEqual(sms.dataset.labelNames, ['ham', 'spam']);
      assert.match(sms.dataset.read?.test?.pairedBecause ?? '', /WRENCH folder/);

      await h.openFile('reviews.jsonl');
      await h.runCommand('Overlap Density: Analyze Dataset');
      await finished(h, 'reviews.jsonl', 240_000);
      const reviews = readResult(h, path.join('.overlap', 'reviews.jsonl.result.json'));
      assert.deepEqual(reviews.dataset.labelNames, ['negative', 'positive']);
      assert.equal(reviews.dataset.read?.labelField, 'sentiment');
      assert.deepEqual(reviews.dataset.read?.textFields, ['review']);
      await h.screenshot('reading-5-string-labels');
    },
  },
];
