/** Seeded test data for the probe and detection tests (mulberry32 + Box-Muller; no shared state). */
import type { Matrix } from '../../../src/core/linalg/matrix';
import type { Probe } from '../../../src/core/probe';

export class TestRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
}

export function randomMatrix(rng: TestRng, rows: number, cols: number, f64 = false, scale = 1): Matrix {
  const data = f64 ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return { rows, cols, data };
}

/** Soft binary targets (n x 2) from a noisy linear rule, so the optimum is finite and non-trivial. */
export function softBinaryTargets(rng: TestRng, x: Matrix): Float64Array {
  const w = Array.from({ length: x.cols }, () => rng.normal());
  const t = new Float64Array(x.rows * 2);
  for (let i = 0; i < x.rows; i++) {
    let z = 0;
    for (let j = 0; j < x.cols; j++) z += x.data[i * x.cols + j] * w[j];
    const p = 1 / (1 + Math.exp(-z - 0.5 * rng.normal()));
    t[2 * i] = 1 - p;
    t[2 * i + 1] = p;
  }
  return t;
}

/** Soft targets (n x C) drawn as random probability rows. */
export function softTargets(rng: TestRng, n: number, C: number): Float64Array {
  const t = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += t[i * C + c] = rng.next() ** 2;
    for (let c = 0; c < C; c++) t[i * C + c] /= s;
  }
  return t;
}

/** Gradient of the binary objective at a fitted probe, from the definition (independent of the solver). */
export function logisticGradient(x: Matrix, targets: Float64Array, probe: Probe): Float64Array {
  const { rows: n, cols: d } = x;
  const g = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    let z = probe.bias[0];
    for (let j = 0; j < d; j++) z += x.data[i * d + j] * probe.weights[j];
    const r = (1 / (1 + Math.exp(-z)) - targets[2 * i + 1]) / n;
    for (let j = 0; j < d; j++) g[j] += r * x.data[i * d + j];
    g[d] += r;
  }
  for (let j = 0; j < d; j++) g[j] += 2 * probe.l2 * probe.weights[j];
  return g;
}

/** Soft targets (n x C) from a noisy linear rule per class (softmax of the logits), a finite, non-trivial optimum. */
export function softClassTargets(rng: TestRng, x: Matrix, C: number): Float64Array {
  const W = Array.from({ length: C * x.cols }, () => rng.normal());
  const t = new Float64Array(x.rows * C);
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) {
      let z = 0.5 * rng.normal();
      for (let j = 0; j < x.cols; j++) z += x.data[i * x.cols + j] * W[c * x.cols + j];
      s += t[i * C + c] = Math.exp(Math.max(-30, Math.min(30, z)));
    }
    for (let c = 0; c < C; c++) t[i * C + c] /= s;
  }
  return t;
}

/** Gradient of the softmax objective (C x d weights, then C biases) at a fitted probe, from the definition. */
export function softmaxGradient(x: Matrix, targets: Float64Array, probe: Probe): Float64Array {
  const { rows: n, cols: d } = x;
  const C = probe.numClasses;
  const g = new Float64Array(C * d + C);
  const z = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) {
      let v = probe.bias[c];
      for (let j = 0; j < d; j++) v += x.data[i * d + j] * probe.weights[c * d + j];
      z[c] = v;
      mx = Math.max(mx, v);
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[c] - mx);
    for (let c = 0; c < C; c++) {
      const r = (Math.exp(z[c] - mx) / s - targets[i * C + c]) / n;
      for (let j = 0; j < d; j++) g[c * d + j] += r * x.data[i * d + j];
      g[C * d + c] += r;
    }
  }
  for (let j = 0; j < C * d; j++) g[j] += 2 * probe.l2 * probe.weights[j];
  return g;
}
