import { InputError } from '../core/errors';

/**
 * Labelling-function votes -> weak probabilities (the paper's weak-supervision setting): each row's probability
 * of class c is the share of non-abstaining votes (-1 = abstain) for c; rows where every function abstains get
 * the uniform distribution (confidence 0), which makes them "hard" for the weak side, as they should be.
 */
export function majorityVoteProbabilities(
  votes: ReadonlyArray<readonly number[] | undefined>,
  numClasses: number,
  where: { file?: string; lines?: ArrayLike<number> } = {},
): { probs: Float64Array; coverage: number } {
  const n = votes.length;
  const probs = new Float64Array(n * numClasses);
  let covered = 0;
  for (let i = 0; i < n; i++) {
    const v = votes[i];
    if (!v) throw new InputError('row has no labelling-function votes', { file: where.file, line: where.lines?.[i] });
    let total = 0;
    for (const x of v) {
      if (x === -1) continue;
      if (!Number.isInteger(x) || x < 0 || x >= numClasses) {
        throw new InputError(`vote ${x} is not -1 (abstain) or a class id in 0..${numClasses - 1}`, {
          file: where.file,
          line: where.lines?.[i],
        });
      }
      probs[i * numClasses + x] += 1;
      total++;
    }
    if (total === 0) {
      for (let c = 0; c < numClasses; c++) probs[i * numClasses + c] = 1 / numClasses;
    } else {
      covered++;
      for (let c = 0; c < numClasses; c++) probs[i * numClasses + c] /= total;
    }
  }
  return { probs, coverage: n > 0 ? covered / n : 0 };
}

/** A probability column -> n x C probabilities: a scalar is P(class 1) of a binary task, an array is per class. */
export function probabilityColumn(
  values: ReadonlyArray<unknown>,
  numClasses: number,
  where: { file?: string; field: string; lines?: ArrayLike<number> },
): Float64Array {
  const probs = new Float64Array(values.length * numClasses);
  values.forEach((raw, i) => {
    const at = { file: where.file, line: where.lines?.[i] };
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v === 'number') {
      if (numClasses !== 2) throw new InputError(`field "${where.field}" is a single number but there are ${numClasses} classes`, at);
      if (!(v >= 0 && v <= 1)) throw new InputError(`field "${where.field}" is ${String(raw)}, not a probability in [0, 1]`, at);
      probs[i * 2] = 1 - v;
      probs[i * 2 + 1] = v;
    } else if (Array.isArray(v) && v.length === numClasses && v.every((x) => typeof x === 'number' && x >= 0)) {
      const s = v.reduce((a: number, b: number) => a + b, 0);
      if (!(s > 0) || !Number.isFinite(s)) throw new InputError(`field "${where.field}" does not sum to a positive number`, at);
      v.forEach((x: number, c: number) => (probs[i * numClasses + c] = x / s));
    } else {
      throw new InputError(`field "${where.field}" must be P(class 1) or ${numClasses} class probabilities, got ${JSON.stringify(raw)?.slice(0, 40)}`, at);
    }
  });
  return probs;
}
