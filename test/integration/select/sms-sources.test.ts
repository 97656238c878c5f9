import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/select';
import type { SelectionResult } from '../../../src/core/select/schema';

/**
 * Two real sources: WRENCH SMS (../shared/data, never copied in) split by labelling-function coverage, the weak side
 * the labelling functions' majority vote and the strong side the bundled USE-Lite encoder. Rows no function votes on
 * are all weak-confidence 0, so that source holds (nearly) no detected overlap; UCB should find the covered source.
 * Slow (it encodes 4,571 messages once; the activation cache lives in the system temp folder).
 */
const SMS = resolve(__dirname, '../../../../shared/data/sms/train.json');
const models = resolve(__dirname, '../../../models/manifest.json');
const present = existsSync(SMS) && existsSync(models);
if (!present) console.log(`skipping the SMS selection test: ${existsSync(SMS) ? 'bundled models are not built' : `${SMS} is absent`}`);

const dir = mkdtempSync(join(tmpdir(), 'select-sms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!present)('select on SMS split by labelling-function coverage (votes weak, USE-Lite strong)', () => {
  it('UCB pulls the covered source in most rounds and its W2S accuracy ends at or above random', async () => {
    const out = join(dir, 'sms.json');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let printed = '';
    try {
      const code = await run([
        SMS, '--split-by', '@votes', '--weak', 'votes', '--strong', 'use-lite', '--device', 'cpu', '--seeds', '10',
        '--cache-dir', join(tmpdir(), 'overlap-density-test-cache'), '--quiet', '--out', out,
      ]);
      printed = write.mock.calls.map((c) => String(c[0])).join('');
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
    }
    console.log(printed);
    const r = JSON.parse(readFileSync(out, 'utf8')) as SelectionResult;
    expect(r.mode).toBe('split-by');
    expect(r.labelNames).toEqual(['ham', 'spam']);
    expect(r.sources.map((s) => s.name)).toEqual(['@votes = covered by a labelling function', '@votes = no labelling function fires']);
    // densities are unknown, so "optimal" is left out and the output says so
    expect(r.plan.strategies).toEqual(['ucb', 'random']);
    expect(r.plan.adjustments[0]).toMatch(/^strategy "optimal" was left out/);
    // the covered source is the dense one by detection on the whole pool
    expect(r.sources[0].detectedPoolDensity).toBeGreaterThan(r.sources[1].detectedPoolDensity + 0.2);
    const ucb = r.summary.strategies.find((s) => s.strategy === 'ucb')!;
    const random = r.summary.strategies.find((s) => s.strategy === 'random')!;
    expect(ucb.pullShare[0]).toBeGreaterThan(0.6);
    expect(ucb.pullShare[0]).toBeGreaterThan(random.pullShare[0] + 0.1);
    expect(ucb.final.accuracy!.mean).toBeGreaterThanOrEqual(random.final.accuracy!.mean);
    expect(ucb.final.detectedOverlapRatio.mean).toBeGreaterThan(random.final.detectedOverlapRatio.mean);
  });
});
