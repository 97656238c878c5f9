/** Sentence pooling for user models that only output token states. */

/**
 * Mean over the sequence axis of [rows x width x dim] token states, counting only positions whose mask is non-zero
 * (sentence-transformers' mean pooling of `last_hidden_state`). A row without tokens gives zeros.
 */
export function meanPoolByMask(states: Float32Array, mask: Float32Array, rows: number, width: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  const acc = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    let count = 0;
    for (let t = 0; t < width; t++) {
      if (mask[r * width + t] === 0) continue;
      count++;
      const base = (r * width + t) * dim;
      for (let j = 0; j < dim; j++) acc[j]! += states[base + j]!;
    }
    if (count > 0) for (let j = 0; j < dim; j++) out[r * dim + j] = acc[j]! / count;
  }
  return out;
}
