/**
 * Notifications name files and quote data from the workspace, and VS Code renders links and theme icons in them
 * (sweep of 2026-12-07: a file named `[click](command:workbench.action.toggleSidebarVisibility).jsonl` put a link
 * that ran the command in "analysis finished"). Every notification goes through notify.ts, whose plainMessage
 * leaves nothing VS Code's parsers would take for a link or an icon.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainMessage } from '../../../src/extension/plainMessage';

// VS Code's own patterns: base/common/linkedText.ts (links in notifications) and base/common/iconLabels.ts (icons)
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const ICON = /\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

describe('plainMessage', () => {
  const hostile = [
    '[click](command:workbench.action.toggleSidebarVisibility).jsonl: overlap density 30.0%',
    '[a](https://example.invalid "title") and [b](file:///etc/passwd)',
    'class $(trash) and $(sync~spin)',
    '[[x](command:a)](command:b)',
  ];
  for (const text of hostile) {
    it(`leaves no link or icon in ${JSON.stringify(text)}, and reads the same`, () => {
      expect(text.match(LINK) ?? text.match(ICON)).not.toBeNull();
      const plain = plainMessage(text);
      expect(plain.match(LINK)).toBeNull();
      expect(plain.match(ICON)).toBeNull();
      expect(plain.replace(/\u200b/g, '')).toBe(text);
    });
  }
  it('keeps ordinary text as it is', () => {
    expect(plainMessage('a.jsonl: overlap density 30.0% (12 rows) [done]')).toBe('a.jsonl: overlap density 30.0% (12 rows) [done]');
  });
});

describe('notifications', () => {
  it('go through notify.ts only: no other module calls window.show*Message', () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'src', 'extension');
    const files = (function walk(d: string): string[] {
      return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
    })(dir);
    const direct = files
      .filter((f) => path.basename(f) !== 'notify.ts')
      .filter((f) => /window\s*\.\s*show(Information|Warning|Error)Message/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(dir, f));
    expect(direct).toEqual([]);
    expect(files.length).toBeGreaterThan(20);
  });
});
