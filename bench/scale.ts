/**
 * bench/scale: runAnalysis (probes, detection, mixing curve, PCA map) on synthetic activations at growing n:
 * 512-d strong / 128-d weak (the weak side is a subset of the strong columns) at 25k, 50k, 100k rows, and
 * 128-d strong / 32-d weak at 125k ... 1M rows, and the paper's shape scaled down (issue 14 item 6: 1,024-d strong /
 * 256-d weak, default 100k and 1M rows, 1 mixing seed). Each configuration runs in its own child process so its peak RSS
 * (VmHWM) is its own. The alignment kernel is the ONNX one (what the CLI uses), 1 intra-op thread.
 * A log-log least-squares fit of time against n states how cost grows; the detection stage (a max over all
 * pairs of non-hard x hard rows) is fitted on its own.
 * The rows' true type (easy-only, hard-only, overlap) is known, so each run also reports the overlap F1 against it.
 * Env: SCALE_SEEDS_512 (mixing seeds, default 3), SCALE_SEEDS_128 / SCALE_SEEDS_1024 (default 1), SCALE_N_512,
 * SCALE_N_128, SCALE_N_1024 (comma lists; empty skips a series), SCALE_TIMEOUT_S (per configuration, default 900).
 */
import { spawnSync } from 'node:child_process';
import { runAnalysis } from '../src/core/experiment/analyze';
import { Rng } from '../src/core/random/rng';
import { createLocalInference } from '../src/inference/local';
import { resolveProductThreads } from '../src/inference/providers';
import { machineLine, table } from './common';
import { fmt, loadLine, logLogFit, peakRssMiB } from './lib/measure';

interface Config {
  n: number;
  d: number;
  dWeak: number;
  seeds: number;
}

interface Outcome extends Config {
  seconds: number;
  genSeconds: number;
  timings: Record<string, number>;
  peakMiB: number;
  inputMiB: number;
  counts: { easy: number; hard: number; overlap: number };
  accuracy: { weak: number; strong: number; w2s: number };
  /** Overlap precision / recall / F1 on the W2S-train rows against the rows' true type. */
  overlapF1: { precision: number | null; recall: number | null; f1: number | null } | null;
  align: string;
}

const list = (s: string | undefined, dflt: number[]) => (s !== undefined ? s.split(',').filter(Boolean).map(Number) : dflt);
const N512 = list(process.env.SCALE_N_512, [25_000, 50_000, 100_000]);
const N128 = list(process.env.SCALE_N_128, [125_000, 250_000, 500_000, 1_000_000]);
const SEEDS_512 = Number(process.env.SCALE_SEEDS_512 ?? 3);
const SEEDS_128 = Number(process.env.SCALE_SEEDS_128 ?? 1);
const N1024 = list(process.env.SCALE_N_1024, [100_000, 1_000_000]);
const SEEDS_1024 = Number(process.env.SCALE_SEEDS_1024 ?? 1);
const TIMEOUT_S = Number(process.env.SCALE_TIMEOUT_S ?? 900);
/** onnxruntime threads (SCALE_THREADS); default: the product's (encoders 1 on <= 2 cores, products every core). */
const THREADS = process.env.SCALE_THREADS ? Number(process.env.SCALE_THREADS) : undefined;

/**
 * Rows carry an easy block (first half of the columns, which the weak side partly sees) and a hard block (second half,
 * strong only), each present or not: easy-only, hard-only and overlap rows in equal shares.
 */
function makeData(c: Config, seed: number) {
  const rng = new Rng(seed);
  const half = c.d / 2;
  const scale = 3 / Math.sqrt(half);
  const theta = Float32Array.from({ length: c.d }, () => scale * rng.next());
  const labels = new Int32Array(c.n);
  const membership = new Uint8Array(c.n); // 0 easy-only, 1 hard-only, 2 overlap (core/detect/types.ts's order)
  const strong = new Float32Array(c.n * c.d);
  const weak = new Float32Array(c.n * c.dWeak);
  for (let i = 0; i < c.n; i++) {
    const y = rng.next() < 0.5 ? 0 : 1;
    labels[i] = y;
    const s = y ? 1 : -1;
    const m = rng.int(3); // 0 easy-only, 1 hard-only, 2 overlap
    membership[i] = m;
    const row = i * c.d;
    for (let j = 0; j < c.d; j++) {
      const easy = j < half;
      const present = m === 2 || (easy ? m === 0 : m === 1);
      strong[row + j] = (present ? s * theta[j]! : 0) + rng.normal();
    }
    weak.set(strong.subarray(row, row + c.dWeak), i * c.dWeak);
  }
  return { labels, strong, weak, membership };
}

/** One configuration, in this (child) process; prints its outcome as JSON. */
async function child(c: Config): Promise<void> {
  const t0 = performance.now();
  const data = makeData(c, 1);
  const genSeconds = (performance.now() - t0) / 1000;
  const inference = createLocalInference({ device: 'cpu', threads: THREADS });
  const t1 = performance.now();
  const result = await runAnalysis(
    {
      weak: { kind: 'activations', acts: { rows: c.n, cols: c.dWeak, data: data.weak } },
      strong: { rows: c.n, cols: c.d, data: data.strong },
      labels: data.labels,
      numClasses: 2,
      encoders: { weak: { id: 'scale-weak', kind: 'arrays', dim: c.dWeak }, strong: { id: 'scale-strong', kind: 'arrays', dim: c.d } },
      membership: data.membership,
    },
    { seeds: c.seeds },
    { kernel: inference.alignmentKernel() },
  );
  const seconds = (performance.now() - t1) / 1000;
  await inference.dispose();
  const out: Outcome = {
    ...c, seconds, genSeconds, timings: result.timings, peakMiB: peakRssMiB(),
    inputMiB: (data.strong.byteLength + data.weak.byteLength) / 2 ** 20,
    counts: result.detection.counts, accuracy: result.accuracy, align: result.options.align,
    overlapF1: result.groundTruth
      ? {
        precision: result.groundTruth.perCategory.overlap.precision,
        recall: result.groundTruth.perCategory.overlap.recall,
        f1: result.groundTruth.perCategory.overlap.f1,
      }
      : null,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(c: Config): Outcome | { timedOut: true; config: Config; error: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', __filename], {
    env: { ...process.env, SCALE_CHILD: JSON.stringify(c) },
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    return { timedOut: true, config: c, error: r.error ? String(r.error) : (r.stderr || `exit ${r.status}`).split('\n').slice(-5).join(' ') };
  }
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Outcome;
}

async function parent(): Promise<void> {
  const series: { name: string; configs: Config[] }[] = [
    { name: '512-d', configs: N512.map((n) => ({ n, d: 512, dWeak: 128, seeds: SEEDS_512 })) },
    { name: '128-d', configs: N128.map((n) => ({ n, d: 128, dWeak: 32, seeds: SEEDS_128 })) },
    { name: '1024-d', configs: N1024.map((n) => ({ n, d: 1024, dWeak: 256, seeds: SEEDS_1024 })) },
  ];
  const rows: string[][] = [];
  const fits: string[] = [];
  const failures: string[] = [];
  const loads: string[] = [];
  const outcomes: Outcome[] = [];
  for (const s of series) {
    const done: Outcome[] = [];
    for (const c of s.configs) {
      console.log(`running n = ${c.n}, d = ${c.d} ... (${loadLine()})`);
      const o = runChild(c);
      loads.push(loadLine());
      if ('timedOut' in o) {
        failures.push(`${s.name} n = ${c.n}: did not finish (${o.error})`);
        break; // larger n would not finish either
      }
      done.push(o);
      outcomes.push(o);
      const t = o.timings;
      rows.push([
        `${o.n.toLocaleString('en-US')} x ${o.d} (weak ${o.dWeak})`, String(o.seeds), fmt(o.seconds, 1), fmt(t.protocol ?? NaN, 1),
        fmt(t.detection ?? NaN, 1), fmt(t.mixing ?? NaN, 1), fmt(o.seconds - (t.protocol ?? 0) - (t.detection ?? 0) - (t.mixing ?? 0), 1),
        fmt(o.inputMiB, 0), fmt(o.peakMiB, 0), `${o.counts.easy}/${o.counts.hard}/${o.counts.overlap}`,
        `${fmt(o.accuracy.weak, 3)}/${fmt(o.accuracy.strong, 3)}/${fmt(o.accuracy.w2s, 3)}`,
        o.overlapF1 ? `${fmt(o.overlapF1.precision ?? NaN, 3)}/${fmt(o.overlapF1.recall ?? NaN, 3)}/${fmt(o.overlapF1.f1 ?? NaN, 3)}` : '-',
      ]);
    }
    if (done.length >= 2) {
      const ns = done.map((o) => o.n);
      const total = logLogFit(ns, done.map((o) => o.seconds));
      const det = logLogFit(ns, done.map((o) => o.timings.detection ?? NaN));
      const rest = logLogFit(ns, done.map((o) => o.seconds - (o.timings.detection ?? 0)));
      const rss = logLogFit(ns, done.map((o) => o.peakMiB));
      let line = `${s.name}: time ~ n^${fmt(total.slope, 2)} overall (detection ~ n^${fmt(det.slope, 2)}, everything else ~ n^${fmt(rest.slope, 2)}), peak RSS ~ n^${fmt(rss.slope, 2)}`;
      const last = s.configs[s.configs.length - 1]!;
      if (done.length < s.configs.length) {
        const pred = Math.exp(total.intercept) * last.n ** total.slope;
        line += `; extrapolated to n = ${last.n.toLocaleString('en-US')}: ~${fmt(pred, 0)} s`;
      }
      fits.push(line);
    }
  }
  console.log(machineLine());
  for (const l of new Set(loads)) console.log(`after a configuration: ${l}`);
  const aligns = [...new Set(outcomes.map((o) => o.align))].join(', ') || '-';
  console.log(`runAnalysis with default options (detector: ${aligns}) and the ONNX alignment kernel (CPU, ${THREADS === undefined ? `default threads: ${resolveProductThreads(undefined)} for the products` : `${THREADS} thread(s)`}; its Float64 Gemm for the ridge map and the mixing fits), jump 5; mixing seeds: ${SEEDS_512} for 512-d, ${SEEDS_128} for 128-d, ${SEEDS_1024} for 1024-d (11 proportions + random baseline each)`);
  console.log(table(['rows x dim', 'seeds', 'total s', 'probes s', 'detect s', 'mixing s', 'other s', 'input MiB', 'peak RSS MiB', 'easy/hard/overlap', 'weak/strong/W2S acc', 'overlap P/R/F1 vs truth'], rows));
  for (const f of fits) console.log(`fit: ${f}`);
  for (const f of failures) console.log(`not finished: ${f}`);
  const status = (n: number, d: number) => {
    const o = outcomes.find((x) => x.n === n && x.d === d);
    if (o) return `${fmt(o.seconds, 0)} s, peak RSS ${fmt(o.peakMiB, 0)} MiB`;
    return series.some((s) => s.configs.some((c) => c.n === n && c.d === d)) ? `did not finish within ${TIMEOUT_S} s` : 'not run';
  };
  console.log(`verdict: 100k x 512 ${status(100_000, 512)}; 1M x 128 ${status(1_000_000, 128)}; 1M x 1024 (weak 256) ${status(1_000_000, 1024)}; ${fits.join(' | ')}`);
}

const spec = process.env.SCALE_CHILD;
(spec ? child(JSON.parse(spec) as Config) : parent()).catch((e) => {
  console.error(e);
  process.exit(1);
});
