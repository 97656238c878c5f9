// The oldest VS Code that package.json's `engines.vscode` admits (code-server 4.90.3 = VS Code 1.90.2): the smoke
// journey and the synthetic-dataset analysis (CodeLens, decorations, hover, status bar, Datasets view, report), run as
// they are on the newest, so an API, manifest field or webview feature newer than the claimed minimum fails here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { journeys as editor } from './editor.e2e';
import { bundledVSCodeVersion, e2ePaths, type Journey } from './harness';
import { journeys as smoke } from './smoke.e2e';

/** engines.vscode's minimum as "major.minor", e.g. "1.90" for "^1.90.0". */
function enginesMinimum(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(e2ePaths().repoRoot, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  const m = /^[\^~>=]*(\d+\.\d+)\./.exec(pkg.engines.vscode);
  if (!m) throw new Error(`package.json engines.vscode "${pkg.engines.vscode}" has no minimum version`);
  return m[1];
}

function find(list: Journey[], prefix: string): Journey {
  const j = list.find((x) => x.name.startsWith(prefix));
  if (!j) throw new Error(`oldest.e2e.ts: no journey named "${prefix}..."`);
  return j;
}

/** The same journey on the oldest build; first checks that the build really is the engines minimum. */
function onOldest(j: Journey): Journey {
  return {
    name: `oldest VS Code: ${j.name}`,
    get start() {
      return { ...j.start, vscode: 'oldest' as const };
    },
    timeoutMs: j.timeoutMs,
    async run(h) {
      const version = bundledVSCodeVersion(h.server.paths);
      assert.equal(h.server.paths.build, 'oldest');
      assert.equal(version.split('.').slice(0, 2).join('.'), enginesMinimum(),
        `the oldest e2e build bundles VS Code ${version}; package.json engines.vscode names another minimum`);
      console.log(`    on VS Code ${version}`);
      await j.run(h);
    },
  };
}

export const journeys: Journey[] = [
  onOldest(find(smoke, 'smoke:')),
  onOldest(find(editor, 'editor: analyse a synthetic dataset')),
];
