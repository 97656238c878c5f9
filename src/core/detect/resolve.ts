/**
 * The detector rules shared by every place that detects or re-partitions: the settings a run actually uses, decided once for the analysis and the data-source selection: the
 * residual detector maps weak activations to strong ones, so a weak side without activations (votes, a probability
 * column) falls back to dot-max, with a note saying so; the stage-1 change point's `auto` scale is log for the
 * residual detector (its confidences pile up near 1) and the paper's linear scale otherwise.
 */
import type { AlignMode, HardRule } from './types';

export const RESIDUAL_FALLBACK_NOTE = 'the weak side has no activations (votes or probabilities): detection uses dot-max instead of residual';

export function resolveAlign(align: AlignMode, weakHasActivations: boolean): { align: AlignMode; note?: string } {
  if (align === 'residual' && !weakHasActivations) return { align: 'dot-max', note: RESIDUAL_FALLBACK_NOTE };
  return { align };
}

export function resolveStage1Scale(scale: 'auto' | 'linear' | 'log' | undefined, align: AlignMode): 'linear' | 'log' {
  if (scale === undefined || scale === 'auto') return align === 'residual' ? 'log' : 'linear';
  return scale;
}

/** Stage 1 (METHOD.md section 2): "segment" hard = c < t1, "probing" hard = c <= t1. The detector and the report's re-partition both ask here. */
export function isHard(confidence: number, t1: number, rule: HardRule): boolean {
  return rule === 'segment' ? confidence < t1 : confidence <= t1;
}
