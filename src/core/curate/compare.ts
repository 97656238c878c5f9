/**
 * Input vs curated, side by side (issue 17, part 3): the same few numbers of both analyses, in words a reader who
 * has not read the paper can follow. The CLI prints them as a table, the extension as Markdown.
 */
import { verdictOf } from '../experiment/verdict';
import type { CurationPlan } from './select';
import type { AnalysisResult } from '../result/schema';

export interface ComparisonLine {
  label: string;
  input: string;
  curated: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const acc = (x: number) => x.toFixed(3);

/** The lines of the comparison, and the sentence that says how to read it. */
export function compareAnalyses(input: AnalysisResult, curated: AnalysisResult, plan?: CurationPlan): { lines: ComparisonLine[]; note: string } {
  const both = (label: string, f: (r: AnalysisResult) => string): ComparisonLine => ({ label, input: f(input), curated: f(curated) });
  const kept = plan ? plan.rows.length : 0;
  const lines = [
    both('rows analysed (weak-train / W2S-train / test)', (r) => `${r.dataset.splits.weakTrain} / ${r.dataset.splits.w2sTrain} / ${r.dataset.splits.test}`),
    ...(plan && kept > 0
      ? [{
          label: "overlap rows by the input's detection",
          input: `${pct(plan.available.overlap / plan.pool)} (${plan.available.overlap} of ${plan.pool})`,
          curated: `${pct(plan.taken.overlap / kept)} (${plan.taken.overlap} of ${kept})`,
        }]
      : []),
    both('overlap density, detected again', (r) => `${pct(r.detection.overlapDensity)} (${r.detection.counts.overlap} of ${r.dataset.splits.w2sTrain})`),
    both('weak accuracy', (r) => acc(r.accuracy.weak)),
    both('strong accuracy (ceiling)', (r) => acc(r.accuracy.strong)),
    both('W2S accuracy', (r) => acc(r.accuracy.w2s)),
    both('PGR', (r) => (r.pgr === null ? 'n/a' : r.pgr.toFixed(2))),
    both('verdict', (r) => verdictOf(r).headline),
  ];
  // Detection is relative to a file's own hard-only rows: a curated file with few of them shows little overlap.
  const share = plan && kept > 0 ? plan.taken.overlap / kept : null;
  const detectedAgain =
    share !== null && curated.detection.overlapDensity < share - 0.05
      ? `Its detection finds overlap relative to its own hard-only rows, which curation leaves few of: it calls ${pct(curated.detection.overlapDensity)} of its W2S-train half overlap, although ${pct(share)} of its rows were overlap rows of the input. `
      : '';
  const sameTest = input.dataset.splits.test === curated.dataset.splits.test;
  const dw2s = curated.accuracy.w2s - input.accuracy.w2s;
  const moved = Math.abs(dw2s) < 0.005 ? 'about the same W2S accuracy as' : dw2s > 0 ? `a higher W2S accuracy (+${dw2s.toFixed(3)}) than` : `a lower W2S accuracy (${dw2s.toFixed(3)}) than`;
  const note =
    `The curated file has ${moved} the input${sameTest ? `, on the same ${input.dataset.splits.test} test rows` : ''}. ` +
    'It is analysed as a dataset of its own: its rows are split again into weak-train and W2S-train halves, so its weak ' +
    'model is trained on curated rows too, and its analysis uses fewer rows than the input\'s. ' +
    detectedAgain +
    'The fair test of the ' +
    'curation (a probe trained on the curated rows vs on random rows of the same size, with the input\'s weak labels) ' +
    'is in docs/curation.md.';
  return { lines, note };
}
