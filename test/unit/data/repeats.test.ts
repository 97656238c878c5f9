import { describe, expect, it } from 'vitest';
import { findTextRepeats, textRepeatWarnings } from '../../../src/core/data/repeats';
import type { DatasetRow } from '../../../src/core/data/types';

const row = (index: number, text: string | undefined, label: number, key?: string): DatasetRow => ({
  index, line: index + 1, endLine: index + 1, label, fields: {}, ...(text !== undefined ? { text } : {}), ...(key !== undefined ? { key } : {}),
});

describe('findTextRepeats', () => {
  it('counts repeats in file order, the conflicting labels, and the first example', () => {
    const main = [row(0, 'a', 0), row(1, 'b', 1), row(2, ' a ', 0), row(3, 'b', 0), row(4, 'a', 1), row(5, 'c', 1)];
    const rep = findTextRepeats(main);
    expect(rep.repeated).toBe(3);
    expect(rep.conflicting).toBe(2); // line 4 (b: 1 -> 0) and line 5 (a: 0 -> 1)
    expect(rep.firstRepeat!.map((r) => r.line)).toEqual([3, 1]);
    expect(rep.leaked).toBe(0);
  });

  it('finds test rows whose text is a training row, not test rows repeating each other', () => {
    const main = [row(0, 'x', 0), row(1, 'y', 1)];
    const test = [row(0, 'z', 0), row(1, 'y', 1), row(2, 'z', 0), row(3, 'x', 0)];
    const rep = findTextRepeats(main, test);
    expect(rep.repeated).toBe(0);
    expect(rep.leaked).toBe(2);
    expect(rep.testWithText).toBe(4);
    expect(rep.firstLeak!.map((r) => r.line)).toEqual([2, 2]);
  });

  it('passes over rows without a text or with white space only', () => {
    const rep = findTextRepeats([row(0, undefined, 0), row(1, undefined, 0), row(2, '  ', 0), row(3, '', 1)], [row(0, '', 0), row(1, undefined, 0)]);
    expect(rep).toMatchObject({ repeated: 0, leaked: 0, testWithText: 0 });
  });

  it('treats texts as data: prototype names are plain keys', () => {
    const rep = findTextRepeats([row(0, '__proto__', 0), row(1, 'constructor', 0), row(2, '__proto__', 1)], [row(0, 'toString', 0), row(1, 'constructor', 0)]);
    expect(rep).toMatchObject({ repeated: 1, conflicting: 1, leaked: 1, testWithText: 2 });
  });
});

describe('textRepeatWarnings', () => {
  it('says nothing when nothing repeats', () => {
    expect(textRepeatWarnings(findTextRepeats([row(0, 'a', 0)], [row(0, 'b', 0)]), 'train.json', 'test.json')).toEqual([]);
  });

  it('names the files, the counts and the first rows (record keys when the rows have them)', () => {
    const main = [row(0, 'a', 0, '7'), row(1, 'a', 1, '9')];
    const test = [row(0, 'a', 0, '3'), row(1, 'q', 0, '4')];
    const w = textRepeatWarnings(findTextRepeats(main, test), 'train.json', 'test.json');
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^train\.json: 1 row repeats the text of an earlier row \(first: record "9" repeats record "7"\); 1 of them with another label/);
    expect(w[1]).toMatch(/^test\.json: 1 of 2 test rows have the same text as a row of train\.json \(first: record "3" = train\.json record "7"\)/);
  });

  it('uses lines for rows without keys and thousands separators for counts', () => {
    const main = Array.from({ length: 2002 }, (_, i) => row(i, i < 1001 ? 't' : 'u', 0));
    const [w] = textRepeatWarnings(findTextRepeats(main), 'data.csv');
    expect(w).toMatch(/^data\.csv: 2,000 rows repeat the text of an earlier row \(first: line 2 repeats line 1\)\. /);
    expect(w).not.toMatch(/another label/);
  });
});
