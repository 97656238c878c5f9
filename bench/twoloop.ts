/**
 * bench/twoloop: L-BFGS's two-loop recursion at the strong probes' width (4,097 = 4,096 weights and a bias, 10 history
 * pairs), fused passes (`twoLoop` in core/probe/lbfgs.ts) against separate dot and axpy passes (the code before),
 * interleaved in the same run. The mixing experiment computes ~3,600 such directions per analysis at bench/core's
 * size. The two give bitwise the same direction (checked here and in test/unit/probe/lbfgs.test.ts).
 */
import { dot } from '../src/core/linalg/gemv';
import { twoLoop } from '../src/core/probe/lbfgs';
import { machineLine, table } from './common';
import { loadLine, median } from './lib/measure';

function separate(g: Float64Array, d: Float64Array, s: Float64Array[], y: Float64Array[], rho: Float64Array, hDiag: number): void {
  const n = g.length;
  const alpha = new Float64Array(s.length);
  for (let j = 0; j < n; j++) d[j] = -g[j];
  for (let k = s.length - 1; k >= 0; k--) {
    const a = dot(s[k], d) * rho[k];
    alpha[k] = a;
    const yk = y[k];
    for (let j = 0; j < n; j++) d[j] -= a * yk[j];
  }
  for (let j = 0; j < n; j++) d[j] *= hDiag;
  for (let k = 0; k < s.length; k++) {
    const coef = alpha[k] - dot(y[k], d) * rho[k];
    const sk = s[k];
    for (let j = 0; j < n; j++) d[j] += coef * sk[j];
  }
}

const n = 4097;
const pairs = 10;
const reps = 3000;
const vec = () => Float64Array.from({ length: n }, () => Math.random() - 0.5);
const g = vec();
const s = Array.from({ length: pairs }, vec);
const y = Array.from({ length: pairs }, vec);
const rho = Float64Array.from({ length: pairs }, () => 0.5 + Math.random());
const a = new Float64Array(n);
const b = new Float64Array(n);
const times: Record<'separate' | 'fused', number[]> = { separate: [], fused: [] };
for (let round = 0; round < 7; round++) {
  let t = performance.now();
  for (let i = 0; i < reps; i++) separate(g, a, s, y, rho, 0.7);
  times.separate.push((performance.now() - t) / reps);
  t = performance.now();
  for (let i = 0; i < reps; i++) twoLoop(g, b, s, y, rho, 0.7);
  times.fused.push((performance.now() - t) / reps);
}
const same = a.every((v, j) => Object.is(v, b[j]));
console.log(machineLine());
console.log(`n = ${n}, ${pairs} pairs, ${reps} directions per round, median of 7 interleaved rounds; ${loadLine()}`);
const sep = median(times.separate);
const fus = median(times.fused);
console.log(table(['two-loop recursion', 'us per direction'], [['separate dot and axpy passes (before)', (sep * 1000).toFixed(1)], ['fused passes (twoLoop)', (fus * 1000).toFixed(1)]]));
console.log(`verdict: fused ${(sep / fus).toFixed(2)}x faster; directions bitwise equal: ${same}`);
