/**
 * bench/sst2: end to end on SST-2 (../shared/data/sst2 train + --test-file test) with the bundled encoders
 * (GloVe-mean K = 2000 weak, USE-Lite strong): the CLI `dist/cli.js analyze` in a child process, cold (empty activation
 * cache) and warm (same cache), wall seconds and the per-stage timings from result.timings. Goal: < 60 s cold on
 * this 2-core machine. The cache and the result go to a temporary folder, never next to the shared data.
 * Env: SST2_ROUNDS (cold+warm pairs, default 3). Needs dist/ (`node esbuild.js`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisResult } from '../src/core/result/schema';
import { machineLine, table } from './common';
import { fmt, loadLine, median } from './lib/measure';

const ROUNDS = Number(process.env.SST2_ROUNDS ?? 3);
const DATA = '/work/shared/data/sst2';
const TRAIN = path.join(DATA, 'stsa.binary.train');
const TEST = path.join(DATA, 'stsa.binary.test');
const CLI = path.join(process.cwd(), 'dist', 'cli.js');
const GNU_TIME = '/usr/bin/time';

interface Run {
  kind: 'cold' | 'warm';
  wall: number;
  peakMiB: number;
  /** User + system CPU seconds of the child: what the run costs regardless of how busy the machine is. */
  cpuSeconds: number;
  result: AnalysisResult;
}

/** One CLI analysis; wall time from spawn to exit (Node start, module load and session creation included). */
function analyze(kind: Run['kind'], cacheDir: string, outFile: string): Run {
  const args = [CLI, 'analyze', TRAIN, '--test-file', TEST, '--cache-dir', cacheDir, '--out', outFile, '--quiet'];
  // GNU time, where installed, reports the child's peak resident set and CPU time (Node cannot ask for RUSAGE_CHILDREN).
  const rssFile = `${outFile}.maxrss`;
  const [cmd, argv] = fs.existsSync(GNU_TIME)
    ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, process.execPath, ...args]]
    : [process.execPath, args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`cli analyze failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  const result = JSON.parse(fs.readFileSync(outFile, 'utf8')) as AnalysisResult;
  const [maxKb, user, sys] = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
  return { kind, wall, peakMiB: maxKb! / 1024, cpuSeconds: user! + sys!, result };
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.js\` first`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'overlap-bench-sst2-'));
  const runs: Run[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const cache = path.join(base, `cache-${r}`);
      runs.push(analyze('cold', cache, path.join(base, `cold-${r}.result.json`)));
      runs.push(analyze('warm', cache, path.join(base, `warm-${r}.result.json`)));
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  const stages = ['read', 'strongActivations', 'weakActivations', 'protocol', 'detection', 'mixing', 'total'];
  const rows = runs.map((run, i) => [
    `${run.kind} #${Math.floor(i / 2) + 1}`, fmt(run.wall, 1), fmt(run.cpuSeconds, 1),
    ...stages.map((s) => fmt(run.result.timings[s] ?? NaN, s === 'read' || s === 'detection' ? 2 : 1)),
    `${run.result.timings.strongCacheHits ?? 0}+${run.result.timings.weakCacheHits ?? 0}`,
    fmt(run.peakMiB, 0),
    run.result.device,
  ]);
  const first = runs[0]!.result;
  const cold = median(runs.filter((r) => r.kind === 'cold').map((r) => r.wall));
  const warm = median(runs.filter((r) => r.kind === 'warm').map((r) => r.wall));
  const coldWalls = runs.filter((r) => r.kind === 'cold').map((r) => r.wall);
  const coldCpu = median(runs.filter((r) => r.kind === 'cold').map((r) => r.cpuSeconds));
  console.log(machineLine());
  console.log(loadLine());
  console.log(
    `SST-2: ${first.dataset.rows} rows (train ${first.dataset.rows - first.dataset.splits.test} + test ${first.dataset.splits.test}), ` +
      `weak ${first.encoders.weak.id}, strong ${first.encoders.strong.id}, mixing seeds ${first.options.seeds}; CLI defaults (threads: 1 on <= 2 cores)`,
  );
  console.log(table(['run', 'wall s', 'CPU s', ...stages.map((s) => `${s.replace('Activations', ' enc')} s`), 'cache hits s+w', 'peak RSS MiB', 'EP (result.device)'], rows));
  console.log(
    `result: weak ${fmt(first.accuracy.weak, 3)}, strong ${fmt(first.accuracy.strong, 3)}, W2S ${fmt(first.accuracy.w2s, 3)}, PGR ${fmt(first.pgr ?? NaN, 2)}, ` +
      `overlap density ${fmt(first.detection.overlapDensity, 3)}, regime ${first.regime.label}`,
  );
  console.log(
    `verdict: cold ${fmt(cold, 1)} s wall (median of ${ROUNDS}; range ${fmt(Math.min(...coldWalls), 1)}-${fmt(Math.max(...coldWalls), 1)} s; ${fmt(coldCpu, 1)} CPU s), ` +
      `warm ${fmt(warm, 1)} s (${fmt(cold / warm, 1)}x faster); goal < 60 s cold: ${cold < 60 ? 'MET' : 'NOT MET'}${Math.max(...coldWalls) >= 60 ? ' (median; not every cold run was under 60 s on this shared machine)' : ''}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
