/**
 * bench/gpu: the alignment kernel and both bundled encoders on every execution provider that onnxruntime-node lists
 * (`ort.listSupportedBackends()`). Each provider is forced through the product's own code (createLocalInference with
 * a session factory that opens sessions on that provider only, so nothing falls back to CPU unnoticed); a provider
 * that cannot open a session is reported with onnxruntime's reason. Working providers are timed on the same work as
 * CPU and their outputs compared with CPU's.
 * Then the whole analysis (issue 14): runAnalysis with default options on bench/core's data (GPU_CORE_N rows,
 * default 15,000, d 1,024 / 4,096, 3 mixing seeds) with that provider's alignment kernel and dense-product kernel
 * (Gemm), timed and compared with the CPU provider's result (accuracies, partition row by row). Nodes a provider has
 * no kernel for (Float64 Gemm on WebGPU) run on onnxruntime's CPU provider inside the same session.
 * Env: GPU_SENTENCES (default 500), GPU_ALIGN (nq x nk x d, default 2500x2500x512), GPU_CORE_N (0 skips the analysis).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAnalysis } from '../src/core/experiment/analyze';
import { randomThirds } from '../src/core/experiment/split';
import type { Matrix } from '../src/core/linalg/matrix';
import { Rng } from '../src/core/random/rng';
import { createLocalInference } from '../src/inference/local';
import { firstLine } from '../src/inference/providers';
import { loadOrt } from '../src/inference/ort';
import { createOrtSession, type SessionFactory } from '../src/inference/sessions';
import { machineLine, table } from './common';
import { D_STRONG, D_WEAK, makeCoreData } from './lib/coreData';
import { fmt, loadLine, timed } from './lib/measure';

const SENTENCES = Number(process.env.GPU_SENTENCES ?? 500);
const CORE_N = Number(process.env.GPU_CORE_N ?? 15000);
const [NQ, NK, D] = (process.env.GPU_ALIGN ?? '2500x2500x512').split('x').map(Number) as [number, number, number];

function randomMatrix(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows, cols, data };
}

/** What the machine has that a GPU provider would need, for the "why" column. */
function hardwareNote(): string {
  const has = (p: string) => fs.existsSync(p);
  const nvidia = fs.existsSync('/dev') && fs.readdirSync('/dev').some((f) => f.startsWith('nvidia'));
  const vulkan = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(has);
  const ortDir = path.dirname(require.resolve('onnxruntime-node/package.json', { paths: [process.cwd()] }));
  const cudaLib = fs.existsSync(path.join(ortDir, 'bin')) && JSON.stringify(walk(path.join(ortDir, 'bin'))).includes('providers_cuda');
  return `NVIDIA device nodes: ${nvidia ? 'yes' : 'none'}; /dev/dri: ${has('/dev/dri') ? 'yes' : 'none'}; Vulkan loader: ${vulkan ? 'yes' : 'none'}; ` +
    `onnxruntime CUDA provider library: ${cudaLib ? 'present' : 'absent (installed with ONNXRUNTIME_NODE_INSTALL=skip)'}`;
}

function walk(dir: string, depth = 0): string[] {
  if (depth > 5) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), depth + 1) : [e.name]));
}

interface EpOutcome {
  ep: string;
  ok: boolean;
  why?: string;
  useLite?: number;
  glove?: number;
  align?: number;
  diff?: { useLite: number; glove: number; align: number };
  /** The whole analysis: seconds, and how it compares with the CPU provider's. */
  analysis?: { seconds: number; accuracy: string; sameAsCpu: string };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

async function main() {
  const ort = await loadOrt();
  const listed = ort.listSupportedBackends();
  const texts = fs.readFileSync('/work/shared/data/sst2/stsa.binary.train', 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, SENTENCES).map((l) => l.slice(2));
  const query = randomMatrix(NQ, D, 1);
  const keys = randomMatrix(NK, D, 2);
  const gflop = (2 * NQ * NK * D) / 1e9;
  const outcomes: EpOutcome[] = [];
  let cpuOut: { useLite: Float32Array; glove: Float32Array; align: Float64Array } | undefined;
  const core = CORE_N > 0 ? makeCoreData(CORE_N, 1) : undefined;
  const coreInput = core && {
    weak: { kind: 'activations' as const, acts: { rows: CORE_N, cols: D_WEAK, data: core.weak } },
    strong: { rows: CORE_N, cols: D_STRONG, data: core.strong },
    labels: core.labels, numClasses: 2, split: randomThirds(CORE_N, 0),
    encoders: { weak: { id: 'gpu-weak', kind: 'arrays' as const, dim: D_WEAK }, strong: { id: 'gpu-strong', kind: 'arrays' as const, dim: D_STRONG } },
  };
  let cpuCategories: (string | null)[] | undefined;
  // CPU first: it is the reference the other providers' outputs are compared with.
  const order = [...listed].sort((a, b) => (a.name === 'cpu' ? -1 : b.name === 'cpu' ? 1 : 0));
  for (const backend of order) {
    const ep = backend.name;
    // Sessions on this provider only: the pool asks for 'cpu' (device 'cpu' plans no fallback) and gets `ep`.
    const factory: SessionFactory = (o, model, _provider, threads, products) => createOrtSession(o, model, ep as 'cpu', threads, products);
    const inference = createLocalInference({ device: 'cpu', sessionFactory: factory });
    try {
      const useLite = await inference.textEncoder({ kind: 'bundled', id: 'use-lite' });
      const glove = await inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 2000 });
      const kernel = inference.alignmentKernel();
      await useLite.encode(texts.slice(0, 64));
      await glove.encode(texts.slice(0, 64));
      await kernel.maxAlignmentWithIndex({ rows: 8, cols: D, data: query.data.subarray(0, 8 * D) }, keys, 'abs-cosine');
      const u = await timed(() => useLite.encode(texts));
      const g = await timed(() => glove.encode(texts));
      const a = await timed(() => kernel.maxAlignmentWithIndex(query, keys, 'abs-cosine'));
      const out = { useLite: u.value.data, glove: g.value.data, align: a.value.max };
      const diff = cpuOut
        ? { useLite: maxAbsDiff(out.useLite, cpuOut.useLite), glove: maxAbsDiff(out.glove, cpuOut.glove), align: maxAbsDiff(out.align, cpuOut.align) }
        : undefined;
      if (ep === 'cpu') cpuOut = out;
      let analysis: EpOutcome['analysis'];
      if (coreInput) {
        const r = await timed(() => runAnalysis(coreInput, { seeds: 3, pseudo: 'soft' }, { kernel }));
        const categories = r.value.rows.map((row) => row.category);
        if (ep === 'cpu') cpuCategories = categories;
        const differ = cpuCategories ? categories.filter((c, i) => c !== cpuCategories![i]).length : NaN;
        const acc = r.value.accuracy;
        analysis = {
          seconds: r.seconds, accuracy: `${fmt(acc.weak, 3)}/${fmt(acc.strong, 3)}/${fmt(acc.w2s, 3)}`,
          sameAsCpu: ep === 'cpu' ? '(reference)' : `${differ} rows in another category`,
        };
      }
      outcomes.push({ ep, ok: true, useLite: texts.length / u.seconds, glove: texts.length / g.seconds, align: gflop / a.seconds, diff, analysis });
    } catch (e) {
      outcomes.push({ ep, ok: false, why: firstLine(e) });
    } finally {
      await inference.dispose();
    }
  }
  const notListed = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'].filter((p) => !listed.some((b) => b.name === p));
  console.log(machineLine());
  console.log(loadLine());
  console.log(`onnxruntime-node lists: ${listed.map((b) => `${b.name}${b.bundled === false ? ' (needs separately installed libraries)' : ''}`).join(', ')}`);
  console.log(`hardware: ${hardwareNote()}`);
  console.log(`work: USE-Lite and GloVe-mean (K=2000) on ${texts.length} SST-2 sentences (batches of 64), align kernel abs-cosine ${NQ} x ${NK} x ${D} (${fmt(gflop, 1)} GFLOP); default threads (encoders 1 on <= 2 cores, products every core, not spinning)` +
    (coreInput ? `; whole analysis: default options on ${CORE_N} x ${D_WEAK} / ${D_STRONG} activations, 3 mixing seeds` : ''));
  console.log(
    table(
      ['execution provider', 'status', 'USE-Lite sent/s', 'GloVe sent/s', 'align GFLOP/s', 'max |diff| vs CPU (use/glove/align)', 'analysis s', 'weak/strong/W2S', 'partition vs CPU', 'why not'],
      outcomes.map((o) => [
        o.ep, o.ok ? 'ran' : 'unavailable',
        o.ok ? fmt(o.useLite!, 0) : '-', o.ok ? fmt(o.glove!, 0) : '-', o.ok ? fmt(o.align!, 1) : '-',
        o.diff ? `${o.diff.useLite.toExponential(1)} / ${o.diff.glove.toExponential(1)} / ${o.diff.align.toExponential(1)}` : o.ok ? '(reference)' : '-',
        o.analysis ? fmt(o.analysis.seconds, 1) : '-', o.analysis?.accuracy ?? '-', o.analysis?.sameAsCpu ?? '-',
        o.why ?? '',
      ]),
    ),
  );
  if (notListed.length) console.log(`not in this build's list (platform-specific or not built in): ${notListed.join(', ')}`);
  const ran = outcomes.filter((o) => o.ok).map((o) => o.ep);
  const unavailable = outcomes.filter((o) => !o.ok).map((o) => o.ep);
  const accel = ran.filter((e) => e !== 'cpu');
  console.log(
    `verdict: ran on ${ran.join(', ') || 'nothing'}; unavailable here: ${unavailable.join(', ') || 'none'} (reasons above); ` +
      (accel.length ? `accelerated: ${accel.join(', ')}` : 'no accelerator could be measured on this machine'),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
