// Harness self-test: drives the probe extension (test/e2e/fixtures/probe-extension), which shows one of each UI
// surface with known content, so a VS Code upgrade that breaks a selector fails here rather than in a feature journey.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { e2ePaths, type Journey } from '.';

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
];
