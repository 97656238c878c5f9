import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { analyzeDatasetFile, resolveInputs } from '../../../src/pipeline/analyzeFile';
import { describeRead } from '../../../src/core/report/readSummary';

/** Rows whose activations carry the class (strong clearly, weak faintly), so every analysis has a real gap. */
function rowsWith(n: number, classes: (number | string)[], seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % classes.length;
    const strong = Array.from({ length: 6 }, (_, j) => (j === c ? 2 : 0) + rng.normal());
    const weak = Array.from({ length: 4 }, (_, j) => (j === c ? 0.6 : 0) + rng.normal());
    return { c, label: classes[c], strong, weak };
  });
}

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'od-read-'));
}

const FIELDS = { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' } } as const;

describe('what the pipeline reads', () => {
  it('a WRENCH folder: train.json is the pool, the test.json beside it the test set, valid.json unused', async () => {
    const dir = await tmpDir();
    const wrench = (rows: ReturnType<typeof rowsWith>) =>
      JSON.stringify(Object.fromEntries(rows.map((r, i) => [String(i), { label: r.c, weak_labels: [r.c, -1], data: { text: `row ${i}` }, weak_acts: r.weak, strong_acts: r.strong }])));
    await fs.writeFile(path.join(dir, 'train.json'), wrench(rowsWith(240, [0, 1], 1)));
    await fs.writeFile(path.join(dir, 'valid.json'), wrench(rowsWith(20, [0, 1], 2)));
    await fs.writeFile(path.join(dir, 'test.json'), wrench(rowsWith(60, [0, 1], 3)));
    await fs.writeFile(path.join(dir, 'label.json'), '{"0": "ham", "1": "spam"}');

    expect(await resolveInputs(dir, undefined)).toMatchObject({ file: path.join(dir, 'train.json'), testFile: path.join(dir, 'test.json') });
    expect(await resolveInputs(path.join(dir, 'train.json'), null)).toEqual({ file: path.join(dir, 'train.json') });
    expect(await resolveInputs(path.join(dir, 'test.json'), undefined)).toEqual({ file: path.join(dir, 'test.json') });

    const { result } = await analyzeDatasetFile(dir, { ...FIELDS, analysis: { seeds: 1 }, outFile: path.join(dir, 'out.json') });
    expect(result.dataset.testFile).toBe(path.join(dir, 'test.json'));
    expect(result.dataset.splits.test).toBe(60);
    expect(result.dataset.splits.weakTrain + result.dataset.splits.w2sTrain).toBe(240);
    expect(result.dataset.labelNames).toEqual(['ham', 'spam']);
    expect(result.dataset.read?.test?.pairedBecause).toMatch(/WRENCH folder/);
    expect(result.dataset.read?.classes.map((c) => [c.name, c.count])).toEqual([['ham', 150], ['spam', 150]]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('repeated texts and test rows that are training rows: the analysis runs and its warnings say so, with rows', async () => {
    const dir = await tmpDir();
    const line = (r: ReturnType<typeof rowsWith>[number], text: string, label = r.label) =>
      JSON.stringify({ text, label, weak_acts: r.weak, strong_acts: r.strong });
    const train = rowsWith(240, ['neg', 'pos'], 4).map((r, i) => line(r, `review ${i}`));
    train[10] = line(rowsWith(1, ['neg'], 5)[0], 'review 3', 'pos'); // line 11 repeats line 4 with another label
    train[20] = line(rowsWith(1, ['neg'], 6)[0], 'review 3'); // line 21 too
    const test = rowsWith(60, ['neg', 'pos'], 7).map((r, i) => line(r, i % 20 === 5 ? `review ${100 + i}` : `held out ${i}`));
    await fs.writeFile(path.join(dir, 'train.jsonl'), train.join('\n') + '\n');
    await fs.writeFile(path.join(dir, 'test.jsonl'), test.join('\n') + '\n');
    const { result } = await analyzeDatasetFile(path.join(dir, 'train.jsonl'), {
      ...FIELDS, testFile: path.join(dir, 'test.jsonl'), analysis: { seeds: 1 }, outFile: path.join(dir, 'out.json'),
    });
    const repeats = result.warnings.filter((w) => /repeat|same text/.test(w));
    expect(repeats).toHaveLength(2);
    expect(repeats[0]).toMatch(/^train\.jsonl: 2 rows repeat the text of an earlier row \(first: line 11 repeats line 4\); 1 of them with another label/);
    expect(repeats[1]).toMatch(/^test\.jsonl: 3 of 60 test rows have the same text as a row of train\.jsonl \(first: line 6 = train\.jsonl line 106\)/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a class only the test file has is named, with the dataset\'s spelling of it', async () => {
    const dir = await tmpDir();
    const line = (r: ReturnType<typeof rowsWith>[number], label: string) => JSON.stringify({ label, weak_acts: r.weak, strong_acts: r.strong });
    await fs.writeFile(path.join(dir, 'train.jsonl'), rowsWith(120, ['neg', 'pos'], 8).map((r) => line(r, r.label as string)).join('\n'));
    await fs.writeFile(path.join(dir, 'test.jsonl'), rowsWith(40, ['neg', 'Pos'], 9).map((r) => line(r, r.label as string)).join('\n'));
    const { result } = await analyzeDatasetFile(path.join(dir, 'train.jsonl'), {
      ...FIELDS, testFile: path.join(dir, 'test.jsonl'), analysis: { seeds: 1 }, outFile: path.join(dir, 'out.json'),
    });
    expect(result.warnings).toContainEqual(expect.stringMatching(/^test\.jsonl: class Pos \(20 test rows; train\.jsonl has pos\) is in the test file only/));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a headerless CSV with classes.txt: 1-based ids, both text columns, and a summary that says so', async () => {
    const dir = await tmpDir();
    const rows = rowsWith(300, [1, 2, 3, 4], 5);
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = rows.map((r, i) => [q(String(r.label)), q(`Title number ${i}`), q(`A description of item ${i}, long enough to be text`), q(JSON.stringify(r.weak)), q(JSON.stringify(r.strong))].join(','));
    await fs.writeFile(path.join(dir, 'news.csv'), `${csv.join('\n')}\n`);
    await fs.writeFile(path.join(dir, 'classes.txt'), 'World\nSports\nBusiness\nSci/Tech\n');
    const { result } = await analyzeDatasetFile(path.join(dir, 'news.csv'), {
      weak: { kind: 'field', field: 'column_4' },
      strong: { kind: 'field', field: 'column_5' },
      analysis: { seeds: 1 },
      outFile: path.join(dir, 'out.json'),
    });
    expect(result.dataset.numClasses).toBe(4);
    expect(result.dataset.rows).toBe(300);
    expect(result.dataset.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    const read = result.dataset.read!;
    expect(read.header).toMatchObject({ present: false, how: 'detected' });
    expect(read.textFields).toEqual(['column_2', 'column_3']);
    expect(read.labelField).toBe('column_1');
    const lines = describeRead(read).map((l) => `${l.label}: ${l.text}`);
    expect(lines).toContain('classes: 4: World [1] (75), Sports [2] (75), Business [3] (75), Sci/Tech [4] (75) (names from classes.txt)');
    expect(lines[0]).toMatch(/^format: CSV, no header row: /);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a test file whose labels are a subset: one class set for both, ids mean the same class', async () => {
    const dir = await tmpDir();
    const jsonl = (rows: ReturnType<typeof rowsWith>) => rows.map((r) => JSON.stringify({ text: 't', label: r.label, weak_acts: r.weak, strong_acts: r.strong })).join('\n');
    await fs.writeFile(path.join(dir, 'train.jsonl'), jsonl(rowsWith(200, ['neg', 'neutral', 'pos'], 7)));
    // the test file lacks "neutral": on its own it would number "pos" as 1
    await fs.writeFile(path.join(dir, 'test.jsonl'), jsonl(rowsWith(60, ['neg', 'pos'], 8)));
    const { result } = await analyzeDatasetFile(path.join(dir, 'train.jsonl'), {
      ...FIELDS, testFile: path.join(dir, 'test.jsonl'), analysis: { seeds: 1 }, outFile: path.join(dir, 'out.json'),
    });
    expect(result.dataset.labelNames).toEqual(['neg', 'neutral', 'pos']);
    const testRows = result.rows.filter((r) => r.split === 'test');
    expect(new Set(testRows.map((r) => r.label))).toEqual(new Set([0, 2]));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('says which choice fixes a file without labels', async () => {
    const dir = await tmpDir();
    await fs.writeFile(path.join(dir, 'nolabel.jsonl'), '{"text": "a fine film"}\n{"text": "a dull film"}\n');
    await expect(analyzeDatasetFile(path.join(dir, 'nolabel.jsonl'), { ...FIELDS, outFile: path.join(dir, 'o.json') })).rejects.toMatchObject({
      hint: 'label-field',
      message: expect.stringMatching(/nolabel.jsonl: no labelled rows: no label field was found; choose the label field/),
    });
    await fs.rm(dir, { recursive: true, force: true });
  });
});
