/**
 * `Generate Synthetic Dataset` output: the paper's Gaussian mixture (core/synth) as JSONL, one row a line with
 * `label`, `membership` (the ground truth: easy / hard / overlap), `weak_acts` and `strong_acts`, which the
 * readers pick up as activation fields, so the dataset analyses in seconds without any encoder.
 */
import { CATEGORY_NAMES } from '../core/detect/types';
import type { SynthData } from '../core/synth/generate';

/** 5 decimals: the noise has standard deviation sqrt(5), so more digits carry nothing. */
function vector(data: Float32Array, offset: number, cols: number): string {
  const parts: string[] = new Array(cols);
  for (let j = 0; j < cols; j++) parts[j] = String(Number(data[offset + j]!.toFixed(5)));
  return `[${parts.join(',')}]`;
}

export function syntheticJsonl(data: SynthData): string {
  const n = data.labels.length;
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const membership = CATEGORY_NAMES[data.membership[i]!]!;
    lines[i] =
      `{"label":${data.labels[i]},"membership":"${membership}",` +
      `"weak_acts":${vector(data.weak.data, i * data.weak.cols, data.weak.cols)},` +
      `"strong_acts":${vector(data.strong.data, i * data.strong.cols, data.strong.cols)}}`;
  }
  return lines.join('\n') + '\n';
}
