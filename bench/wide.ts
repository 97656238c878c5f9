/**
 * bench/wide: the CLI's default analysis when the weak model is as wide as the strong one (4,096: an 8B model as the
 * weak side), as a user runs it: `overlap-density analyze --weak-acts weak.npy --strong-acts strong.npy --labels
 * labels.npy` on WIDE_N rows (default 15,000). Strong: bench/core's 4,096-wide rows; weak: their easy half (2,048
 * columns) plus 2,048 columns of noise, so the weak side sees the easy pattern only and its Gram matrix has full rank.
 * The residual detector's ridge map then needs the 4,096-wide tridiagonal form (docs/benchmarks.md, "The residual
 * detector at a 4,096-wide weak model"). Runs dist/cli.js (build first: `node esbuild.js`), default options and
 * `--align dot-max`, and with WIDE_BEFORE=/path/to/older/dist/cli.js also that build's default run, alternating, so
 * two versions compare in the same run; prints each run's stage timings (the result's `timings`) and checks that the
 * partitions of the default runs agree row for row. Env: WIDE_N, WIDE_ROUNDS (default 1), WIDE_BEFORE.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { Rng } from '../src/core/random/rng';
import { machineLine, table } from './common';
import { D_STRONG, makeCoreData } from './lib/coreData';
import { loadLine, median } from './lib/measure';

const N = Number(process.env.WIDE_N ?? 15000);
const ROUNDS = Number(process.env.WIDE_ROUNDS ?? 1);
const BEFORE = process.env.WIDE_BEFORE;
const WEAK = 4096;

interface Run {
  wall: number;
  timings: Record<string, number>;
  categories: string;
  counts: { easy: number; hard: number; overlap: number };
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(loadLine());
  const { labels, strong } = makeCoreData(N, 7);
  const rng = new Rng(99);
  const weak = new Float32Array(N * WEAK);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < WEAK; j++) weak[i * WEAK + j] = j < D_STRONG / 2 ? strong[i * D_STRONG + j] : rng.normal();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wide-'));
  try {
    await writeNpyFile(path.join(dir, 'weak.npy'), weak, [N, WEAK]);
    await writeNpyFile(path.join(dir, 'strong.npy'), strong, [N, D_STRONG]);
    await writeNpyFile(path.join(dir, 'labels.npy'), labels, [N]);
    const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error(`no ${cli}: run node esbuild.js first`);
    const variants = [
      { name: 'this build, default options', cli, args: [] as string[] },
      ...(BEFORE ? [{ name: `WIDE_BEFORE (${BEFORE}), default options`, cli: BEFORE, args: [] as string[] }] : []),
      { name: 'this build, --align dot-max', cli, args: ['--align', 'dot-max'] },
    ];
    const runs = variants.map(() => [] as Run[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [k, v] of variants.entries()) {
        const out = path.join(dir, `result-${k}.json`);
        const t0 = performance.now();
        execFileSync(process.execPath, [v.cli, 'analyze', '--weak-acts', path.join(dir, 'weak.npy'), '--strong-acts', path.join(dir, 'strong.npy'),
          '--labels', path.join(dir, 'labels.npy'), '--out', out, '--force', '--quiet', ...v.args], { stdio: ['ignore', 'ignore', 'inherit'] });
        const wall = (performance.now() - t0) / 1000;
        const r = JSON.parse(fs.readFileSync(out, 'utf8'));
        runs[k].push({
          wall, timings: r.timings, categories: r.rows.map((x: { category?: string }) => x.category ?? '').join(','),
          counts: r.detection.counts,
        });
      }
    }
    const rows = variants.map((v, k) => {
      const rs = runs[k];
      const med = (f: (r: Run) => number) => median(rs.map(f)).toFixed(1);
      const c = rs[0].counts;
      return [v.name, med((r) => r.wall), rs.map((r) => r.wall.toFixed(1)).join(', '), med((r) => r.timings.protocol), med((r) => r.timings.detection),
        med((r) => r.timings.mixing), `${c.overlap}/${c.easy}/${c.hard}`];
    });
    console.log(`\n${N} rows, weak ${WEAK} wide, strong ${D_STRONG} wide, the CLI's analyze on .npy arrays, median of ${ROUNDS} alternating rounds`);
    console.log(table(['run', 'wall s', 'per round', 'probes s', 'detection s', 'mixing s', 'overlap/easy/hard'], rows));
    const defaults = variants.map((v, k) => (v.args.length === 0 ? k : -1)).filter((k) => k >= 0);
    const same = defaults.every((k) => runs[k].every((r) => r.categories === runs[defaults[0]][0].categories));
    console.log(`default runs' partitions equal row for row: ${same}`);
    if (BEFORE) {
      const ratio = median(runs[0].map((r) => r.wall)) / median(runs[1].map((r) => r.wall));
      console.log(`verdict: this build ${ratio.toFixed(2)} x WIDE_BEFORE's wall time (default options)`);
    } else console.log(`verdict: default options ${median(runs[0].map((r) => r.wall)).toFixed(1)} s (no WIDE_BEFORE to compare)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
