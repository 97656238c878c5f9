/**
 * bench/mixing (issue 14, item 1): the mixing experiment alone, batched probe fits (probe/batch.ts, the default)
 * against the same fits one after the other (`batched: false`), in the same run on the same data, interleaved.
 * Data: a seeded synthetic W2S-train matrix with soft pseudo-label targets from a noisy linear rule, a random third
 * of the rows called overlap, the W2S probe on all rows as the warm start (as in analyze.ts).
 * Cases: the paper's LLM shape (n_w2s = 5,000, d = 4,096) and SST-2's (n_w2s = 3,460, d = 512: USE-Lite on half
 * of SST-2's 6,920 training rows, 1,821 test rows).
 * A third row in the same run: the batched fits on onnxruntime's Gemm (`linalg`: two DGEMMs per round over the
 * shared rows, X resident in the kernel; the analysis's path when it has the onnxruntime alignment kernel).
 * Env: MIXING_SEEDS (10, the default of the analysis), MIXING_REPS (1: rounds of runs per case; each speed-up is
 * the median of the per-round ratios), MIXING_CASES (llm,sst2), MIXING_THREADS (onnxruntime's threads; default the product's: every core for the products).
 * Checks: every accuracy of the batched curves equals the separate one.
 */
import { mixingCurve, type MixingInput } from '../src/core/experiment/mixing';
import { rowEngine } from '../src/core/linalg/rowEngine';
import { fitProbe } from '../src/core/probe';
import { createLocalInference } from '../src/inference/local';
import { resolveProductThreads } from '../src/inference/providers';
import { machineLine, table } from './common';
import { CASES, mixingData } from './lib/mixingData';

async function main(): Promise<void> {
  console.log(machineLine());
  const seeds = Number(process.env.MIXING_SEEDS ?? 10);
  const reps = Number(process.env.MIXING_REPS ?? 1);
  const want = (process.env.MIXING_CASES ?? 'llm,sst2').split(',');
  const threads = process.env.MIXING_THREADS ? Number(process.env.MIXING_THREADS) : undefined;
  const inference = createLocalInference({ device: 'cpu', threads });
  const linalg = inference.alignmentKernel().linalg!;
  console.log(`row engine: ${rowEngine({ rows: 1, cols: 4, data: new Float32Array(4) }, 4).kind}; Gemm: ${linalg.name}, ${resolveProductThreads(threads)} thread(s); seeds ${seeds}; ${reps} round(s) per case`);
  const rows: string[][] = [];
  for (const c of CASES.filter((k) => want.includes(k.name))) {
    const dset = mixingData(c, 7);
    const t0 = performance.now();
    const init = fitProbe(dset.strongW2s, dset.targets, 2, { l2: 1e-3 });
    const initS = (performance.now() - t0) / 1000;
    const input: MixingInput = {
      ...dset, numClasses: 2, l2: 1e-3, init, seeds: Array.from({ length: seeds }, (_, s) => s),
    };
    // three ways, interleaved: separate, batched (WebAssembly pass), batched on the Gemm; reversed on the next round
    const ways = ['separate', 'batched', 'gemm'] as const;
    const secs: Record<(typeof ways)[number], number[]> = { separate: [], batched: [], gemm: [] };
    const same = { batched: true, gemm: true };
    for (let r = 0; r < reps; r++) {
      const curves: Record<string, string> = {};
      for (const way of r % 2 === 0 ? ways : [...ways].reverse()) {
        const t = performance.now();
        const curve = await mixingCurve({ ...input, batched: way !== 'separate', linalg: way === 'gemm' ? linalg : undefined });
        secs[way].push((performance.now() - t) / 1000);
        curves[way] = JSON.stringify([...curve!.perSeed, curve!.randomBaseline!.perSeed]);
      }
      same.batched &&= curves.batched === curves.separate;
      same.gemm &&= curves.gemm === curves.separate;
    }
    const med = (v: number[]) => {
      const o = [...v].sort((a, b) => a - b);
      const h = Math.floor(o.length / 2);
      return o.length % 2 ? o[h] : (o[h - 1] + o[h]) / 2;
    };
    const fits = seeds * 12; // 11 proportions + the random baseline per seed
    const list = (v: number[]) => v.map((x) => x.toFixed(1)).join(', ');
    console.log(`${c.name}: n_w2s ${c.n}, d ${c.d}, m ${Math.min(dset.overlap.length, dset.nonOverlap.length)}, ${fits} fits, warm start ${initS.toFixed(1)} s (${init.fit.iterations} it); separate ${list(secs.separate)} s; batched ${list(secs.batched)} s; gemm ${list(secs.gemm)} s`);
    const speedup = (num: number[], den: number[]) => {
      const ratios = num.map((v, r) => v / den[r]);
      return `${med(ratios).toFixed(2)}${ratios.length > 1 ? ` (${ratios.map((v) => v.toFixed(2)).join(', ')})` : ''}`;
    };
    rows.push([
      c.name, String(c.n), String(c.d), String(fits), med(secs.separate).toFixed(1), med(secs.batched).toFixed(1),
      med(secs.gemm).toFixed(1), speedup(secs.separate, secs.batched), speedup(secs.separate, secs.gemm),
      speedup(secs.batched, secs.gemm), same.batched ? 'yes' : 'NO', same.gemm ? 'yes' : 'NO',
    ]);
  }
  await inference.dispose();
  console.log(table([
    'case', 'n_w2s', 'd', 'fits', 'separate s', 'batched s', 'gemm s', 'batched speed-up', 'gemm speed-up',
    'gemm vs batched', 'same acc. (batched)', 'same acc. (gemm)',
  ], rows));
  if (rows.some((r) => r[10] !== 'yes' || r[11] !== 'yes')) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
