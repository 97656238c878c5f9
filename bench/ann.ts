/**
 * bench/ann (issue 14, item 6): should stage 2's max |cos| over the hard rows use an approximate nearest-neighbour
 * index at large n? Compares, on bench/scale's kind of data (an easy block and a hard block per row, present or not,
 * plus noise; the keys are hard-only rows), the exact ONNX alignment kernel (what the product runs) with an HNSW index
 * from `usearch` (Apache-2.0, prebuilt binaries for linux-x64/arm64, darwin, win32-x64): build and search time, and
 * recall of the exact maximum (the approximate maximum within 1e-3 of the exact one; argmax equal).
 * |cos| is a max over the key rows and their negations, so each query searches as q and -q.
 *
 * usearch is not a dependency of the product. To run: `npm i --no-save usearch@2.26.2`, or set USEARCH_PATH to a
 * folder that has it, then `node bench/run.js ann`. Env: ANN_KEYS (default 20000), ANN_QUERIES (5000), ANN_D (1024),
 * ANN_EXPANSION (search expansion, default 64; a comma list runs each).
 */
import { createRequire } from 'node:module';
import { Rng } from '../src/core/random/rng';
import { createLocalInference } from '../src/inference/local';
import { machineLine, table } from './common';
import { fmt, loadLine } from './lib/measure';

interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads?: number): { keys: BigUint64Array; distances: Float32Array };
}
type Usearch = { Index: new (o: Record<string, unknown>) => UsearchIndex };

const NK = Number(process.env.ANN_KEYS ?? 20_000);
const NQ = Number(process.env.ANN_QUERIES ?? 5_000);
const D = Number(process.env.ANN_D ?? 1024);
const EXPANSIONS = (process.env.ANN_EXPANSION ?? '64').split(',').map(Number);

function loadUsearch(): Usearch | null {
  const req = createRequire(__filename);
  for (const where of [process.env.USEARCH_PATH, undefined]) {
    try {
      return req(where ? req.resolve('usearch', { paths: [where] }) : 'usearch') as Usearch;
    } catch {
      // try the next place
    }
  }
  return null;
}

/** Rows as bench/scale makes them: type 0 easy-only, 1 hard-only, 2 overlap. */
function rows(n: number, type: (i: number) => number, rng: Rng, theta: Float32Array): Float32Array {
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const m = type(i);
    const s = rng.next() < 0.5 ? 1 : -1;
    for (let j = 0; j < D; j++) {
      const easy = j < D / 2;
      const present = m === 2 || (easy ? m === 0 : m === 1);
      out[i * D + j] = (present ? s * theta[j]! : 0) + rng.normal();
    }
  }
  return out;
}

async function main(): Promise<void> {
  console.log(machineLine());
  const usearch = loadUsearch();
  if (!usearch) {
    console.log('usearch is not installed: npm i --no-save usearch@2.26.2 (or set USEARCH_PATH), then run again');
    process.exit(2);
  }
  const rng = new Rng(5);
  const scale = 3 / Math.sqrt(D / 2);
  const theta = Float32Array.from({ length: D }, () => scale * rng.next());
  const keys = rows(NK, () => 1, rng, theta);
  const queries = rows(NQ, (i) => (i % 2 === 0 ? 0 : 2), rng, theta); // easy-only and overlap rows ask
  const inference = createLocalInference({ device: 'cpu', threads: 1 });
  const kernel = inference.alignmentKernel();
  const km = { rows: NK, cols: D, data: keys };
  const qm = { rows: NQ, cols: D, data: queries };
  let t = performance.now();
  const exact = await kernel.maxAlignmentWithIndex(qm, km, 'abs-cosine');
  const exactS = (performance.now() - t) / 1000;
  const verdicts: string[] = [];
  const rowsOut: string[][] = [[
    'exact (ONNX kernel, 1 thread)', '-', fmt(exactS, 1), '1.000', '1.000', '0', '-',
  ]];
  const neg = Float32Array.from(queries, (v) => -v);
  for (const quantization of ['f32', 'f16']) {
    for (const expansion of EXPANSIONS) {
      t = performance.now();
      const index = new usearch.Index({
        metric: 'cos', dimensions: D, connectivity: 16, quantization, expansion_add: 128, expansion_search: expansion, multi: false,
      });
      index.add(BigUint64Array.from({ length: NK }, (_, i) => BigInt(i)), keys, 1);
      const buildS = (performance.now() - t) / 1000;
      t = performance.now();
      const pos = index.search(queries, 1, 1);
      const negR = index.search(neg, 1, 1);
      const searchS = (performance.now() - t) / 1000;
      let within = 0;
      let same = 0;
      let worst = 0;
      for (let q = 0; q < NQ; q++) {
        const a = 1 - pos.distances[q]!;
        const b = 1 - negR.distances[q]!;
        const approx = Math.max(a, b);
        const arg = Number(a >= b ? pos.keys[q] : negR.keys[q]);
        const gap = exact.max[q]! - approx;
        worst = Math.max(worst, gap);
        if (gap <= 1e-3) within++;
        if (arg === exact.argmax[q]) same++;
      }
      rowsOut.push([
        `usearch HNSW ${quantization}, expansion ${expansion}, 1 thread`, fmt(buildS, 1), fmt(searchS, 1),
        fmt(within / NQ, 3), fmt(same / NQ, 3), worst.toExponential(1), fmt((buildS + searchS) / exactS, 2),
      ]);
      const ok = within / NQ >= 0.99 && buildS + searchS < exactS;
      verdicts.push(`${quantization}/${expansion}: ${ok ? 'usable' : 'not usable'} (recall ${fmt(within / NQ, 3)}, ${fmt((buildS + searchS) / exactS, 2)} x the exact time)`);
      console.log(`done: ${quantization} expansion ${expansion} (${loadLine()})`);
    }
  }
  await inference.dispose();
  console.log(`keys (hard-only rows) ${NK}, queries (easy-only and overlap rows) ${NQ}, d ${D}; |cos| as the max of searching q and -q`);
  console.log(table(['method', 'build s', 'search s', 'recall (max within 1e-3)', 'same argmax', 'worst max gap', 'x exact time'], rowsOut));
  console.log(`verdict (an index is usable when it is faster than the exact kernel at recall >= 0.99): ${verdicts.join('; ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
