import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDatasetText, readDataset } from '../../../src/core/data';
import { unifyDatasetLabels, unifyLabelSets } from '../../../src/core/data/labels';
import type { Dataset } from '../../../src/core/data/types';
import { useTempDir } from './tempDir';

const tmpDir = useTempDir('numbering');
const write = (name: string, content: string): string => {
  mkdirSync(dirname(join(tmpDir.dir, name)), { recursive: true });
  return tmpDir.write(name, content);
};

const NAMES = 'World\nSports\nBusiness\nSci/Tech\n';
/** Headerless AG News rows: a quoted class id, a title, a description; `n` rows per label. */
function agRows(labels: number[], n = 3): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) for (const l of labels) out.push(`"${l}","Title ${l} ${i}","Some description of the story number ${i} about topic ${l}."`);
  return `${out.join('\n')}\n`;
}
const messages = (d: Dataset): string[] => d.warnings.map((w) => w.message);
const summary = (d: Dataset) => d.classes.map((c) => [c.value, c.name, c.count]);

describe('class ids numbered by a classes.txt, for a dataset and its test file together', () => {
  it('train 1..3 and test 1..4: both 1-based, four classes, each name once', async () => {
    const train = write('ag/train.csv', agRows([1, 2, 3]));
    const test = write('ag/test.csv', agRows([1, 2, 3, 4], 2));
    write('ag/classes.txt', NAMES);
    const a = await readDataset(train);
    const b = await readDataset(test);
    const set = unifyDatasetLabels([{ file: train, dataset: a }, { file: test, dataset: b }]);
    expect(set.numClasses).toBe(4);
    expect(set.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(summary(a)).toEqual([[1, 'World', 5], [2, 'Sports', 5], [3, 'Business', 5], [4, 'Sci/Tech', 2]]);
    expect(a.rows.slice(0, 3).map((r) => r.label)).toEqual([0, 1, 2]);
    expect(b.rows.slice(0, 4).map((r) => r.label)).toEqual([0, 1, 2, 3]);
    // the train file alone was ambiguous; together it is not, so its warning is withdrawn
    expect([...messages(a), ...messages(b)].join('\n')).not.toMatch(/ambiguous|World \[0\]/);
  });

  it('train 1..4 and test 1..3: the test file follows the train file (1-based), no phantom class 0', async () => {
    const train = write('ag4/train.csv', agRows([1, 2, 3, 4]));
    const test = write('ag4/test.csv', agRows([1, 2, 3], 2));
    write('ag4/classes.txt', NAMES);
    const a = await readDataset(train);
    const b = await readDataset(test);
    const set = unifyDatasetLabels([{ file: train, dataset: a }, { file: test, dataset: b }]);
    expect(set.values).toEqual([1, 2, 3, 4]);
    expect(b.rows.slice(0, 3).map((r) => r.label)).toEqual([0, 1, 2]);
    expect(new Set(set.labelNames).size).toBe(4);
    const all = [...messages(a), ...messages(b)].join('\n');
    expect(all).not.toMatch(/ambiguous|World \[0\]/);
    expect(all).toMatch(/class Sci\/Tech \[4\] has no labelled row here/);
  });

  it('a test file without names beside it is numbered by the dataset\'s classes.txt', async () => {
    const train = write('ag5/train.csv', agRows([1, 2, 3]));
    write('ag5/classes.txt', NAMES);
    const test = write('elsewhere/test.csv', agRows([2, 4], 2));
    const a = await readDataset(train);
    const b = await readDataset(test);
    const set = unifyDatasetLabels([{ file: train, dataset: a }, { file: test, dataset: b }]);
    expect(set.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(b.rows.slice(0, 2).map((r) => r.label)).toEqual([1, 3]);
  });

  it('both files within 1..K-1: read from 0, one warning saying the numbering is ambiguous', async () => {
    const train = write('amb/train.csv', agRows([1, 2, 3]));
    const test = write('amb/test.csv', agRows([1, 3], 2));
    write('amb/classes.txt', NAMES);
    const a = await readDataset(train);
    const b = await readDataset(test);
    unifyDatasetLabels([{ file: train, dataset: a }, { file: test, dataset: b }]);
    const all = [...messages(a), ...messages(b)];
    expect(all.filter((m) => /ambiguous/.test(m))).toHaveLength(1);
    expect(a.rows[0].label).toBe(1); // "1" read 0-based is Sports
  });

  it('refuses labels that fit neither numbering across the files, naming the file and line', async () => {
    const train = write('bad/train.csv', agRows([0, 1, 2, 3]));
    const test = write('bad/test.csv', agRows([1, 4]));
    write('bad/classes.txt', NAMES);
    const a = await readDataset(train);
    const b = await readDataset(test);
    expect(() => unifyDatasetLabels([{ file: train, dataset: a }, { file: test, dataset: b }])).toThrow(
      /test\.csv:2: label 4 is not a class id of the 4 class names in .*classes\.txt when label 0 \(.*train\.csv:1\) is one too/,
    );
  });
});

describe('class ids numbered by a classes.txt, one file', () => {
  it('labels 1..3 with 4 names: read 0-based with a warning that says how to tell', async () => {
    const file = write('one/train.csv', agRows([1, 2, 3]));
    write('one/classes.txt', NAMES);
    const d = await readDataset(file);
    expect(d.rows.slice(0, 3).map((r) => r.label)).toEqual([1, 2, 3]);
    const w = messages(d).find((m) => /ambiguous/.test(m));
    expect(w).toMatch(/labels 1\.\.3 are ids of the 4 class names in .*classes\.txt counted from 0 \(1 = Sports, \.\.\., 3 = Sci\/Tech\) or from 1 \(1 = World/);
    expect(w).toMatch(/--class-names 1=World,2=Sports,\.\.\./);
  });

  it('labels 0..K: neither numbering fits, refused naming the line of the first K and the classes.txt', async () => {
    const file = write('zk/train.csv', agRows([4, 1, 0]));
    write('zk/classes.txt', NAMES);
    await expect(readDataset(file)).rejects.toThrow(/train\.csv:1: label 4 is not a class id of the 4 class names in .*zk\/classes\.txt when label 0 \(line 3\) is one too/);
  });

  it('a label above K is refused with its file and line', async () => {
    const file = write('big/train.csv', agRows([1, 2]) + '"7","t","a description of a story"\n');
    write('big/classes.txt', NAMES);
    await expect(readDataset(file)).rejects.toThrow(/big\/train\.csv:7: label 7 is not a class id of the 4 class names in .*big\/classes\.txt/);
  });

  it('ids given with the names in the option (1=World,...) settle the numbering', () => {
    const d = parseDatasetText('text,label\na,1\nb,2\nc,3\nd,1\n', 'csv', { classNames: ['1=World', '2=Sports', '3=Business', '4=Sci/Tech'] });
    expect(d.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(d.rows.map((r) => r.label)).toEqual([0, 1, 2, 0]);
    expect(messages(d).join('\n')).not.toMatch(/ambiguous/);
  });

  it('never makes two classes of one name when merging class sets', () => {
    const set = (values: number[], names: string[]) => ({
      numClasses: values.length,
      labelNames: names,
      classes: values.map((value, id) => ({ id, value, name: names[id], count: 1 })),
      values,
    });
    expect(() =>
      unifyLabelSets([
        { file: 'a.csv', labels: set([0, 1], ['x', 'y']), rows: [] },
        { file: 'b.csv', labels: set([1, 2], ['x', 'y']), rows: [] },
      ]),
    ).toThrow(/two classes named "y" \(ids 1 and 2\)/);
  });
});
