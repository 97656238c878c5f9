/**
 * bench/classes: the analysis on cached activations with more than two classes (softmax probes), ours vs the same
 * numpy/scipy reference as bench/core (bench/core_ref.py, which fits softmax probes when labels.npy holds more than
 * two classes), same files, same run, both detectors (ours default vs numpy residual, ours dot-max vs numpy dot-max).
 * Data: makeClassData (bench/lib/coreData.ts), paper widths (d_weak = 1,024, d_strong = 4,096), each class its own
 * easy and hard pattern. numpy runs on its best OpenBLAS kernel (as bench/core).
 * Env: CLASSES_N (rows, default 6000), CLASSES_C (class counts, default "2,4,10"), CLASSES_SEEDS (mixing seeds,
 * default 3).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAnalysis } from '../src/core/experiment/analyze';
import { randomThirds } from '../src/core/experiment/split';
import { createLocalInference } from '../src/inference/local';
import { ensurePythonNumpy, machineLine, table } from './common';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';
import { D_STRONG, D_WEAK, makeClassData, writeCoreFiles } from './lib/coreData';
import { loadLine } from './lib/measure';

const N = Number(process.env.CLASSES_N ?? 6000);
const CLASS_COUNTS = (process.env.CLASSES_C ?? '2,4,10').split(',').map(Number);
const SEEDS = Number(process.env.CLASSES_SEEDS ?? 3);

type Stages = { total: number; protocol: number; detection: number; mixing: number; map: number };
type Ref = {
  align: string; blas: string; classes: number; accuracy: { weak: number; strong: number; w2s: number };
  counts: { hard: number; overlap: number }; overlap: number[]; scores: (number | null)[]; seconds: Stages & { input: number };
};

async function main() {
  const py = ensurePythonNumpy();
  ensureThreadpoolctl(py);
  const kernel = bestKernel(py, process.env.CORE_OPENBLAS_CORETYPE);
  const env = openblasEnv(kernel.coretype);
  const dir = path.join(__dirname, 'classes-data');
  fs.mkdirSync(dir, { recursive: true });
  const inference = createLocalInference({ device: 'cpu' });
  const rows: string[][] = [];
  const verdicts: string[] = [];
  try {
    for (const C of CLASS_COUNTS) {
      const data = makeClassData(N, C, 1);
      const split = randomThirds(N, 0);
      await writeCoreFiles(dir, data, split);
      const input = {
        weak: { kind: 'activations' as const, acts: { rows: N, cols: D_WEAK, data: data.weak } },
        strong: { rows: N, cols: D_STRONG, data: data.strong },
        labels: data.labels, numClasses: C, split,
        encoders: { weak: { id: 'bench-weak', kind: 'arrays' as const, dim: D_WEAK }, strong: { id: 'bench-strong', kind: 'arrays' as const, dim: D_STRONG } },
      };
      for (const align of ['residual', 'dot-max'] as const) {
        const t0 = performance.now();
        const r = await runAnalysis(input, { seeds: SEEDS, pseudo: 'soft', ...(align === 'dot-max' ? { align } : {}) }, { kernel: inference.alignmentKernel() });
        const ours = (performance.now() - t0) / 1000;
        const ref: Ref = JSON.parse(execFileSync(py, [path.join(__dirname, '..', 'core_ref.py'), dir, String(SEEDS), align], {
          encoding: 'utf8', maxBuffer: 1 << 26, env,
        }));
        if (ref.classes !== C) throw new Error(`the reference read ${ref.classes} classes, expected ${C}`);
        // the partition row by row (W2S-train rows in index order)
        const w2s = r.rows.filter((row) => row.category !== null);
        const overlap = new Set(ref.overlap);
        const differ = w2s.filter((row, k) => row.category !== (ref.scores[k] === null ? 'hard' : overlap.has(k) ? 'overlap' : 'easy')).length;
        const t = r.timings as Record<string, number>;
        const label = align === 'residual' ? 'default options' : '--align dot-max';
        rows.push([
          String(C), `ours, ${label}`, ours.toFixed(1), t.protocol.toFixed(1), t.detection.toFixed(2), t.mixing.toFixed(1),
          `${r.accuracy.weak.toFixed(3)}/${r.accuracy.strong.toFixed(3)}/${r.accuracy.w2s.toFixed(3)}`,
          `${r.detection.counts.hard}/${r.detection.counts.overlap}`, `${differ}`, (ours / ref.seconds.total).toFixed(2),
        ]);
        rows.push([
          String(C), `numpy/scipy, ${align}`, ref.seconds.total.toFixed(1), ref.seconds.protocol.toFixed(1), ref.seconds.detection.toFixed(2),
          ref.seconds.mixing.toFixed(1), `${ref.accuracy.weak.toFixed(3)}/${ref.accuracy.strong.toFixed(3)}/${ref.accuracy.w2s.toFixed(3)}`,
          `${ref.counts.hard}/${ref.counts.overlap}`, '-', '1.00',
        ]);
        verdicts.push(`${C} classes, ${label}: ${(ours / ref.seconds.total).toFixed(2)} x numpy; partition ${differ === 0 ? 'equal' : `${differ} of ${w2s.length} rows differ`}`);
        if (align === 'dot-max') console.log(`${C} classes done (${loadLine()}); numpy ran ${ref.blas}`);
      }
    }
  } finally {
    await inference.dispose();
  }
  console.log(machineLine());
  console.log(`n = ${N}, d_weak = ${D_WEAK}, d_strong = ${D_STRONG}, ${SEEDS} mixing seeds (11 proportions + random baseline each), soft pseudo-labels; ${loadLine()}`);
  console.log(table(['C', 'implementation', 'total s', 'probes s', 'detect s', 'mixing s', 'weak/strong/W2S', 'hard/overlap', 'rows differ', 'x numpy'], rows));
  console.log(`numpy BLAS kernel: OPENBLAS_CORETYPE=${kernel.coretype || '(unset)'} (${kernel.timings})`);
  console.log(`verdict: ${verdicts.join('; ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
