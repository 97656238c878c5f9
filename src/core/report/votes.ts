import type { VoteCounts, WeakVotesSummary } from '../result/schema';

const num = (x: number) => x.toLocaleString('en-US');

/** "302 of 500 test rows" style phrases for the rows no function voted on and the tied rows of one split. */
function splitPhrase(name: string, c: VoteCounts): string {
  return `${name}: ${num(c.uncovered)} of ${num(c.rows)} rows without a vote, ${num(c.tied)} tied`;
}

/**
 * How labelling-function votes became the weak side, in plain words, for the CLI summary and the report: the
 * method, what a label model was fitted on, and how many rows were tied or had no vote at all (per split).
 */
export function describeWeakVotes(v: WeakVotesSummary): string {
  const parts: string[] = [];
  if (v.method === 'dawid-skene' && v.labelModel) {
    const lm = v.labelModel;
    parts.push(
      `Weak side: Dawid-Skene label model over ${num(v.functions)} labelling functions, fitted on ${lm.fittedOn}; ` +
        (lm.converged ? `converged in ${lm.iterations} EM steps` : `stopped after ${lm.iterations} EM steps without converging`) +
        `; learned class prior ${lm.prior.map((p) => p.toFixed(2)).join(' / ')}.`,
    );
  } else {
    parts.push(`Weak side: majority vote of ${num(v.functions)} labelling functions.`);
  }
  const c = v.counts;
  const splits = [
    c.test ? splitPhrase('test', c.test) : null,
    c.w2sTrain ? splitPhrase('W2S-train', c.w2sTrain) : null,
    c.weakTrain && c.weakTrain.rows > 0 ? splitPhrase('weak-train', c.weakTrain) : null,
  ].filter((s): s is string => s !== null);
  parts.push(
    `Rows no function voted on get uniform probabilities (confidence 0) and a label drawn at random; tied top ` +
      `classes are broken at random (seed ${v.tieBreak.seed}), never to the lowest class id. ` +
      (splits.length ? `${splits.join('; ')}.` : `${num(c.all.uncovered)} of ${num(c.all.rows)} rows without a vote, ${num(c.all.tied)} tied.`),
  );
  const acc = c.test?.coveredAccuracy;
  if (acc !== undefined && acc !== null && c.test) {
    parts.push(`Weak accuracy on the ${num(c.test.rows - c.test.uncovered)} test rows some function votes on: ${acc.toFixed(3)}.`);
  }
  return parts.join(' ');
}
