/**
 * bench/twoloop: L-BFGS's two-loop recursion at the strong probes' width (4,097 = 4,096 weights and a bias, 10 history
 * pairs), fused passes (`twoLoop` in core/probe/lbfgs.ts) against separate dot and axpy passes (the code before),
 * and the fused passes on vectors in an LbfgsArena (WebAssembly memory: the SIMD kernel axpyDot64), interleaved in the
 * same run, 38 fits' histories cycled as in the mixing batch. The mixing experiment computes ~3,000 such directions
 * per analysis at bench/core's size. All three give bitwise the same direction (checked here and in
 * test/unit/probe/lbfgs.test.ts).
 */
import { dot } from '../src/core/linalg/gemv';
import { LbfgsArena, twoLoop } from '../src/core/probe/lbfgs';
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
// the mixing batch's fits: each round every fit computes one direction from its own history (38 x 655 KB, more than
// the caches hold), so the sets are cycled through as there
const fits = 38;
const reps = 1500;
const arena = LbfgsArena.create(fits * (2 * pairs + 2) * n, fits * (2 * pairs + 2));
if (!arena) throw new Error('no WebAssembly SIMD here: the arena row cannot run');
type Set = { g: Float64Array; s: Float64Array[]; y: Float64Array[]; rho: Float64Array; d: Float64Array };
const make = (vec: () => Float64Array): Set => ({
  g: vec(), s: Array.from({ length: pairs }, vec), y: Array.from({ length: pairs }, vec),
  rho: Float64Array.from({ length: pairs }, () => 0.5 + Math.random()), d: new Float64Array(n),
});
const plainSets = Array.from({ length: fits }, () => make(() => Float64Array.from({ length: n }, () => Math.random() - 0.5)));
// the same values in the arena's memory
const arenaSets = plainSets.map((p): Set => {
  const put = (v: Float64Array) => {
    const w = arena.vector(v.length);
    w.set(v);
    return w;
  };
  return { g: put(p.g), s: p.s.map(put), y: p.y.map(put), rho: p.rho, d: arena.vector(n) };
});
const sepD = plainSets.map(() => new Float64Array(n));
const times: Record<'separate' | 'fused' | 'arena', number[]> = { separate: [], fused: [], arena: [] };
for (let round = 0; round < 7; round++) {
  let t = performance.now();
  for (let i = 0; i < reps; i++) {
    const k = i % fits;
    const f = plainSets[k];
    separate(f.g, sepD[k], f.s, f.y, f.rho, 0.7);
  }
  times.separate.push((performance.now() - t) / reps);
  t = performance.now();
  for (let i = 0; i < reps; i++) {
    const f = plainSets[i % fits];
    twoLoop(f.g, f.d, f.s, f.y, f.rho, 0.7);
  }
  times.fused.push((performance.now() - t) / reps);
  t = performance.now();
  for (let i = 0; i < reps; i++) {
    const f = arenaSets[i % fits];
    twoLoop(f.g, f.d, f.s, f.y, f.rho, 0.7, arena);
  }
  times.arena.push((performance.now() - t) / reps);
}
const same = plainSets.every((f, k) => sepD[k].every((v, j) => Object.is(v, f.d[j]) && Object.is(v, arenaSets[k].d[j])));
console.log(machineLine());
console.log(`n = ${n}, ${pairs} pairs, ${fits} fits' histories cycled, ${reps} directions per round, median of 7 interleaved rounds; ${loadLine()}`);
const sep = median(times.separate);
const fus = median(times.fused);
const are = median(times.arena);
console.log(table(['two-loop recursion', 'us per direction'], [
  ['separate dot and axpy passes', (sep * 1000).toFixed(1)], ['fused passes (twoLoop, plain arrays)', (fus * 1000).toFixed(1)],
  ['fused passes in an LbfgsArena (WebAssembly SIMD)', (are * 1000).toFixed(1)],
]));
console.log(`verdict: fused ${(sep / fus).toFixed(2)}x faster than separate passes, the arena ${(fus / are).toFixed(2)}x faster than plain arrays; directions bitwise equal: ${same}`);
