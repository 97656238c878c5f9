// Smoke: a real VS Code starts with this repository as the extension under development, a dataset opens, and the
// extension's commands are in the palette. If this fails, every other journey would too.
import * as assert from 'node:assert/strict';
import type { Journey } from './harness';

export const journeys: Journey[] = [
  {
    name: 'smoke: VS Code loads the extension and lists its commands',
    async run(h) {
      await h.openFile('reviews.jsonl');
      assert.match(await h.page.title(), /\[Extension Development Host\]/);
      const lines = await h.visibleLines();
      assert.equal(lines[0]?.line, 1);
      assert.match(lines[0]?.text ?? '', /"text": "A warm, funny film/);

      const commands = await h.listCommands('Overlap Density:', { keepOpen: true });
      assert.ok(commands.some((c) => c.startsWith('Overlap Density:')),
        `no "Overlap Density:" command in the palette; saw: ${JSON.stringify(commands)}`);
      await h.screenshot('palette-and-dataset');
      await h.page.keyboard.press('Escape');
    },
  },
];
