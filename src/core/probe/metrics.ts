/** Probe outputs to labels, accuracy and confidence (METHOD.md section 1). Probabilities are n x C, row-major. */
import { InputError } from '../errors';

function rowsOf(probs: Float64Array, C: number): number {
  if (!Number.isInteger(C) || C < 1 || probs.length % C !== 0) {
    throw new Error(`probabilities of length ${probs.length} are not rows of ${C} classes`);
  }
  return probs.length / C;
}

/** Index of the largest probability per row; the first on ties (numpy argmax), so p = 0.5 predicts class 0. */
export function argmaxLabels(probs: Float64Array, C: number): Int32Array {
  const n = rowsOf(probs, C);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let best = 0;
    let bestP = probs[o];
    for (let c = 1; c < C; c++) {
      if (probs[o + c] > bestP) {
        bestP = probs[o + c];
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose argmax equals the label; NaN for no rows. */
export function accuracy(probs: Float64Array, labels: ArrayLike<number>, C: number): number {
  const n = rowsOf(probs, C);
  if (labels.length !== n) throw new Error(`accuracy: ${n} probability rows but ${labels.length} labels`);
  if (n === 0) return NaN;
  const pred = argmaxLabels(probs, C);
  let hit = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) hit++;
  return hit / n;
}

/** Top-1 minus top-2 probability per row; equals 2|p - 0.5| for two classes (METHOD.md section 2). */
export function confidence(probs: Float64Array, C: number): Float64Array {
  const n = rowsOf(probs, C);
  const out = new Float64Array(n);
  if (C === 2) {
    for (let i = 0; i < n; i++) out[i] = Math.abs(probs[2 * i + 1] - probs[2 * i]);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let top1 = -Infinity;
    let top2 = -Infinity;
    for (let c = 0; c < C; c++) {
      const p = probs[o + c];
      if (p > top1) {
        top2 = top1;
        top1 = p;
      } else if (p > top2) {
        top2 = p;
      }
    }
    out[i] = C === 1 ? top1 : top1 - top2;
  }
  return out;
}

/** One-hot targets (n x C) for integer labels in 0..C-1. */
export function oneHot(labels: ArrayLike<number>, C: number): Float64Array {
  const out = new Float64Array(labels.length * C);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= C) {
      throw new InputError(`label ${y} at row ${i} is not a class id in 0..${C - 1}`);
    }
    out[i * C + y] = 1;
  }
  return out;
}

/** out[o .. o + C) holds a row's logits: replaced by their softmax (max-shifted, so no overflow). */
export function softmaxInPlace(out: Float64Array, o: number, C: number): void {
  let mx = -Infinity;
  for (let c = 0; c < C; c++) if (out[o + c] > mx) mx = out[o + c];
  let sum = 0;
  for (let c = 0; c < C; c++) {
    const e = Math.exp(out[o + c] - mx);
    out[o + c] = e;
    sum += e;
  }
  for (let c = 0; c < C; c++) out[o + c] /= sum;
}
