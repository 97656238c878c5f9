/**
 * The selection report's three charts (cumulative detected overlap ratio, W2S accuracy by round, pulls per source)
 * as pure specs: compiled by vega-lite and run by vega's AST interpreter (never eval), with the numbers the
 * SelectionResult holds. The zero-eval run in chromium is in htmlReport.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import {
  DARK_THEME, LIGHT_THEME, bandRows, selectionAccuracySpec, selectionOverlapSpec, selectionPullsSpec, sourceLabels, strategyColor,
} from '../../../src/core/report/specs';
import { buildSelection } from './buildSelection';

async function run(vg: vega.Spec): Promise<vega.View> {
  const view = new vega.View(vega.parse(vg, undefined, { ast: true }), { renderer: 'none', expr: expressionInterpreter as never });
  await view.runAsync();
  return view;
}

/** Every named data set of a view, as arrays of rows. */
function datasets(view: vega.View): Record<string, unknown>[][] {
  return Object.keys((view as unknown as { _runtime: { data: Record<string, unknown> } })._runtime.data)
    .filter((d) => d.startsWith('data_'))
    .map((d) => view.data(d) as Record<string, unknown>[]);
}

const fixed = { width: 400, height: 200 };

describe('bandRows', () => {
  it('turns a band into 1-based round rows and leaves out rounds without a value', () => {
    const rows = bandRows('ucb', { mean: [0.5, null, 0.7], std: [0.1, null, 0], min: [0.4, null, 0.7], max: [0.6, null, 0.7] });
    expect(rows).toEqual([
      { round: 1, strategy: 'ucb', mean: 0.5, lo: 0.4, hi: 0.6, std: 0.1 },
      { round: 3, strategy: 'ucb', mean: 0.7, lo: 0.7, hi: 0.7, std: 0 },
    ]);
  });

  it('makes repeated source names unique for the legend', () => {
    expect(sourceLabels([{ name: 'a.json' }, { name: 'b.json' }, { name: 'a.json' }])).toEqual(['a.json', 'b.json', 'a.json (2)']);
  });
});

describe('selection charts', () => {
  it('overlap ratio: one mean line and band per strategy from the summary, legend with the strategies', async () => {
    const r = buildSelection({ rounds: 12, seeds: 4 });
    const view = await run(compile(selectionOverlapSpec(r, LIGHT_THEME, fixed)).spec);
    const rows = datasets(view).find((d) => d.length > 0 && 'lo' in d[0])!;
    expect(rows).toHaveLength(2 * 12);
    const ucb = r.summary.strategies.find((s) => s.strategy === 'ucb')!;
    const last = rows.find((x) => x.strategy === 'ucb' && x.round === 12)!;
    expect(last.mean).toBeCloseTo(ucb.detectedOverlapRatio.mean[11]!, 12);
    expect(last.lo).toBe(ucb.detectedOverlapRatio.min[11]);
    expect(last.hi).toBe(ucb.detectedOverlapRatio.max[11]);
    expect(view.scale('color').domain()).toEqual(['ucb', 'random']);
    expect(view.scale('color').range()).toEqual([strategyColor('ucb', LIGHT_THEME), strategyColor('random', LIGHT_THEME)]);
    expect(view.scale('x').domain()).toEqual([1, 12]);
  });

  it('overlap ratio: with ground truth the true ratio is a dashed second measure', async () => {
    const r = buildSelection({ truth: true, rounds: 8 });
    const view = await run(compile(selectionOverlapSpec(r, DARK_THEME, fixed)).spec);
    const rows = datasets(view).find((d) => d.length > 0 && 'measure' in d[0])!;
    expect(new Set(rows.map((x) => x.measure))).toEqual(new Set(['detected', 'true (ground truth)']));
    expect(rows).toHaveLength(3 * 8 * 2);
    expect(view.scale('strokeDash').domain()).toEqual(['detected', 'true (ground truth)']);
  });

  it('accuracy: mean and band per strategy, rules for weak, W2S on all pools and strong, rounds without scores skipped', async () => {
    const r = buildSelection({ rounds: 10, evalEvery: 3 });
    const view = await run(compile(selectionAccuracySpec(r, LIGHT_THEME, fixed)).spec);
    const all = datasets(view);
    const rows = all.find((d) => d.length > 0 && 'lo' in d[0])!;
    // Scored at rounds 3, 6, 9 and the last (10).
    expect([...new Set(rows.map((x) => x.round))]).toEqual([3, 6, 9, 10]);
    const refs = all.find((d) => d.some((x) => x.strategy === 'weak'))!;
    expect(refs.map((x) => [x.strategy, x.value])).toEqual([['weak', 0.72], ['W2S on all pools', 0.8], ['strong ceiling', 0.9]]);
    expect(view.scale('color').domain()).toEqual(['ucb', 'random', 'weak', 'W2S on all pools', 'strong ceiling']);
    const [lo, hi] = view.scale('y').domain() as number[];
    expect(lo).toBeLessThanOrEqual(0.72);
    expect(hi).toBeGreaterThanOrEqual(0.9);
  });

  it('pulls: each strategy\'s shares of the sources stack to 100%, labelled in percent', async () => {
    const r = buildSelection({ densities: [0.1, 0.3, 0.7], names: ['a.csv', 'b.csv', 'c.csv'], truth: true });
    const view = await run(compile(selectionPullsSpec(r, LIGHT_THEME, fixed)).spec);
    const rows = datasets(view).find((d) => d.length > 0 && 'share' in d[0])!;
    for (const s of ['ucb', 'random', 'optimal']) {
      const mine = rows.filter((x) => x.strategy === s);
      expect(mine.map((x) => x.source)).toEqual(['a.csv', 'b.csv', 'c.csv']);
      expect(mine.reduce((a, x) => a + (x.share as number), 0)).toBeCloseTo(1, 12);
    }
    const optimal = rows.filter((x) => x.strategy === 'optimal');
    expect(optimal.map((x) => x.label)).toEqual(['', '', '100%']);
    expect(view.scale('color').domain()).toEqual(['a.csv', 'b.csv', 'c.csv']);
    expect(view.scale('x').domain()).toEqual([0, 1]);
  });

  it('themes change the colours, not the structure', () => {
    const r = buildSelection();
    for (const spec of [selectionOverlapSpec, selectionAccuracySpec, selectionPullsSpec]) {
      const light = JSON.stringify(spec(r, LIGHT_THEME));
      const dark = JSON.stringify(spec(r, DARK_THEME));
      expect(light).not.toEqual(dark);
      expect(light.replaceAll(/#[0-9a-f]{6}/g, '')).toEqual(dark.replaceAll(/#[0-9a-f]{6}/g, ''));
    }
  });
});
