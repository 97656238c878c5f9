import { describe, expect, it } from 'vitest';
import { buildHoverMarkdown, confidenceLine, escapeMarkdown, fencedBlock, rowPreviewText } from '../../../src/extension/hoverText';
import { result, row } from './builders';

describe('hover text', () => {
  const base = result([row(0, 1, 'overlap'), row(1, 2, 'hard'), row(2, 3, 'easy')], {
    dataset: { path: '/d.jsonl', format: 'jsonl', rows: 3, numClasses: 2, labelNames: ['negative', 'positive'], splits: { weakTrain: 0, w2sTrain: 3, test: 0 } },
  });

  it('states category, confidence vs t1, alignment vs t2, labels and the nearest hard row with a reveal link', () => {
    const r = row(0, 1, 'overlap', { confidence: 0.8234, alignment: 0.91, pseudoLabel: 1, label: 0 });
    const md = buildHoverMarkdown({
      row: r,
      result: base,
      nearest: { line: 2, text: '{"text": "a *bad* film"}', revealUri: 'command:overlapDensity.revealRow?%5B2%5D' },
    });
    expect(md).toContain('**overlap**');
    expect(md).toContain("the weak model's confidence **0.823** of 1 (its top class's probability minus the runner-up's) > cut-off t1 = 0.400: not hard-only");
    expect(md).toContain('similarity to the hard-only rows **0.910** ≥ cut-off t2 = 0.500: overlap (score dot-max: the largest dot product');
    expect(md).toContain('The weak model is sure enough here (0.82 of 1, cut-off 0.40), and the row also resembles the rows it is unsure about (0.91, cut-off 0.50)');
    expect(md).toContain("the weak model's guess positive · true label negative: the guess is wrong");
    expect(md).toContain('row 1 · line 1');
    expect(md).toContain('[line 2](command:overlapDensity.revealRow?%5B2%5D "Reveal line 2")');
    expect(md).toContain('a \\*bad\\* film');
  });

  it('calls a hard-only row hard because its confidence is under t1, and gives it no alignment', () => {
    const md = buildHoverMarkdown({ row: row(1, 2, 'hard', { confidence: 0.1 }), result: base });
    expect(md).toContain('**hard-only**');
    expect(md).toContain('0.100** of 1');
    expect(md).toContain('< cut-off t1 = 0.400: hard-only');
    expect(md).toContain('The weak model is unsure here (0.10 of 1, under the cut-off 0.40), so the strong model has to learn this row from patterns only it can see');
    expect(md).toContain('hard-only rows are what the others are compared with');
  });

  it('applies the probing rule (c <= t1) at the threshold itself', () => {
    const probing = result([], { detection: { ...base.detection, hardRule: 'probing' } });
    expect(confidenceLine(0.4, probing)).toContain('= cut-off t1 = 0.400: hard-only');
    expect(confidenceLine(0.4, base)).toContain('= cut-off t1 = 0.400: not hard-only');
  });

  it('says easy-only below t2', () => {
    const md = buildHoverMarkdown({ row: row(2, 3, 'easy', { alignment: 0.2 }), result: base });
    expect(md).toContain('**0.200** < cut-off t2 = 0.500: easy-only');
    expect(md).toContain('does not resemble the rows it is unsure about (0.20, under the cut-off 0.50)');
  });

  it('explains that rows outside W2S-train are not categorised', () => {
    const md = buildHoverMarkdown({ row: row(5, 6, null), result: base, flagged: true });
    expect(md).toContain('weak-train split');
    expect(md).toContain('overlap is looked for only in the W2S-train split');
    expect(md).toContain('row 6 · line 6');
    expect(md).toContain('flagged');
  });

  it('reports ground truth on synthetic data', () => {
    const md = buildHoverMarkdown({ row: row(0, 1, 'overlap', { trueCategory: 'easy' }), result: base });
    expect(md).toContain('ground truth easy-only: detected wrongly');
  });

  it('names classes by the values the data writes when there are no names (labels 1..4 read as ids 0..3)', () => {
    const read = { format: 'csv', textFields: ['text'], unusedTextFields: [], how: {}, rowsRead: 2, skipped: 0, skippedExamples: [], unlabelled: 0,
      classes: [{ id: 0, value: 1, count: 1 }, { id: 1, value: 2, name: 'Sports', count: 1 }] };
    const r = result([], { dataset: { ...base.dataset, labelNames: undefined, read } });
    const md = buildHoverMarkdown({ row: row(0, 1, 'overlap', { pseudoLabel: 0, label: 1 }), result: r });
    expect(md).toContain("the weak model's guess 1 · true label Sports");
  });

  it('escapes markdown in row text', () => {
    expect(escapeMarkdown('[x](command:evil)')).toBe('\\[x\\]\\(command\\:evil\\)');
  });

  it('shows a theme icon in data as text: the hover renders its own icons after Markdown removes the escapes', () => {
    const names = ['$(trash) **B**', '[q](command:workbench.action.quit)'];
    const r = result([row(0, 1, 'overlap', { pseudoLabel: 0, label: 1 })], { dataset: { ...base.dataset, labelNames: names } });
    const md = buildHoverMarkdown({ row: r.rows[0]!, result: r, flagged: true });
    // the data's `$(trash)` is broken by a zero-width space; the hover's own `$(bookmark)` is kept
    expect(md).toContain('\\$\u200b\\(trash\\)');
    expect(md.replace(/\\(.)/g, '$1')).not.toMatch(/\$\((?!bookmark\))/);
    expect(md).toContain('$(bookmark) flagged');
    expect(md).not.toMatch(/[^\\]\]\(command:workbench/);
  });
});

describe('fencedBlock', () => {
  it('uses a fence longer than any backtick run in the text, so data cannot close the block', () => {
    expect(fencedBlock('plain')).toBe('\n```text\nplain\n```\n');
    const hostile = 'classes: 2: a```\n![x](https://example.invalid/t.png) ````b';
    const block = fencedBlock(hostile);
    expect(block.startsWith('\n`````text\n')).toBe(true);
    expect(block.endsWith('\n`````\n')).toBe(true);
  });
});

describe('rowPreviewText', () => {
  it('shows a JSON row by its text, not its activation arrays', () => {
    const line = JSON.stringify({ text: 'a fine film', label: 1, weak_acts: [0.1, 0.2], strong_acts: [0.3] });
    expect(rowPreviewText(line)).toBe('a fine film');
    expect(rowPreviewText(`${line},`)).toBe('a fine film');
    expect(rowPreviewText(JSON.stringify({ id: 3, title: 'T', body: 'B' }), ['body', 'title'])).toBe('B · T');
    expect(rowPreviewText(JSON.stringify({ weak_acts: [1], note: 'n', sentence: 's' }))).toBe('s');
    expect(rowPreviewText(JSON.stringify({ weak_acts: [1], note: 'n' }))).toBe('n');
  });
  it('leaves other lines as they are (CSV, a JSON line cut short, an array, no string field)', () => {
    for (const raw of ['a fine film,1', '{"text": "cut', '[1, 2]', '{"a": [1], "b": 2}', '{"__proto__": "x"}']) {
      expect(rowPreviewText(raw)).toBe(raw === '{"__proto__": "x"}' ? 'x' : raw);
    }
  });
});

describe('rowPreviewText on a WRENCH record', () => {
  it('finds the nested data.text the reader reads, not the first string of the record', () => {
    const line = JSON.stringify({ label: 1, weak_labels: [-1, 1], data: { text: 'free entry now', note: 'x' } });
    expect(rowPreviewText(line)).toBe('free entry now');
    expect(rowPreviewText(line, ['data.text'])).toBe('free entry now');
  });
});
