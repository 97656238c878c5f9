// Harness self-test: drives the probe extension (test/e2e/fixtures/probe-extension), which shows one of each UI
// surface with known content, so a VS Code upgrade that breaks a selector fails here rather than in a feature journey.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { e2ePaths, type Journey } from '.';

let vsixDir: string | undefined;

/** Packages the probe extension with the project's vsce into a temp VSIX (removed by the journey). */
function probeVsix(): string {
  const { repoRoot, fixturesDir } = e2ePaths();
  const dir = (vsixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-e2e-probe-vsix-')));
  fs.cpSync(path.join(fixturesDir, 'probe-extension'), path.join(dir, 'ext'), { recursive: true });
  const out = path.join(dir, 'probe.vsix');
  const r = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out],
    { cwd: path.join(dir, 'ext'), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`vsce package failed: ${r.stdout}${r.stderr}`);
  return out;
}

export const journeys: Journey[] = [
  {
    name: 'harness self-test: every helper against the probe extension',
    start: { extensionDevelopmentPath: path.join(e2ePaths().fixturesDir, 'probe-extension') },
    async run(h) {
      assert.match(await h.page.title(), /\[Extension Development Host\]/);
      await h.openFile('reviews.jsonl');
      const original = h.readFile('reviews.jsonl');

      assert.equal(await h.hoverLine(2), 'Probe hover for line 2');
      assert.equal(await h.hoverLine(7, { column: 3 }), 'Probe hover for line 7');

      const lenses = await h.waitForCodeLens(2);
      assert.deepEqual(lenses, [{ line: 1, text: 'probe lens 1' }, { line: 5, text: 'probe lens 5' }]);

      const deco = await h.gutterDecorations();
      assert.deepEqual(deco.glyphs.map((g) => g.line), [2], JSON.stringify(deco.glyphs));
      assert.ok(deco.overlays.some((o) => o.line === 3), JSON.stringify(deco.overlays));
      assert.ok(deco.inline.some((d) => d.line === 1), JSON.stringify(deco.inline));
      assert.ok(Object.keys(deco.overviewRuler).some((c) => c.startsWith('255,0,0')), JSON.stringify(deco.overviewRuler));

      assert.ok((await h.statusBar()).includes('Probe Ready'), JSON.stringify(await h.statusBar()));
      assert.match(h.outputChannel('E2E Probe'), /probe activated/);

      await h.runCommand('E2E Probe: Show Notification');
      const n = await h.waitForNotification(/Probe notification 42/);
      assert.deepEqual(n.buttons, ['OK', 'Later']);
      await h.clickNotificationButton(/Probe notification 42/, 'Later');
      await h.showNotificationCenter(); // open and empty while the progress comes and goes
      await h.runCommand('E2E Probe: Progress Then Notify');
      await h.waitForNotification(/Probe done after progress/);

      await h.runCommand('E2E Probe: Insert Line');
      assert.deepEqual(await h.waitForVisibleLine('probe inserted'), { line: 1, text: 'probe inserted' });
      assert.ok((await h.readEditorText()).startsWith('probe inserted\n'));
      await h.undo();
      assert.equal(await h.readEditorText(), original);

      await h.runCommand('Explorer: Focus on Probe Items View');
      assert.deepEqual(await h.viewRows('Probe Items'), ['alpha', 'beta']);

      await h.runCommand('E2E Probe: Open Webview');
      const title = await h.waitForWebview('#probe-title');
      assert.equal(await title.textContent(), 'Probe webview');
      await h.webviewFrame().locator('#probe-icon').evaluate((img: any) => img.decode());
      await h.screenshot('dark');
      await h.setTheme('Light Modern');
      await h.screenshot('light');

      assert.deepEqual(h.externalRequests(), [], 'VS Code and the probe must not reach off the machine');
    },
  },
  {
    name: 'harness self-test: the probe installed from a VSIX (no development payload)',
    get start() {
      return { extension: { vsix: probeVsix() } };
    },
    async run(h) {
      if (vsixDir) fs.rmSync(vsixDir, { recursive: true, force: true }); // installed by now
      assert.doesNotMatch(await h.page.title(), /Extension Development Host/);
      await h.openFile('reviews.csv');
      assert.equal(await h.hoverLine(2), 'Probe hover for line 2');
      assert.ok((await h.statusBar()).includes('Probe Ready'));
      assert.deepEqual(h.externalRequests(), []);
    },
  },
];
