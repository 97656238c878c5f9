import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import { regimeVerdict } from '../../../src/core/experiment/regime';
import {
  DARK_THEME,
  LIGHT_THEME,
  confusionSpec,
  draggable,
  histogram,
  mapSpec,
  regimeBands,
  regimeSpec,
  thresholdSpec,
  type ThresholdChart,
} from '../../../src/core/report/specs';
import { buildResult } from './build';

/** Runs a compiled spec headlessly the way the webview does: AST mode and the interpreter, never eval. */
async function run(vg: vega.Spec): Promise<vega.View> {
  const view = new vega.View(vega.parse(vg, undefined, { ast: true }), { renderer: 'none', expr: expressionInterpreter as never });
  await view.runAsync();
  return view;
}

const fixed = { width: 400, height: 200 };

const conf: ThresholdChart = {
  param: 't1',
  title: 'Weak confidence',
  xTitle: 'confidence',
  bins: histogram([0.05, 0.1, 0.2, 0.5, 0.7, 0.9, 0.95], 10, 0, 1),
  value: 0.3,
  detected: 0.3,
  extent: [0, 1],
  below: { label: 'hard-only', color: '#f00' },
  above: { label: 'easy or overlap', color: '#00f' },
};

describe('histogram', () => {
  it('bins finite values into equal widths with the top edge in the last bin', () => {
    const b = histogram([0, 0.1, 0.5, 1, NaN, Infinity], 4, 0, 1);
    expect(b.map((x) => x.count)).toEqual([2, 0, 1, 1]);
    expect(b[3].x1).toBe(1);
    expect(histogram([], 5)).toEqual([]);
    expect(histogram([2, 2, 2], 2).map((x) => x.count)).toEqual([3, 0]);
  });
});

describe('regimeBands', () => {
  it('agrees with the regime verdict at every accuracy level', () => {
    for (const [weak, strong, nTest] of [[0.7, 0.86, 300], [0.6, 0.95, 2000], [0.8, 0.84, 100]] as const) {
      const bands = regimeBands({ weak, strong }, nTest, 0, 1);
      for (let y = 0.005; y < 1; y += 0.01) {
        const band = bands.find((b) => y >= b.y0 && y < b.y1);
        const verdict = regimeVerdict({ weak, strong, w2s: y }, (y - weak) / (strong - weak), nTest).label;
        // Exactly on a boundary the verdict may fall either way; everywhere else they must agree.
        const nearEdge = bands.some((b) => Math.abs(y - b.y0) < 1e-9 || Math.abs(y - b.y1) < 1e-9);
        if (!nearEdge) expect(band?.regime ?? 'undetermined').toBe(verdict);
      }
    }
  });

  it('gives no bands when the verdict is undetermined', () => {
    expect(regimeBands({ weak: 0.8, strong: 0.802 }, 10000, 0, 1)).toEqual([]);
  });
});

describe('chart specs', () => {
  it('regime plot: curve, band over seeds, the reference lines and the regime bands', async () => {
    const r = buildResult({ w2s: 300 });
    const view = await run(compile(regimeSpec(r, LIGHT_THEME, fixed)).spec);
    const data = (name: string) => view.data(name) as Record<string, unknown>[];
    const all = Object.keys((view as unknown as { _runtime: { data: Record<string, unknown> } })._runtime.data)
      .filter((d) => d.startsWith('data_'))
      .map((d) => data(d));
    const curve = all.find((d) => d.length === 11 && 'mean' in d[0])!;
    expect(curve.map((d) => d.p)).toEqual(r.mixing!.proportions);
    const refs = all.find((d) => d.some((x) => x.series === 'weak'))!;
    expect(refs.map((d) => d.series)).toEqual(['weak', 'W2S (all W2S-train)', 'strong', 'random subset']);
    expect(refs.find((d) => d.series === 'strong')!.value).toBe(0.86);
    const bands = all.find((d) => d.some((x) => x.regime === 'medium'))!;
    expect(bands.map((b) => b.regime)).toEqual(['low', 'medium', 'high']);
    expect(view.scale('x').domain()).toEqual([0, 1]);
  });

  it('threshold histogram recolours bins from the t1 signal and the drag moves the signal', async () => {
    const vg = draggable(compile(thresholdSpec(conf, LIGHT_THEME, fixed)).spec, 't1', [0, 1]);
    const t1 = vg.signals!.find((s) => s.name === 't1')!;
    expect(JSON.stringify((t1 as { on?: unknown }).on)).toContain("invert('x', x())");
    const view = await run(vg);
    const sides = () => {
      const name = Object.keys((view as unknown as { _runtime: { data: Record<string, unknown> } })._runtime.data).find((d) => {
        try {
          return (view.data(d) as { side?: string }[]).some((x) => x.side !== undefined);
        } catch {
          return false;
        }
      })!;
      return (view.data(name) as { x0: number; side: string }[]).filter((b) => b.x0 < 0.95);
    };
    expect(sides().filter((b) => b.side === 'hard-only').map((b) => b.x0)).toEqual([0, 0.1, 0.2]);
    await view.signal('t1', 0.55).runAsync();
    expect(sides().filter((b) => b.side === 'hard-only')).toHaveLength(5);
  });

  it('draggable refuses a spec without the signal', () => {
    expect(() => draggable(compile(thresholdSpec(conf, LIGHT_THEME, fixed)).spec, 't2', [0, 1])).toThrow(/no signal "t2"/);
  });

  it('map and confusion specs compile and run with the interpreter', async () => {
    const points = [
      { x: 0, y: 1, k: 0, row: 4, category: 'easy', confidence: 0.8, alignment: 0.1 },
      { x: 1, y: 0, k: 1, row: 9, category: 'overlap', confidence: 0.7, alignment: 0.9 },
    ];
    const m = await run(compile(mapSpec(points, DARK_THEME, fixed)).spec);
    expect(m.scale('color').range()).toEqual([DARK_THEME.easy, DARK_THEME.hard, DARK_THEME.overlap]);
    const tooltip = (mapSpec(points, DARK_THEME, fixed) as { encoding: { tooltip: { field: string; title: string }[] } }).encoding.tooltip;
    expect(tooltip.map((t) => t.title)).toEqual(['row', 'category', 'label', 'weak confidence', 'similarity to hard-only rows', 'text']);
    const gt = buildResult({ w2s: 300, groundTruth: true }).groundTruth!;
    const c = await run(compile(confusionSpec(gt, LIGHT_THEME)).spec);
    expect(c.scale('x').domain()).toEqual(['easy-only', 'hard-only', 'overlap']);
  });

  it('themes change the colours, not the structure', () => {
    const r = buildResult({ w2s: 100 });
    const light = JSON.stringify(regimeSpec(r, LIGHT_THEME));
    const dark = JSON.stringify(regimeSpec(r, DARK_THEME));
    expect(light).not.toEqual(dark);
    expect(light.replaceAll(/#[0-9a-f]{6}/g, '')).toEqual(dark.replaceAll(/#[0-9a-f]{6}/g, ''));
  });
});
