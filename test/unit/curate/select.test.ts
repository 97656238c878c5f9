import { describe, expect, it } from 'vitest';
import { budgetRows, curationPlan, curationSummary } from '../../../src/core/curate';
import { InputError } from '../../../src/core/errors';
import type { ResultRow } from '../../../src/core/result/schema';

type Cat = 'overlap' | 'easy' | 'hard' | null;

/** W2S-train rows with categories and scores, plus weak-train and test rows the rule must never choose. */
function rows(cats: Cat[], opts: { alignment?: number[]; confidence?: number[] } = {}): ResultRow[] {
  const out: ResultRow[] = cats.map((category, k) => ({
    index: 10 + k,
    line: 11 + k,
    split: 'w2s-train',
    label: k % 2,
    category,
    confidence: opts.confidence?.[k] ?? 0.5,
    alignment: category === 'hard' ? null : opts.alignment?.[k] ?? 0.1,
    pseudoLabel: k % 2,
  }));
  for (let i = 0; i < 10; i++) out.push({ index: i, split: i < 5 ? 'weak-train' : 'test', label: 0, category: null, confidence: null, alignment: null, pseudoLabel: null });
  return out;
}

describe('curationPlan', () => {
  const cats: Cat[] = ['easy', 'overlap', 'hard', 'easy', 'overlap', 'hard', 'easy', 'overlap'];
  const alignment = [0.3, 0.9, 0, 0.7, 0.8, 0, 0.5, 0.95];
  const confidence = [0.9, 0.9, 0.1, 0.9, 0.9, 0.3, 0.9, 0.9];
  const r = rows(cats, { alignment, confidence });

  it('takes every overlap row first, then easy-only by alignment, then hard-only by confidence', () => {
    // overlap = 11, 14, 17; easy by alignment: 13 (0.7), 16 (0.5), 10 (0.3); hard by confidence: 15 (0.3), 12 (0.1)
    expect(curationPlan(r, { size: 3 }).rows).toEqual([11, 14, 17]);
    expect(curationPlan(r, { size: 4 }).rows).toEqual([11, 13, 14, 17]);
    expect(curationPlan(r, { size: 6 }).rows).toEqual([10, 11, 13, 14, 16, 17]);
    expect(curationPlan(r, { size: 7 }).rows).toEqual([10, 11, 13, 14, 15, 16, 17]);
    const p = curationPlan(r, { size: 7 });
    expect(p.taken).toEqual({ overlap: 3, easy: 3, hard: 1, uncategorised: 0 });
    expect(p.available).toEqual({ overlap: 3, easy: 3, hard: 2, uncategorised: 0 });
    expect(p.pool).toBe(8);
  });

  it('never chooses weak-train or test rows, and returns rows in file order', () => {
    const p = curationPlan(r, { size: 8 });
    expect(p.rows).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(p.rows.every((i) => i >= 10)).toBe(true);
  });

  it('a fraction is of the W2S-train rows, rounded, at least one', () => {
    expect(curationPlan(r, { fraction: 0.5 }).rows.length).toBe(4);
    expect(curationPlan(r, { fraction: 0.01 }).rows.length).toBe(1);
    expect(budgetRows({ fraction: 1 }, 8)).toBe(8);
  });

  it('a budget larger than the pool keeps the whole pool and says so', () => {
    const p = curationPlan(r, { size: 100 });
    expect(p.rows.length).toBe(8);
    expect(p.asked).toBe(100);
    expect(p.notes.join(' ')).toMatch(/larger than the 8 W2S-train rows/);
  });

  it('a budget smaller than the overlap set: a seeded sample of overlap rows only, deterministic per seed', () => {
    const many = rows(Array.from({ length: 40 }, (_, k): Cat => (k < 30 ? 'overlap' : 'easy')));
    const a = curationPlan(many, { size: 10 }, 1);
    expect(a.rows.length).toBe(10);
    expect(a.taken).toEqual({ overlap: 10, easy: 0, hard: 0, uncategorised: 0 });
    expect(curationPlan(many, { size: 10 }, 1).rows).toEqual(a.rows);
    // the result's row order does not matter
    expect(curationPlan([...many].reverse(), { size: 10 }, 1).rows).toEqual(a.rows);
    const seeds = new Set([1, 2, 3, 4, 5].map((s) => curationPlan(many, { size: 10 }, s).rows.join(',')));
    expect(seeds.size).toBeGreaterThan(1);
    expect(a.notes.join(' ')).toMatch(/smaller than the 30 overlap rows/);
  });

  it('no overlap rows: easy-only first, then hard-only, with a note', () => {
    const p = curationPlan(rows(['hard', 'easy', 'easy', 'hard'], { alignment: [0, 0.2, 0.4, 0], confidence: [0.2, 0.9, 0.9, 0.4] }), { size: 3 });
    expect(p.rows).toEqual([11, 12, 13]);
    expect(p.taken).toEqual({ overlap: 0, easy: 2, hard: 1, uncategorised: 0 });
    expect(p.notes.join(' ')).toMatch(/no overlap rows/);
  });

  it('equal scores are broken by the seed, the same way every time', () => {
    const tied = rows(['easy', 'easy', 'easy', 'easy', 'easy', 'easy']);
    const once = curationPlan(tied, { size: 3 }, 7).rows;
    expect(curationPlan(tied, { size: 3 }, 7).rows).toEqual(once);
    const across = new Set(Array.from({ length: 8 }, (_, s) => curationPlan(tied, { size: 3 }, s).rows.join(',')));
    expect(across.size).toBeGreaterThan(1);
  });

  it('refuses bad budgets, a result without W2S-train rows and duplicated rows', () => {
    expect(() => curationPlan(r, { size: 0 })).toThrow(InputError);
    expect(() => curationPlan(r, { size: 2.5 })).toThrow(/whole number/);
    expect(() => curationPlan(r, { fraction: 0 })).toThrow(/\(0, 1\]/);
    expect(() => curationPlan(r, { fraction: 1.5 })).toThrow(InputError);
    expect(() => curationPlan(r, { fraction: Number.NaN })).toThrow(InputError);
    expect(() => curationPlan(r.filter((x) => x.split !== 'w2s-train'), { size: 1 })).toThrow(/no W2S-train rows/);
    expect(() => curationPlan([...r, r[0]!], { size: 1 })).toThrow(/twice/);
  });

  it('summarises what was taken from each group', () => {
    expect(curationSummary(curationPlan(r, { size: 4 }))).toBe('4 of 8 W2S-train rows: 3 overlap (all), 1 easy-only of 3, 0 hard-only of 2');
  });
});

describe('parseBudget (the editor command\'s input box)', () => {
  it('reads rows, percentages and decimal shares', async () => {
    const { parseBudget } = await import('../../../src/core/curate');
    expect(parseBudget('1000')).toEqual({ size: 1000 });
    expect(parseBudget(' 1,200 ')).toEqual({ size: 1200 });
    expect(parseBudget('50%')).toEqual({ fraction: 0.5 });
    expect(parseBudget('0.25')).toEqual({ fraction: 0.25 });
    expect(parseBudget('.1')).toEqual({ fraction: 0.1 });
    for (const bad of ['0', '0%', '150%', 'half', '', '-5', '1e3']) expect(parseBudget(bad)).toHaveProperty('error');
  });
});
