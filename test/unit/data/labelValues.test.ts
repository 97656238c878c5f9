import { describe, expect, it } from 'vitest';
import { parseDatasetText } from '../../../src/core/data';
import { quoteUnsafeIntegers } from '../../../src/core/data/jsonParse';

const BIG = '12345678901234567890';
const BIG1 = '12345678901234567891';

describe('integer labels beyond Number.MAX_SAFE_INTEGER', () => {
  it('keeps CSV labels as written: two large ids stay two classes', () => {
    const d = parseDatasetText(`text,label\na fine film,${BIG}\na dull film,${BIG1}\nanother one,${BIG}\n`, 'csv');
    expect(d.numClasses).toBe(2);
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([[BIG, 2], [BIG1, 1]]);
    expect(d.labelNames).toEqual([BIG, BIG1]);
  });

  it('keeps JSON number labels as written, in JSONL and in a keyed JSON object', () => {
    const jsonl = parseDatasetText(`{"text": "a fine film", "label": ${BIG}}\n{"text": "a dull film", "label": ${BIG1}}\n`, 'jsonl');
    expect(jsonl.classes.map((c) => c.value)).toEqual([BIG, BIG1]);
    const keyed = parseDatasetText(`{"0": {"label": ${BIG1}, "data": {"text": "a"}},\n "1": {"label": -${BIG}, "data": {"text": "b"}}}\n`, 'wrench');
    expect(keyed.classes.map((c) => c.value)).toEqual([`-${BIG}`, BIG1]);
    const exp = parseDatasetText('{"text": "a", "label": 1e20}\n{"text": "b", "label": 1E+21}\n', 'jsonl');
    expect(exp.classes.map((c) => c.value)).toEqual(['1E+21', '1e20']);
  });

  it('reads safe integers beside large ones as names too, and says why', () => {
    const d = parseDatasetText(`{"text": "a", "label": 0}\n{"text": "b", "label": ${BIG}}\n{"text": "c", "label": 0}\n`, 'jsonl');
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['0', 2], [BIG, 1]]);
    expect(d.warnings.map((w) => [w.line, w.message])).toEqual([[2, expect.stringMatching(/label 12345678901234567890 .* beyond 2\^53.* class name/)]]);
  });

  it('quotes only object member values that are unsafe integers, never strings or array items', () => {
    const text = `{"a": ${BIG}, "s": "x ${BIG} \\" ${BIG}", "v": [${BIG}, 1.5], "n": 9007199254740991, "f": 12345678901234567.5, "o": {"k":-${BIG}}}`;
    const out = JSON.parse(quoteUnsafeIntegers(text)) as Record<string, unknown>;
    expect(out.a).toBe(BIG);
    expect(out.s).toBe(`x ${BIG} " ${BIG}`);
    expect(out.v).toEqual([Number(BIG), 1.5]);
    expect(out.n).toBe(Number.MAX_SAFE_INTEGER);
    expect(out.f).toBe('12345678901234567.5');
    expect(out.o).toEqual({ k: `-${BIG}` });
    expect(quoteUnsafeIntegers('{"a": 1, "b": [2]}')).toBe('{"a": 1, "b": [2]}');
  });
});

describe('class names that differ only in case', () => {
  it('keeps them separate classes and names the groups in one warning', () => {
    const labels = ['Pos', 'POS', 'pos', 'Neg', 'neg', 'neutral', 'pos'];
    const d = parseDatasetText(['text,label', ...labels.map((l, i) => `row ${i},${l}`)].join('\n'), 'csv', { path: 'case.csv' });
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['Neg', 1], ['POS', 1], ['Pos', 1], ['neg', 1], ['neutral', 1], ['pos', 2]]);
    expect(d.warnings.map((w) => [w.file, w.message])).toEqual([['case.csv', 'classes that differ only in case: Neg, neg; POS, Pos, pos (they are separate classes)']]);
  });

  it('says nothing when no two names differ only in case', () => {
    expect(parseDatasetText('text,label\na,pos\nb,neg\nc,__proto__\nd,constructor\n', 'csv').warnings).toEqual([]);
  });
});

describe('class names written with and without white space around them', () => {
  it('reads them as one class and says so, naming both spellings and their lines', () => {
    const d = parseDatasetText('{"text": "a", "label": "pos"}\n{"text": "b", "label": " pos"}\n{"text": "c", "label": "neg\\t"}\n{"text": "d", "label": "neg"}\n', 'jsonl', { path: 'pad.jsonl' });
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['neg', 2], ['pos', 2]]);
    expect(d.warnings.map((w) => [w.file, w.line, w.message])).toEqual([[
      'pad.jsonl', 2,
      'labels written with and without white space around them are one class: " pos" (line 2) and "pos" (line 1); "neg\\t" (line 3) and "neg" (line 4); the white space is dropped (fix the file if they were meant to be different classes)',
    ]]);
  });

  it('says nothing when every row writes a class the same way (a CSV with a space after each comma)', () => {
    expect(parseDatasetText('{"text": "a", "label": " pos"}\n{"text": "b", "label": " neg"}\n{"text": "c", "label": " pos"}\n', 'jsonl').warnings).toEqual([]);
    expect(parseDatasetText('text, label\na, 1\nb,0\nc, 0\n', 'csv').warnings).toEqual([]);
  });
});

describe('labels that are lists written as text', () => {
  it('reads each distinct list as a class name and says what it looks like, with its line', () => {
    const d = parseDatasetText('text,label\na,"[0, 1]"\nb,"[1, 0]"\nc,"[0, 1]"\n', 'csv', { path: 'onehot.csv' });
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['[0, 1]', 2], ['[1, 0]', 1]]);
    expect(d.warnings.map((w) => [w.file, w.line])).toEqual([['onehot.csv', 2]]);
    expect(d.warnings[0].message).toMatch(/^label "\[0, 1\]" \(line 2\) is a list written as text .*one-hot.*each distinct list is read as one class name/);
  });

  it('says nothing of bracketed names that are not JSON arrays', () => {
    expect(parseDatasetText('text,label\na,[pos]\nb,[neg]\nc,[pos]\n', 'csv').warnings).toEqual([]);
  });
});

describe('votes beside class-name labels', () => {
  const wrench = (labels: string[], votes: number[][]) =>
    JSON.stringify(Object.fromEntries(labels.map((l, i) => [String(i), { label: l, weak_labels: votes[i], data: { text: `t${i}` } }])));

  it('reads integer votes as ids of the preset names (WRENCH: label.json numbers them), as with integer labels', () => {
    const text = wrench(['ham', 'spam', 'spam', 'ham'], [[0, -1], [1, 1], [-1, 1], [0, 1]]);
    const named = parseDatasetText(text, 'wrench', { labelNames: ['ham', 'spam'] });
    const ids = parseDatasetText(wrench(['0', '1', '1', '0'], [[0, -1], [1, 1], [-1, 1], [0, 1]]), 'wrench', { labelNames: ['ham', 'spam'] });
    expect(named.rows.map((r) => r.label)).toEqual([0, 1, 1, 0]);
    expect(named.rows.map((r) => r.weakLabels)).toEqual(ids.rows.map((r) => r.weakLabels));
    expect(named.labelNames).toEqual(['ham', 'spam']);
  });

  it('refuses a vote beyond the preset names, naming the record and the ids allowed', () => {
    const text = wrench(['ham', 'spam'], [[0, 2], [1, 1]]);
    expect(() => parseDatasetText(text, 'wrench', { labelNames: ['ham', 'spam'], path: 'train.json' })).toThrow(
      /record "0": vote 2 at position 1 is not -1 \(abstain\) or a class id 0\.\.1 of the class names in label\.json \(ham, spam\)/,
    );
  });

  it('without names numbered anywhere, says how to number them', () => {
    const text = wrench(['ham', 'spam'], [[0, 1], [1, 1]]);
    expect(() => parseDatasetText(text, 'wrench')).toThrow(/vote 0 at position 0 is not -1 \(abstain\) or one of the classes \(ham, spam\); votes are read in the labels' values.*--class-names/);
  });
});

describe('integers written another way than their value', () => {
  it('keeps 07, 0b11, 3 and 7 four classes, as written, and says why (CSV and JSON strings)', () => {
    const csv = parseDatasetText('text,label\na,07\nb,0b11\nc,3\nd,7\ne,07\n', 'csv');
    expect(csv.classes.map((c) => c.value)).toEqual(['07', '0b11', '3', '7']);
    expect(csv.rows.map((r) => r.label)).toEqual([0, 1, 2, 3, 0]);
    expect(csv.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/label "07" \(line 2\) is the number 7 written another way.*read as a class name, as written/));
    const jsonl = parseDatasetText(['07', '0x1', '1', '1e3', '1000'].map((l, i) => JSON.stringify({ text: `t${i}`, label: l })).join('\n'), 'jsonl');
    expect(jsonl.classes.map((c) => c.value)).toEqual(['07', '0x1', '1', '1000', '1e3']);
  });

  it('reads plain integers, signs and integral decimals as class ids as before', () => {
    const d = parseDatasetText('text,label\na,+1\nb,-1\nc,1.0\nd,-1\n', 'csv');
    expect(d.classes.map((c) => c.value)).toEqual([-1, 1]);
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, 1, 0]);
    expect(d.warnings).toEqual([]);
  });

  it('a field of zero-padded ids only is a field of names, in their written order, without a warning', () => {
    const d = parseDatasetText('text,label\na,002\nb,001\nc,010\n', 'csv');
    expect(d.classes.map((c) => c.value)).toEqual(['001', '002', '010']);
    expect(d.warnings).toEqual([]);
  });
});
