import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../src/core/report/html';
import { describeRead, readHeadline } from '../../../src/core/report/readSummary';
import type { ReadInfo } from '../../../src/core/result/schema';
import { resultTooltip } from '../../../src/extension/summaryText';
import { buildResult } from './build';

/** What was read, for a dataset with several classes (a test file beside it unless `test` is false). */
function readInfo(names: string[], test = true): ReadInfo {
  return {
    format: 'jsonl',
    textFields: ['text'],
    unusedTextFields: [],
    labelField: 'label',
    how: { text: 'name', label: 'name' },
    classes: names.map((name, id) => ({ id, value: name, count: 10 + id })),
    rowsRead: 40,
    skipped: 0,
    skippedExamples: [],
    unlabelled: 0,
    ...(test ? { test: { file: '/d/test.jsonl', rowsRead: 6, skipped: 0, unlabelled: 0 } } : {}),
  };
}

const line = (read: ReadInfo, label: string) => describeRead(read).find((l) => l.label === label)!.text;

describe('what was read, with class names from the data', () => {
  it('keeps each class on the line: a newline, an escape sequence or a bidi override in a name becomes U+FFFD', () => {
    // found on a JSONL whose labels were "neg\nshort" and "neg\u001b[31mlong\u001b[0m": the CLI line broke in two and
    // the terminal turned red
    const text = line(readInfo(['neg\nshort', 'neg\u001b[31mlong\u001b[0m', 'pos\u202eliated', 'pos short'], false), 'classes');
    expect(text).toBe('4: neg\ufffdshort (10), neg\ufffd[31mlong\ufffd[0m (11), pos\ufffdliated (12), pos short (13)');
  });

  it('says the class counts cover the test file too (they do not add up to the rows read otherwise)', () => {
    expect(line(readInfo(['neg', 'neutral', 'pos']), 'classes')).toBe('3 (rows of the dataset and the test file): neg (10), neutral (11), pos (12)');
    expect(line(readInfo(['neg', 'pos'], false), 'classes')).toBe('2: neg (10), pos (11)');
  });

  it('the one-line headline puts a colon after each role, so a field named "text" does not read "text text"', () => {
    expect(readHeadline(readInfo(['a', 'b', 'c'], false))).toBe('text: text · label: label · 3 classes · 40 rows');
  });
});

describe('the regime rule in the static report and the tooltip', () => {
  it('names the regime once ("medium: W2S is ...", not "medium: medium: W2S is ...")', () => {
    const r = buildResult({ w2s: 40 });
    expect(r.regime.rule.startsWith('medium: ')).toBe(true);
    const html = renderHtmlReport(r, { assets: { script: '', css: '' }, nonce: 'n' });
    expect(html).toContain('<dt>regime</dt><dd>medium: W2S is within');
    expect(html).not.toContain('medium: medium:');
    expect(resultTooltip(r)).toContain('regime medium: W2S is within');
    expect(resultTooltip(r)).not.toContain('medium: medium:');
  });
});
