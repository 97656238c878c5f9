import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { defaultResultPath, loadResult } from '../../../src/pipeline/results';

/** The pipeline on a synthetic JSONL file: activations from row fields, ground truth from `membership`. */
describe('analyzeDatasetFile on a synthetic JSONL with activations and membership', () => {
  it('writes a result with line numbers, a partition of W2S-train and ground-truth scores', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'od-pipe-'));
    const file = path.join(dir, 'synth.jsonl');
    const data = generateSynthetic({ scenario: 'mixed', nOverlap: 400, nNonOverlap: 800, seed: 3 });
    await fs.writeFile(file, syntheticJsonl(data));
    const { result, resultPath } = await analyzeDatasetFile(file, {
      weak: { kind: 'field', field: 'weak_acts' },
      strong: { kind: 'field', field: 'strong_acts' },
      analysis: { seeds: 2, pseudo: 'hard' },
    });
    expect(resultPath).toBe(defaultResultPath(file));
    const onDisk = await loadResult(resultPath);
    expect(onDisk.detection.counts).toEqual(result.detection.counts);
    expect(result.rows).toHaveLength(1200);
    // JSONL: row i starts on line i + 1.
    expect(result.rows.every((r) => r.line === r.index + 1)).toBe(true);
    const w2s = result.rows.filter((r) => r.split === 'w2s-train');
    expect(w2s.every((r) => r.category !== null)).toBe(true);
    expect(result.rows.filter((r) => r.split !== 'w2s-train').every((r) => r.category === null)).toBe(true);
    const c = result.detection.counts;
    expect(c.easy + c.hard + c.overlap).toBe(w2s.length);
    expect(result.groundTruth).toBeDefined();
    // dot-max finds overlap far better than chance on the mixed scenario (METHOD.md: P ~0.86, R ~0.60).
    expect(result.groundTruth!.perCategory.overlap.precision!).toBeGreaterThan(0.6);
    expect(result.groundTruth!.trueOverlapDensity).toBeGreaterThan(0.25);
    expect(result.map?.rowIndex).toHaveLength(w2s.length);
    expect(new Set(result.map!.rowIndex)).toEqual(new Set(w2s.map((r) => r.index)));
    expect(result.dataset.contentHash).toMatch(/^[0-9a-f]{64}$/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
