/**
 * The CLI's default weak and strong sides follow the extension's `auto` rule: activations stored in the rows are
 * used without flags (they used to default to the bundled encoders and fail with "row has no text field").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';
import { buildCli, runCli } from '../bad-input/cli';

let cli: { file: string; dispose: () => void };
let dir: string;
beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'od-cli-auto-'));
});
afterAll(() => {
  cli?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('analyze without --weak/--strong', () => {
  it('uses the activations in the rows, as the extension does', () => {
    const data = generateSynthetic({ scenario: 'mixed', nOverlap: 200, nNonOverlap: 400, seed: 2 });
    const rows = syntheticJsonl(data).split('\n').filter((l) => l.trim() !== '').map((l) => {
      const { text: _text, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    const file = join(dir, 'syn.jsonl');
    writeFileSync(file, rows.join('\n') + '\n');
    const r = runCli(cli.file, ['analyze', file, '--seeds', '2', '--quiet', '--out', join(dir, 'syn.result.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read text: none \(activations or votes only\)/);
    expect(r.stdout).toMatch(/overlap density/);
  });
});
