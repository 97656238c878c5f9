/**
 * bench/arrays: `analyze --weak-acts W.npy --strong-acts S.npy --labels L.npy` (LLM activations saved as arrays, the
 * paper's setting) with the analysis's dense products on onnxruntime, as the CLI runs it since 2026-12-06, against
 * the same analysis without the kernel (the one-core WebAssembly rows and the TypeScript ridge map), which is what
 * the arrays form ran before. Same arrays, same options (3 mixing seeds), same process; the partition must be equal.
 * Env: ARR_N (rows, default 15000).
 */
import { runAnalysis, type AnalysisInput } from '../src/core/experiment/analyze';
import { randomThirds } from '../src/core/experiment/split';
import { createLocalInference } from '../src/inference/local';
import { machineLine, table } from './common';
import { D_STRONG, D_WEAK, makeCoreData } from './lib/coreData';
import { loadLine } from './lib/measure';

const N = Number(process.env.ARR_N ?? 15000);

async function main() {
  const data = makeCoreData(N, 1);
  const input: AnalysisInput = {
    weak: { kind: 'activations', acts: { rows: N, cols: D_WEAK, data: data.weak } },
    strong: { rows: N, cols: D_STRONG, data: data.strong },
    labels: data.labels, numClasses: 2, split: randomThirds(N, 0),
    encoders: { weak: { id: 'W.npy', kind: 'activations', dim: D_WEAK }, strong: { id: 'S.npy', kind: 'activations', dim: D_STRONG } },
  };
  const rows: string[][] = [];
  const partitions: string[] = [];
  const totals: number[] = [];
  for (const [name, withKernel] of [['without the kernel (the arrays form before)', false], ['with the kernel (the arrays form now)', true]] as const) {
    const backend = withKernel ? createLocalInference({ device: 'cpu' }) : undefined;
    try {
      const t0 = performance.now();
      const r = await runAnalysis(input, { seeds: 3 }, backend ? { kernel: backend.alignmentKernel() } : {});
      const total = (performance.now() - t0) / 1000;
      totals.push(total);
      const t = r.timings as Record<string, number>;
      const c = r.detection.counts;
      partitions.push(r.rows.map((x) => x.category ?? '').join(','));
      rows.push([name, total.toFixed(1), t.protocol.toFixed(1), t.detection.toFixed(2), t.mixing.toFixed(1), t.map.toFixed(2), `${c.easy}/${c.hard}/${c.overlap}`]);
    } finally {
      await backend?.dispose();
    }
  }
  console.log(machineLine());
  console.log(`n = ${N}, d_weak = ${D_WEAK}, d_strong = ${D_STRONG}, 3 mixing seeds, default options; ${loadLine()}`);
  console.log(table(['run', 'total s', 'protocol s', 'detect s', 'mixing s', 'map s', 'easy/hard/overlap'], rows));
  console.log(`verdict: the kernel makes the arrays form ${(totals[0] / totals[1]).toFixed(1)}x faster; same partition: ${partitions[0] === partitions[1]}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
