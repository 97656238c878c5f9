/**
 * Repeated texts: rows of a dataset whose text is another row's, and test rows whose text is also a training row's.
 * Public datasets carry both (scraped duplicates, a test split cut from the same pool), and both bend what the
 * analysis measures: a repeated row weighs double in the probes, and a test row the probes were trained on makes
 * the test accuracies (and so PGR) read higher than the models generalise. The analysis still runs; these words
 * go into its warnings so the reader knows.
 *
 * Texts are compared exactly (after trimming surrounding white space): near duplicates are not looked for. Memory:
 * one Map entry per distinct text, pointing at strings the rows already hold.
 */
import type { DatasetRow } from './types';

export interface TextRepeats {
  /** Rows of the main file whose text an earlier row of it already had. */
  repeated: number;
  /** Of those, rows whose label differs from the first row with that text. */
  conflicting: number;
  /** The first repeat: [row, the earlier row it repeats]. */
  firstRepeat?: [DatasetRow, DatasetRow];
  /** Test rows whose text is a main-file row's. */
  leaked: number;
  /** Test rows with a text at all (the denominator of `leaked`). */
  testWithText: number;
  /** The first leaked test row and the main-file row with its text. */
  firstLeak?: [DatasetRow, DatasetRow];
}

const textKey = (r: DatasetRow): string | undefined => {
  if (typeof r.text !== 'string') return undefined;
  const t = r.text.trim();
  return t === '' ? undefined : t;
};

/** Counts repeated texts in `main` and `test` rows whose text is in `main` (rows without text are passed over). */
export function findTextRepeats(main: readonly DatasetRow[], test: readonly DatasetRow[] = []): TextRepeats {
  const first = new Map<string, DatasetRow>();
  let repeated = 0;
  let conflicting = 0;
  let firstRepeat: [DatasetRow, DatasetRow] | undefined;
  for (const r of main) {
    const key = textKey(r);
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, r);
      continue;
    }
    repeated++;
    if (earlier.label !== r.label) conflicting++;
    firstRepeat ??= [r, earlier];
  }
  let leaked = 0;
  let testWithText = 0;
  let firstLeak: [DatasetRow, DatasetRow] | undefined;
  for (const r of test) {
    const key = textKey(r);
    if (key === undefined) continue;
    testWithText++;
    const inMain = first.get(key);
    if (inMain === undefined) continue;
    leaked++;
    firstLeak ??= [r, inMain];
  }
  return { repeated, conflicting, ...(firstRepeat ? { firstRepeat } : {}), leaked, testWithText, ...(firstLeak ? { firstLeak } : {}) };
}

/** Where a row is, for a message: its WRENCH record key when it has one, else its line. */
export function rowPlace(r: DatasetRow): string {
  return r.key !== undefined ? `record ${JSON.stringify(r.key)}` : `line ${r.line}`;
}

/** Whole numbers with thousands separators (the words of warnings). */
const n = (v: number) => v.toLocaleString('en-US');

/**
 * The warnings of `findTextRepeats` in words, naming the files (`mainName`, `testName`: what the user calls them,
 * usually base names) and the first example of each; none when nothing repeats.
 */
export function textRepeatWarnings(rep: TextRepeats, mainName: string, testName?: string): string[] {
  const out: string[] = [];
  if (rep.repeated > 0 && rep.firstRepeat) {
    const [r, earlier] = rep.firstRepeat;
    const conflict = rep.conflicting > 0
      ? `; ${n(rep.conflicting)} of them with another label than the first row with that text (the labels disagree on the same input)`
      : '';
    out.push(
      `${mainName}: ${n(rep.repeated)} ${rep.repeated === 1 ? 'row repeats' : 'rows repeat'} the text of an earlier row (first: ${rowPlace(r)} repeats ${rowPlace(earlier)})${conflict}. ` +
        'A repeated row counts twice in the probes, and when the copies land in different splits the models are tested on text they were trained on; remove the repeats for clean accuracies',
    );
  }
  if (rep.leaked > 0 && rep.firstLeak && testName !== undefined) {
    const [t, m] = rep.firstLeak;
    out.push(
      `${testName}: ${n(rep.leaked)} of ${n(rep.testWithText)} test rows have the same text as a row of ${mainName} (first: ${rowPlace(t)} = ${mainName} ${rowPlace(m)}). ` +
        'The test accuracies (weak, strong, W2S, and so PGR) are then measured partly on rows the probes were trained on',
    );
  }
  return out;
}
