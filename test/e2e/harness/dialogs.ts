import { retry } from './retry';
import type { VSCode } from './session';

/** Accepts VS Code's save dialog (code-server's simple file dialog: a quick input holding the path). */
export async function acceptSaveDialog(h: VSCode, expectedName: string): Promise<void> {
  const input = h.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await retry('save dialog path', async () => ((await input.inputValue()).endsWith(expectedName) ? true : undefined), { timeoutMs: 10_000 });
  await input.press('Enter');
}
