/**
 * bench/optimiser: would a truncated Newton method (Newton-CG, the LIBLINEAR/TRON family) need fewer product rounds
 * than L-BFGS for the mixing fits? Both to the fits' stop (||grad||_inf <= 1e-6) on bench/core's data (n = 15,000,
 * d = 1,024 / 4,096), on all 5,000 W2S-train rows and on subsets of the mixing fits' sizes (1,605 and 1,165 rows:
 * the default and dot-max detectors' m). Counts, not times: the rounds each reads the rows twice, whatever the
 * implementation; the reference is scipy's L-BFGS-B (bench/lib/optimiser_ref.py) on its best BLAS kernel.
 * Env: OPT_N (rows, default 15000).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeNpyFile } from '../src/core/activations/file';
import { randomThirds } from '../src/core/experiment/split';
import { ensurePythonNumpy, machineLine, table } from './common';
import { bestKernel, ensureThreadpoolctl, openblasEnv } from './lib/openblas';
import { D_STRONG, D_WEAK, makeCoreData } from './lib/coreData';

const N = Number(process.env.OPT_N ?? 15000);

async function main() {
  const py = ensurePythonNumpy();
  ensureThreadpoolctl(py);
  const kernel = bestKernel(py);
  const dir = path.join(__dirname, 'optimiser-data');
  fs.mkdirSync(dir, { recursive: true });
  const data = makeCoreData(N, 1);
  await writeNpyFile(path.join(dir, 'weak.npy'), data.weak, [N, D_WEAK]);
  await writeNpyFile(path.join(dir, 'strong.npy'), data.strong, [N, D_STRONG]);
  await writeNpyFile(path.join(dir, 'labels.npy'), data.labels, [N]);
  await writeNpyFile(path.join(dir, 'split.npy'), randomThirds(N, 0), [N]);
  const out = execFileSync(py, [path.join(__dirname, '..', 'lib', 'optimiser_ref.py'), dir], { env: openblasEnv(kernel.coretype), encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; lbfgs: number; newton_cg: number; newton_steps: number; cg: number; max_weight_diff: number }[];
  console.log(machineLine());
  console.log(`n = ${N}, d_weak = ${D_WEAK}, d_strong = ${D_STRONG}; stop ||grad||_inf <= 1e-6; numpy kernel OPENBLAS_CORETYPE=${kernel.coretype || '(default)'}`);
  console.log(table(
    ['fit rows', 'L-BFGS rounds', 'Newton-CG rounds', 'Newton steps', 'CG steps', 'Newton-CG / L-BFGS', 'max |w diff|'],
    rows.map((r) => [String(r.rows), String(r.lbfgs), String(r.newton_cg), String(r.newton_steps), String(r.cg), (r.newton_cg / r.lbfgs).toFixed(2), r.max_weight_diff.toExponential(1)]),
  ));
  const worse = rows.every((r) => r.newton_cg >= r.lbfgs);
  console.log(`verdict: Newton-CG needs ${worse ? 'as many or more' : 'fewer on some sizes:'} product rounds than L-BFGS${worse ? ' at every size: no gain for the mixing fits' : ''}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
