import { describe, expect, it } from 'vitest';
import { buildHoverMarkdown, confidenceLine, escapeMarkdown } from '../../../src/extension/hoverText';
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
    expect(md).toContain('weak confidence **0.823** > t1 = 0.400: not hard-only');
    expect(md).toContain('alignment with hard rows **0.910** ≥ t2 = 0.500: overlap (dot\\-max)');
    expect(md).toContain('weak pseudo-label 1 (positive) · true label 0 (negative): the weak label is wrong');
    expect(md).toContain('[line 2](command:overlapDensity.revealRow?%5B2%5D "Reveal line 2")');
    expect(md).toContain('a \\*bad\\* film');
  });

  it('calls a hard-only row hard because its confidence is under t1, and gives it no alignment', () => {
    const md = buildHoverMarkdown({ row: row(1, 2, 'hard', { confidence: 0.1 }), result: base });
    expect(md).toContain('**hard-only**');
    expect(md).toContain('0.100** < t1 = 0.400: hard-only');
    expect(md).toContain('hard-only rows are the set the others are aligned with');
  });

  it('applies the probing rule (c <= t1) at the threshold itself', () => {
    const probing = result([], { detection: { ...base.detection, hardRule: 'probing' } });
    expect(confidenceLine(0.4, probing)).toContain('= t1 = 0.400: hard-only');
    expect(confidenceLine(0.4, base)).toContain('= t1 = 0.400: not hard-only');
  });

  it('says easy-only below t2', () => {
    const md = buildHoverMarkdown({ row: row(2, 3, 'easy', { alignment: 0.2 }), result: base });
    expect(md).toContain('**0.200** < t2 = 0.500: easy-only');
  });

  it('explains that rows outside W2S-train are not categorised', () => {
    const md = buildHoverMarkdown({ row: row(5, 6, null), result: base, flagged: true });
    expect(md).toContain('weak-train split');
    expect(md).toContain('detection runs on the W2S-train split only');
    expect(md).toContain('flagged');
  });

  it('reports ground truth on synthetic data', () => {
    const md = buildHoverMarkdown({ row: row(0, 1, 'overlap', { trueCategory: 'easy' }), result: base });
    expect(md).toContain('ground truth easy-only: detected wrongly');
  });

  it('escapes markdown in row text', () => {
    expect(escapeMarkdown('[x](command:evil)')).toBe('\\[x\\]\\(command\\:evil\\)');
  });
});
