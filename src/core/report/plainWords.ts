/**
 * The project's terms in plain words, one place for the hover, the report and the exports (issue 15, item 4): a
 * person who has not read the paper reads what a stage-2 score measures; the option name stays beside it.
 */
const SCORE_MEANING = new Map<string, string>([
  ['dot-max', 'dot-max: the largest dot product of its strong-model features with a hard-only row'],
  ['abs-cosine-max', 'abs-cosine-max: the largest cosine similarity, sign ignored, of its strong-model features with a hard-only row'],
  ['residual', "residual: how much of the row the weak model's features cannot explain, times how closely that part points at the hard-only rows"],
]);

/** "dot-max: the largest dot product ..." for a known detector; undefined for anything else (callers escape it). */
export function scoreMeaning(align: unknown): string | undefined {
  return typeof align === 'string' ? SCORE_MEANING.get(align) : undefined;
}
