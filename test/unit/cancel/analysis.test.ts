/**
 * The whole analysis (probes, detection, mixing curve) and the file pipeline around it honour cancellation at every
 * stage: an abort stops the work with CancelledError before the next unit (no progress is reported after it), a
 * cancel click lands promptly (a small share of the uninterrupted run; the latencies are printed against the issue's
 * 1 s), and a cancelled pipeline writes no result file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { runAnalysis, type AnalysisInput } from '../../../src/core/experiment/analyze';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { alternating, cancelOnClick, expectPromptCancel, fullRunMs, gaussian, isCancelled } from './helpers';

const N = 6000;
const labels = alternating(N);
const input: AnalysisInput = {
  weak: { kind: 'activations', acts: gaussian(N, 32, labels, 0.3, 1) },
  strong: gaussian(N, 256, labels, 0.6, 2),
  labels,
  numClasses: 2,
  encoders: { weak: { id: 'weak', kind: 'activations', dim: 32 }, strong: { id: 'strong', kind: 'activations', dim: 256 } },
};
const STAGES = ['weak probe', 'strong probe', 'W2S probe', 'detecting overlap', 'mixing experiment'];

const dir = mkdtempSync(join(tmpdir(), 'overlap-cancel-analysis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A JSONL dataset with activations in its rows, so the pipeline runs without any model. */
const dataset = (() => {
  const file = join(dir, 'acts.jsonl');
  const n = 3000;
  const y = alternating(n);
  const w = gaussian(n, 16, y, 0.3, 7);
  const s = gaussian(n, 64, y, 0.6, 8);
  const row = (i: number) =>
    JSON.stringify({
      text: `row ${i}`, label: y[i],
      weak_acts: Array.from(w.data.subarray(i * 16, i * 16 + 16), (v) => Math.round(v * 1e4) / 1e4),
      strong_acts: Array.from(s.data.subarray(i * 64, i * 64 + 64), (v) => Math.round(v * 1e4) / 1e4),
    });
  writeFileSync(file, Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n');
  return file;
})();
const specs = { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' } } as const;

describe('cancelling runAnalysis', () => {
  for (const stage of STAGES) {
    it(`aborted when "${stage}" begins, it stops there with CancelledError`, async () => {
      const controller = new AbortController();
      let after = 0;
      const err = await runAnalysis(input, {}, {
        signal: controller.signal,
        progress: (s) => {
          if (controller.signal.aborted) after++;
          else if (s === stage) controller.abort();
        },
      }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect(after, 'progress reported after the abort').toBe(0);
    });
  }

  it('a cancel click in any stage ends the analysis with CancelledError, promptly', async () => {
    const latencies: number[] = [];
    const where: string[] = [];
    for (const [stage, at] of [['weak probe', 0], ['strong probe', 0], ['W2S probe', 0], ['detecting overlap', 0], ['mixing experiment', 0.6], ['mixing experiment', 0.9]] as const) {
      const r = await cancelOnClick((signal, click) =>
        runAnalysis(input, {}, { signal, progress: (s, f) => void (s === stage && f >= at && click()) }),
      );
      expect(r.finishedFirst, `the analysis sees a click in ${stage}`).toBe(false);
      expect(isCancelled(r.error), String(r.error)).toBe(true);
      latencies.push(r.latencyMs);
      where.push(stage);
    }
    const full = await fullRunMs(() => runAnalysis(input, {}, {}));
    expectPromptCancel(`runAnalysis (${N} rows, 32/256-d; clicks in ${where.join(', ')})`, latencies, full);
  });
});

describe('cancelling the file pipeline (analyzeDatasetFile)', () => {
  const stages = ['reading data', 'weak probe', 'strong probe', 'W2S probe', 'detecting overlap', 'mixing experiment', 'done'];
  for (const stage of stages) {
    it(`aborted at "${stage}", it rejects with CancelledError and writes no result file`, async () => {
      const out = join(dir, `out-${stage.replace(/\s+/g, '-')}`, 'result.json');
      const controller = new AbortController();
      const err = await analyzeDatasetFile(dataset, { ...specs, outFile: out }, {
        signal: controller.signal,
        progress: (s) => void (s === stage && controller.abort()),
      }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      expect(existsSync(out), 'no result file').toBe(false);
      expect(existsSync(join(out, '..')) ? readdirSync(join(out, '..')) : [], 'no temporary file either').toEqual([]);
    });
  }

  it('a cancel click while it reads or analyses ends it promptly, with no result file', async () => {
    const latencies: number[] = [];
    for (const stage of ['reading data', 'strong probe', 'mixing experiment']) {
      const out = join(dir, `click-${stage.replace(/\s+/g, '-')}`, 'result.json');
      const r = await cancelOnClick((signal, click) =>
        analyzeDatasetFile(dataset, { ...specs, outFile: out }, { signal, progress: (s) => void (s === stage && click()) }),
      );
      expect(r.finishedFirst, `the pipeline sees a click at ${stage}`).toBe(false);
      expect(isCancelled(r.error), String(r.error)).toBe(true);
      expect(existsSync(out), 'no result file').toBe(false);
      latencies.push(r.latencyMs);
    }
    const out = join(dir, 'full', 'result.json');
    const full = await fullRunMs(() => analyzeDatasetFile(dataset, { ...specs, outFile: out }, {}));
    expectPromptCancel('analyzeDatasetFile (3,000-row JSONL; clicks at reading data, strong probe, mixing experiment)', latencies, full);
  });
});
