import { describe, expect, it } from 'vitest';
import { curationPlan } from '../../../src/core/curate';
import { comparisonMarkdown, sourcesMarkdown } from '../../../src/extension/curateText';
import { result, row } from './builders';

describe('Curate Training Set: the Markdown comparison', () => {
  const hostile = '/data/a|b [x](https:e.x) `y` <img src=1>.jsonl';
  const input = result([row(0, 1, 'overlap'), row(1, 2, 'easy'), row(2, 3, 'hard'), row(3, 4, 'easy')]);
  input.dataset.path = hostile;
  const plan = curationPlan(input.rows, { size: 2 });
  const curated = result([row(0, 1, 'overlap'), row(1, 2, 'easy')], { accuracy: { weak: 0.7, strong: 0.9, w2s: 0.81 } });
  const outcome = {
    input: { result: input, resultPath: '/r/in.json' },
    plan,
    written: { file: '/data/a|b [x](https:e.x) `y` <img src=1>.curated.jsonl', rows: 2, bytes: 10, format: 'jsonl' },
    testWritten: { file: '/data/t|.curated.test.jsonl', rows: 5, bytes: 10, format: 'jsonl' },
    curated: { result: curated, resultPath: '/r/cur.json' },
  };
  const md = comparisonMarkdown(outcome);

  it('has the table of both analyses with the share of input overlap rows', () => {
    expect(md).toContain('| | input | curated |');
    expect(md).toMatch(/\| W2S accuracy \| 0\\\.780 \| 0\\\.810 \|/);
    expect(md).toContain("| overlap rows by the input\\'s detection | 25\\.0\\% \\(1 of 4\\) | 50\\.0\\% \\(1 of 2\\) |");
    expect(md).toContain('**Input:**');
    expect(md).toContain('**Curated:**');
  });

  it('escapes file names: no link, no HTML, no table break, no code span from the data', () => {
    expect(md).toContain('a\\|b \\[x\\]\\(https\\:e\\.x\\)');
    expect(md).not.toMatch(/(^|[^\\])\[x\]/);
    expect(md).not.toMatch(/(^|[^\\])<img/);
    expect(md).not.toContain('`y`');
    // Every "|" outside the table rows is escaped.
    for (const line of md.split('\n').filter((l) => !l.startsWith('|'))) expect(line).not.toMatch(/(^|[^\\])\|/);
  });
});

describe('Curate Training Set across sources: the Markdown comparison', () => {
  const c = { size: 4, curated: { accuracy: 0.95, perSource: [3, 1] }, random: { accuracy: 0.91, perSource: [2, 2] }, all: { accuracy: 0.93, rows: 20 }, weakAccuracy: 0.8, testRows: 12 };
  const md = sourcesMarkdown({
    selection: { plan: { rounds: 2, perRound: 7, seeds: [0] } } as never,
    rows: [],
    sources: [{ name: 'a|b <i>.jsonl', poolRows: 10, taken: 3 }, { name: 'c.jsonl', poolRows: 10, taken: 1 }],
    comparison: c,
    written: { file: '/d/a+c.curated.jsonl', rows: 4, bytes: 9, format: 'jsonl' },
    testWritten: { file: '/d/a+c.curated.test.jsonl', rows: 12, bytes: 9, format: 'jsonl' },
    notes: ['a note'],
  });

  it('shows curated vs random vs all pools and what UCB took from each source, escaped', () => {
    expect(md).toMatch(/\| UCB-curated \| 4 \| 0\.950 \|/);
    expect(md).toMatch(/\| random draw from the pooled sources \| 4 \| 0\.910 \|/);
    expect(md).toMatch(/\| all pooled rows \| 20 \| 0\.930 \|/);
    expect(md).toContain('| 10 | 3 (75%) | 2 (50%) |');
    expect(md).toContain('a\\|b');
    expect(md).not.toContain('<i>');
    expect(md).toContain("12 test rows");
  });
});
