import { describe, expect, it } from 'vitest';
import { parseDatasetText } from '../../../src/core/data';
import { detectFields, getField } from '../../../src/core/data/fields';

describe('detectFields', () => {
  it('finds each role by its usual names, case-insensitively, keeping the data spelling', () => {
    const { fields } = detectFields([
      { Text: 'a', Label: 1, weak_labels: [0], weak_activations: [1], strong_acts: [2], weak_score: 0.3, split: 'test' },
    ]);
    expect(fields).toEqual({
      text: 'Text',
      label: 'Label',
      weakLabels: 'weak_labels',
      weakActs: 'weak_activations',
      strongActs: 'strong_acts',
      weakProbs: 'weak_score',
      split: 'split',
    });
  });

  it('prefers names in order: text before sentence, label before y', () => {
    expect(detectFields([{ sentence: 's', text: 't', y: 0, label: 1 }]).fields).toEqual({ text: 'text', label: 'label' });
  });

  it('reaches into data.text (WRENCH)', () => {
    expect(detectFields([{ label: 0, data: { text: 'hi' } }]).fields).toEqual({ text: 'data.text', label: 'label' });
  });

  it('skips a `labels` list (multi-label) as the class label', () => {
    expect(detectFields([{ text: 'a', labels: [1, 2], y: 1 }]).fields).toEqual({ text: 'text', label: 'y' });
  });

  it('falls back to the first long string column, ignoring numbers and arrays', () => {
    const records = [
      { id: '17', code: 'ab', acts: '[1, 2]', review: 'an unusually long review of a film', other: 'also a very long string here' },
    ];
    expect(detectFields(records).fields.text).toBe('review');
    expect(detectFields([{ id: '1', name: 'abc', tag: 'ab' }]).fields.text).toBe('name');
  });

  it('applies overrides, reports the missing ones and lets an empty name switch a role off', () => {
    const result = detectFields([{ body: 'hello there', label: 1, split: 'test' }], { text: 'body', weakActs: 'emb', split: '' });
    expect(result.fields).toEqual({ text: 'body', label: 'label', weakActs: 'emb' });
    expect(result.missing).toEqual([{ role: 'weakActs', name: 'emb' }]);
    expect(result.available).toEqual(['body', 'label', 'split']);
  });

  it('does not reuse a field claimed by an override for another role', () => {
    expect(detectFields([{ text: 'a', label: 0, gold: 1 }], { label: 'gold', text: 'text' }).fields).toEqual({ label: 'gold', text: 'text' });
    expect(detectFields([{ text: 'a', label: 'x' }], { text: 'label' }).fields).toEqual({ text: 'label' });
  });
});

describe('getField', () => {
  it('reads literal dotted keys before nested paths', () => {
    expect(getField({ 'data.text': 'flat', data: { text: 'nested' } }, 'data.text')).toBe('flat');
    expect(getField({ data: { text: 'nested' } }, 'data.text')).toBe('nested');
    expect(getField({ data: 'x' }, 'data.text')).toBeUndefined();
  });
});

describe('label normalisation', () => {
  const labels = (jsonl: string, labelNames?: string[]) => {
    const d = parseDatasetText(jsonl, 'jsonl', { labelNames });
    return { ids: d.rows.map((r) => r.label), names: d.labelNames, numClasses: d.numClasses };
  };
  const rows = (...values: unknown[]) => values.map((v) => JSON.stringify({ text: 't', label: v })).join('\n');

  it('maps the set of integer values to dense ids in ascending order (ids 1..4 are 4 classes, not 5)', () => {
    expect(labels(rows(0, 3, 1))).toEqual({ ids: [0, 2, 1], names: ['0', '1', '3'], numClasses: 3 });
    expect(labels(rows(1, 2, 3, 4, 2))).toEqual({ ids: [0, 1, 2, 3, 1], names: ['1', '2', '3', '4'], numClasses: 4 });
    expect(labels(rows(-1, 1, 1))).toEqual({ ids: [0, 1, 1], names: ['-1', '1'], numClasses: 2 });
    expect(labels(rows(1, 0, 2))).toEqual({ ids: [1, 0, 2], names: undefined, numClasses: 3 });
  });

  it('a huge class id is one class value, never an allocation of that size', () => {
    const d = parseDatasetText(rows(0, 20000000, 1e300, 0), 'jsonl');
    expect(d.numClasses).toBe(3);
    // 1e300 is beyond 2^53, not exact as a number: every label is then a class name as written (code-point order)
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['0', 2], ['1e+300', 1], ['20000000', 1]]);
    const ids = parseDatasetText(rows(0, 20000000, 9007199254740991, 0), 'jsonl');
    expect(ids.classes.map((c) => [c.value, c.count])).toEqual([[0, 2], [20000000, 1], [9007199254740991, 1]]);
  });

  it('refuses a label field with too many distinct values for classes, naming the field', () => {
    const many = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: 't', label: `name ${i}` })).join('\n');
    expect(() => parseDatasetText(many, 'jsonl')).toThrow(/label field "label" has 40 distinct values in 40 labelled rows/);
    const ids = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: 't', label: i % 1500 })).join('\n');
    expect(() => parseDatasetText(ids, 'jsonl')).toThrow(/1500 distinct values; at most 1000 classes/);
  });

  it('turns numeric strings, integral floats and booleans into ids', () => {
    expect(labels(rows('0', '1', 2.0, true, false, ' 1 '))).toEqual({ ids: [0, 1, 2, 1, 0, 1], names: undefined, numClasses: 3 });
  });

  it('numbers class names in sorted order', () => {
    expect(labels(rows('spam', 'ham', 'spam', 'eggs'))).toEqual({ ids: [2, 1, 2, 0], names: ['eggs', 'ham', 'spam'], numClasses: 3 });
  });

  it('leaves missing, null and empty labels as null', () => {
    const text = [JSON.stringify({ text: 'a' }), rows(null, '', 1)].join('\n');
    expect(labels(text)).toEqual({ ids: [null, null, null, 0], names: ['1'], numClasses: 1 });
  });

  it('maps names through given class names and counts them as classes', () => {
    expect(labels(rows('spam', 'ham'), ['ham', 'spam'])).toEqual({ ids: [1, 0], names: ['ham', 'spam'], numClasses: 2 });
    expect(labels(rows(0), ['ham', 'spam', 'eggs'])).toMatchObject({ numClasses: 3 });
    // 1-based ids when the data never uses 0 and does use the last id (AG News with classes.txt)
    expect(labels(rows(1, 4, 2), ['World', 'Sports', 'Business', 'Sci/Tech'])).toEqual({ ids: [0, 3, 1], names: ['World', 'Sports', 'Business', 'Sci/Tech'], numClasses: 4 });
    expect(() => labels(rows(0, 5), ['a', 'b', 'c'])).toThrow(/<input>:2: label 5 is not a class id of the 3 class names/);
    expect(() => labels(rows('bacon'), ['ham', 'spam'])).toThrow(/<input>:1: label "bacon" is not one of the class names/);
  });

  it('gives zero classes when no row is labelled', () => {
    expect(labels(JSON.stringify({ text: 'a' }))).toEqual({ ids: [null], names: [], numClasses: 0 });
  });
});
