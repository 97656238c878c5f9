import { CATEGORY_NAMES } from '../detect/types';
import type { GroundTruthReport, PRF } from '../result/schema';

/** Detection quality against known membership (synthetic data): P/R/F1 per category and the confusion matrix. */
export function groundTruthReport(truth: ArrayLike<number>, predicted: ArrayLike<number>): GroundTruthReport {
  if (truth.length !== predicted.length) throw new Error('groundTruthReport: length mismatch');
  const confusion = [0, 1, 2].map(() => [0, 0, 0]);
  for (let i = 0; i < truth.length; i++) confusion[truth[i]][predicted[i]]++;
  const prf = (c: number): PRF => {
    const tp = confusion[c][c];
    const predCount = confusion[0][c] + confusion[1][c] + confusion[2][c];
    const support = confusion[c][0] + confusion[c][1] + confusion[c][2];
    const precision = predCount > 0 ? tp / predCount : null;
    const recall = support > 0 ? tp / support : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : precision === null || recall === null ? null : 0;
    return { precision, recall, f1, support };
  };
  const n = truth.length;
  const trueOverlap = n > 0 ? (confusion[2][0] + confusion[2][1] + confusion[2][2]) / n : 0;
  const predOverlap = n > 0 ? (confusion[0][2] + confusion[1][2] + confusion[2][2]) / n : 0;
  return {
    perCategory: { easy: prf(0), hard: prf(1), overlap: prf(2) } as Record<(typeof CATEGORY_NAMES)[number], PRF>,
    confusion,
    trueOverlapDensity: trueOverlap,
    densityError: predOverlap - trueOverlap,
  };
}
