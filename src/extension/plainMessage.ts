/** Notification text without links or theme icons (notify.ts); no `vscode` import, so unit tests can reach it. */

const ZWSP = '\u200b';

/**
 * `text` with no link (`](`) and no theme icon (`$(`) that VS Code would render in a notification: a zero-width space
 * goes between the two characters, so the text reads the same.
 */
export function plainMessage(text: string): string {
  return text.replace(/\]\(/g, `]${ZWSP}(`).replace(/\$\(/g, `$${ZWSP}(`);
}
