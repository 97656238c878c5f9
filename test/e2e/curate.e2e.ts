// Issue 17, part 3 in a real VS Code: "Curate Training Set..." on a dataset with activations in its rows asks the
// budget, writes data.curated.jsonl beside it (rows byte for byte), analyses it and shows input vs curated in a
// Markdown preview. Screenshots: test/e2e/screenshots/curate-*.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/core/random/rng';
import { retry, type Journey } from './harness';

/** 300 rows: the weak side sees 2 dims of a 6-dim signal, the strong side all 6 (no encoder needed). */
function workspace(): { dir: string; lines: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-e2e-curate-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const rng = new Rng(5);
  const lines = Array.from({ length: 300 }, (_, i) => {
    const y = i % 2;
    const strong = Array.from({ length: 6 }, () => +((y ? 0.6 : -0.6) + rng.normal()).toFixed(3));
    const weak = [+(strong[0]! + rng.normal()).toFixed(3), strong[1]!];
    return `{"text": "review ${i}", "label": ${y}, "weak_acts": ${JSON.stringify(weak)}, "strong_acts": ${JSON.stringify(strong)}}`;
  });
  fs.writeFileSync(path.join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  return { dir, lines };
}

const ws = workspace();

export const journeys: Journey[] = [
  {
    name: 'curate: a budget, a curated file beside the dataset with rows byte for byte, input vs curated side by side',
    start: { workspace: ws.dir, theme: 'Dark Modern', settings: { 'overlapDensity.analysis.seeds': 3 } },
    timeoutMs: 240_000,
    async run(h) {
      await h.openFile('data.jsonl');
      await h.runCommand('Overlap Density: Curate Training Set...');
      await h.answerQuickInput('25%', { type: true, step: 'how many rows?' });
      const note = await h.waitForNotification(/Wrote data\.curated\.jsonl/, { timeoutMs: 120_000 });
      console.log(`    notification: ${JSON.stringify(note)}`);
      const curated = fs.readFileSync(h.workspacePath('data.curated.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
      // 25% of the W2S-train rows, each a line of the dataset unchanged, in file order.
      assert.ok(curated.length > 0 && curated.length < 100, `${curated.length} rows`);
      const at = curated.map((l) => ws.lines.indexOf(l));
      assert.ok(at.every((k) => k >= 0), 'every curated line is a dataset line');
      assert.deepEqual([...at].sort((a, b) => a - b), at);
      assert.ok(fs.existsSync(h.workspacePath('data.curated.test.jsonl')), 'the test rows beside it');
      // The comparison opens as a Markdown preview beside the dataset.
      await retry('markdown preview tab', async () => {
        const tabs = (await h.page.locator('.tabs-container .tab').allTextContents()).map((t) => t.trim());
        return tabs.some((t) => /Preview/.test(t)) ? true : undefined;
      }, { timeoutMs: 30_000 });
      const frame = h.webviewFrame();
      await retry('comparison table', async () => ((await frame.locator('table').count().catch(() => 0)) > 0 ? true : undefined), { timeoutMs: 30_000 });
      const text = (await frame.locator('body').textContent()) ?? '';
      assert.match(text, /overlap rows by the input's detection/);
      assert.match(text, /W2S accuracy/);
      assert.ok(fs.existsSync(h.workspacePath('.overlap/data.curated.jsonl.comparison.md')), 'the comparison file beside the results');
      await h.screenshot('comparison');
    },
  },
];
