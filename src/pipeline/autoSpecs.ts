/**
 * The `auto` choice of weak and strong side, one rule for the CLI and the extension: activations stored in the data
 * first, then (weak side) labelling-function votes, then a probability column, then the bundled encoders.
 */
import type { FieldMap } from '../core/data/types';
import type { ModelSpec } from './types';

export function autoWeakSpec(fields: FieldMap, vocab?: number): ModelSpec {
  if (fields.weakActs) return { kind: 'field', field: fields.weakActs };
  if (fields.weakLabels) return { kind: 'votes', field: fields.weakLabels };
  if (fields.weakProbs) return { kind: 'probabilities', field: fields.weakProbs };
  return { kind: 'bundled', id: 'glove-mean', ...(vocab !== undefined ? { vocab } : {}) };
}

export function autoStrongSpec(fields: FieldMap): ModelSpec {
  if (fields.strongActs) return { kind: 'field', field: fields.strongActs };
  return { kind: 'bundled', id: 'use-lite' };
}
