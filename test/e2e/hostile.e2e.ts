/**
 * A cloned repository's names are not markup (sweep of 2026-12-07): a data file named like a Markdown command link
 * must not put a link that runs the command into "analysis finished", and a class name holding `$(trash)` or a
 * command link must show as text in the hover (no icon, no link). The fix is notify.ts (every notification) and
 * hoverText.ts's escapeMarkdown; before it the link ran `workbench.action.toggleSidebarVisibility` when clicked.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSynthetic } from '../../src/core/synth/generate';
import { syntheticJsonl } from '../../src/extension/syntheticJsonl';
import { retry, type Journey, type VSCode } from './harness';

const LINK_NAME = '[click](command:workbench.action.toggleSidebarVisibility).jsonl';
const LABELS = ['calm $(trash) **B**', '[q](command:workbench.action.quit)'];

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-hostile-names-'));
  const rows = (seed: number) => syntheticJsonl(generateSynthetic({ scenario: 'mixed', nOverlap: 100, nNonOverlap: 200, seed }))
    .trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const jsonl = (rs: Record<string, unknown>[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
  fs.writeFileSync(path.join(dir, 'README.md'), '# a cloned repository\n');
  fs.writeFileSync(path.join(dir, LINK_NAME), jsonl(rows(8)));
  fs.writeFileSync(path.join(dir, 'labels.jsonl'), jsonl(rows(4).map((r) => ({ ...r, label: LABELS[r.label as number] }))));
  return dir;
}

/** The inner HTML of the notification centre (opened), for the links VS Code rendered in the messages. */
async function notificationsHtml(h: VSCode): Promise<string> {
  await h.showNotificationCenter();
  return h.page.evaluate(() => (globalThis as any).document.querySelector('.notifications-center')?.innerHTML ?? '');
}

export const journeys: Journey[] = [{
  name: 'hostile names: a file named like a command link and class names with icon syntax stay text',
  get start() { return { workspace: workspace() }; },
  timeoutMs: 300_000,
  async run(h) {
    await h.openFile('README.md');
    await h.runCommand('Overlap Density: Analyze Dataset');
    await h.answerQuickInput(LINK_NAME);
    const done = await retry('the analysis notification', async () =>
      (await h.notificationDetails()).find((n) => /overlap density/.test(n.message) || n.severity === 'error'), { timeoutMs: 150_000, intervalMs: 800 });
    assert.equal(done.severity, 'info', done.message);
    // the name reads as it is written...
    assert.match(done.message.replace(/\u200b/g, ''), /^\[click\]\(command:workbench\.action\.toggleSidebarVisibility\)\.jsonl: overlap density/);
    // ...and VS Code made no link of it
    const html = await notificationsHtml(h);
    await h.screenshot('command-link-name-notification');
    assert.doesNotMatch(html, /(href|data-href)="command:workbench\.action\.toggleSidebarVisibility/);
    assert.equal(await h.page.locator('.notifications-center .notification-list-item-message a').count(), 0);
    await h.hideNotificationCenter();

    await h.openFile('labels.jsonl');
    await h.runCommand('Overlap Density: Analyze Dataset');
    await retry('the labels analysis', async () => (await h.notificationDetails()).find((n) => /labels\.jsonl: overlap density/.test(n.message)), { timeoutMs: 150_000, intervalMs: 800 });
    const result = JSON.parse(h.readFile(path.join('.overlap', 'labels.jsonl.result.json'))) as { rows: { line?: number; category: string | null }[] };
    const row = result.rows.find((r) => r.category !== null && r.line !== undefined && r.line > 1 && r.line < 25)!;
    await h.focusEditor();
    const text = await h.hoverLine(row.line!);
    await h.screenshot('icon-syntax-class-name-hover');
    const hover = await h.page.evaluate(() => (globalThis as any).document.querySelector('.monaco-hover:not(.hidden)')?.innerHTML ?? '');
    // the class names are in the hover as written, with no icon and no link made of them
    assert.match(text.replace(/\u200b/g, ''), /calm \$\(trash\) \*\*B\*\*|\[q\]\(command:workbench\.action\.quit\)/);
    assert.doesNotMatch(hover, /codicon-trash/);
    assert.doesNotMatch(hover, /(href|data-href)="command:workbench\.action\.quit/);
  },
}];
