import { effectText, overlapEffect } from '../experiment/effect';
import { regimeMargin } from '../experiment/regime';
/**
 * Vega-Lite specifications for every chart the report shows (webview and self-contained HTML report alike).
 * Pure: numbers in, JSON specs out. Colours come from a ChartTheme (the webview reads it from VS Code's
 * --vscode-* variables), so a theme switch is a re-embed with a new theme. No spec uses anything that needs
 * `eval`: they all run under vega's AST interpreter (the webview CSP has no 'unsafe-eval').
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { Spec as VgSpec, Signal } from 'vega';
import { CATEGORY_NAMES } from '../detect/types';
import type { Band, SelectionResult, StrategyName } from '../select/schema';
import type { AnalysisResult, GroundTruthReport, MixingCurve, RegimeLabel } from '../result/schema';

export interface ChartTheme {
  foreground: string;
  background: string;
  /** Secondary text and the "detected" threshold marker. */
  muted: string;
  grid: string;
  fontFamily: string;
  fontSize: number;
  /** The draggable threshold rules. */
  accent: string;
  easy: string;
  hard: string;
  overlap: string;
  weak: string;
  strong: string;
  w2s: string;
  mixture: string;
  random: string;
  low: string;
  medium: string;
  high: string;
}

/** Light defaults: VS Code's Light+ chart colours (used by the HTML report and when a variable is missing). */
export const LIGHT_THEME: ChartTheme = {
  foreground: '#3b3b3b',
  background: '#ffffff',
  muted: '#717171',
  grid: '#e5e5e5',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
  fontSize: 12,
  accent: '#005fb8',
  easy: '#1a85ff',
  hard: '#e51400',
  overlap: '#388a34',
  weak: '#d18616',
  strong: '#652d90',
  w2s: '#1a85ff',
  mixture: '#3b3b3b',
  random: '#717171',
  low: '#e51400',
  medium: '#bf8803',
  high: '#388a34',
};

/** Dark defaults: VS Code's Dark+ chart colours. */
export const DARK_THEME: ChartTheme = {
  ...LIGHT_THEME,
  foreground: '#cccccc',
  background: '#1f1f1f',
  muted: '#9d9d9d',
  grid: '#3c3c3c',
  accent: '#4daafc',
  easy: '#3794ff',
  hard: '#f14c4c',
  overlap: '#89d185',
  weak: '#d18616',
  strong: '#b180d7',
  w2s: '#3794ff',
  mixture: '#cccccc',
  random: '#9d9d9d',
  low: '#f14c4c',
  medium: '#cca700',
  high: '#89d185',
};

/** Vega config for a theme: axes, legends and titles in the editor's colours and font. */
export function chartConfig(t: ChartTheme): Config {
  return {
    background: t.background,
    font: t.fontFamily,
    view: { stroke: 'transparent' },
    axis: {
      domainColor: t.grid,
      gridColor: t.grid,
      tickColor: t.grid,
      labelColor: t.foreground,
      titleColor: t.foreground,
      labelFontSize: t.fontSize - 1,
      titleFontSize: t.fontSize,
      titleFontWeight: 'normal',
    },
    legend: { labelColor: t.foreground, titleColor: t.foreground, labelFontSize: t.fontSize - 1, titleFontSize: t.fontSize },
    title: { color: t.foreground, subtitleColor: t.muted, fontSize: t.fontSize + 1, anchor: 'start', fontWeight: 'normal' },
    text: { color: t.foreground, fontSize: t.fontSize - 1 },
  };
}

export interface ChartSize {
  /** Pixels, or 'container' to follow the element's width. */
  width: number | 'container';
  height: number;
}

/** One y band of the regime plot. */
export interface RegimeBand {
  regime: Exclude<RegimeLabel, 'undetermined'>;
  y0: number;
  y1: number;
}

/**
 * The accuracy levels at which the regime verdict (core/experiment/regime.ts) changes for the result's weak and
 * strong accuracies: low below weak - eps, high from PGR 0.5 (weak + (strong - weak) / 2), medium between;
 * eps = max(0.005, standard error of the weak accuracy on nTest points). None when the verdict would be
 * undetermined (strong does not beat weak by more than eps). Clipped to [lo, hi].
 */
export function regimeBands(acc: { weak: number; strong: number }, nTest: number, lo: number, hi: number): RegimeBand[] {
  const eps = regimeMargin(acc.weak, nTest);
  if (!(acc.strong - acc.weak > eps)) return [];
  const lowTop = acc.weak - eps;
  const highBottom = acc.weak + 0.5 * (acc.strong - acc.weak);
  const clip = (v: number) => Math.min(hi, Math.max(lo, v));
  const bands: RegimeBand[] = [
    { regime: 'low', y0: lo, y1: clip(lowTop) },
    { regime: 'medium', y0: clip(lowTop), y1: clip(highBottom) },
    { regime: 'high', y0: clip(highBottom), y1: hi },
  ];
  return bands.filter((b) => b.y1 > b.y0);
}

const SERIES = {
  mixture: 'W2S on mixture (mean over seeds)',
  weak: 'weak',
  w2s: 'W2S (all W2S-train)',
  strong: 'strong',
  random: 'random subset',
} as const;

/** " · slope +0.012, 95% CI +0.004 to +0.020": the mean curve's least-squares slope (effect.ts), or nothing. */
function slopeCaption(mixing: MixingCurve): string {
  const e = overlapEffect(mixing);
  return e ? ` · slope ${effectText(e.vsNonOverlap)}` : '';
}

/**
 * The paper's Figure 2 for the user's data: W2S test accuracy against the overlap proportion of the training
 * subset (mean line, min-max band over seeds), with rules for weak, W2S on all W2S-train, strong and the
 * random-subset baseline, over shaded low / medium / high regime bands.
 */
export function regimeSpec(result: Pick<AnalysisResult, 'mixing' | 'accuracy' | 'dataset' | 'regime'>, theme: ChartTheme, size: ChartSize = { width: 'container', height: 300 }): TopLevelSpec {
  const { mixing, accuracy } = result;
  const curve = (mixing?.proportions ?? []).map((p, i) => ({
    p,
    mean: mixing!.mean[i],
    min: mixing!.min[i],
    max: mixing!.max[i],
    std: mixing!.std[i],
    series: SERIES.mixture,
  }));
  const refs: { series: string; value: number }[] = [
    { series: SERIES.weak, value: accuracy.weak },
    { series: SERIES.w2s, value: accuracy.w2s },
    { series: SERIES.strong, value: accuracy.strong },
  ];
  if (mixing?.randomBaseline) refs.push({ series: SERIES.random, value: mixing.randomBaseline.mean });
  const values = [...curve.flatMap((c) => [c.min, c.max, c.mean]), ...refs.map((r) => r.value)].filter(Number.isFinite);
  const lo = Math.max(0, Math.floor(((values.length ? Math.min(...values) : 0) - 0.02) * 50) / 50);
  const hi = Math.min(1, Math.ceil(((values.length ? Math.max(...values) : 1) + 0.02) * 50) / 50);
  const bands = regimeBands(accuracy, result.dataset.splits.test, lo, hi).map((b) => ({
    ...b,
    fill: theme[b.regime],
    mid: (b.y0 + b.y1) / 2,
    name: `${b.regime} regime`,
  }));
  const domain = [SERIES.mixture, SERIES.weak, SERIES.w2s, SERIES.strong, SERIES.random];
  const range = [theme.mixture, theme.weak, theme.w2s, theme.strong, theme.random];
  const x = { field: 'p', type: 'quantitative' as const, title: 'overlap proportion of the training subset', scale: { domain: [0, 1] } };
  const yScale = { domain: [lo, hi], zero: false, clamp: true };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'regime plot',
    title: {
      text: 'W2S test accuracy vs overlap proportion',
      subtitle: mixing
        ? `regime: ${result.regime.label} · subsets of ${mixing.subsetSize} points · ${mixing.seeds.length} seed${mixing.seeds.length === 1 ? '' : 's'}` +
          slopeCaption(mixing)
        : `regime: ${result.regime.label} · no mixing curve (no detected overlap rows, or no other rows, to mix)`,
    },
    width: size.width,
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.1 },
        encoding: {
          y: { field: 'y0', type: 'quantitative', scale: yScale },
          y2: { field: 'y1' },
          fill: { field: 'fill', type: 'nominal', scale: null },
          tooltip: [{ field: 'name', title: 'band' }],
        },
      },
      {
        data: { values: bands },
        mark: { type: 'text', align: 'left', dx: 4, opacity: 0.8, fontStyle: 'italic' },
        encoding: {
          x: { datum: 0, type: 'quantitative' },
          y: { field: 'mid', type: 'quantitative' },
          text: { field: 'regime' },
          color: { field: 'fill', type: 'nominal', scale: null },
        },
      },
      {
        data: { values: curve },
        mark: { type: 'area', opacity: 0.2, color: theme.mixture },
        encoding: { x, y: { field: 'min', type: 'quantitative', scale: yScale }, y2: { field: 'max' } },
      },
      {
        data: { values: refs },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          y: { field: 'value', type: 'quantitative', scale: yScale },
          color: { field: 'series', type: 'nominal', scale: { domain, range }, legend: { orient: 'bottom', title: null, columns: 2, labelLimit: 320 } },
          strokeDash: {
            condition: { test: `datum.series === '${SERIES.random}'`, value: [5, 4] },
            value: [1, 0],
          },
          tooltip: [{ field: 'series', title: 'line' }, { field: 'value', title: 'test accuracy', format: '.3f' }],
        },
      },
      {
        data: { values: curve },
        mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'W2S test accuracy', scale: yScale },
          color: { field: 'series', type: 'nominal', scale: { domain, range } },
          tooltip: [
            { field: 'p', title: 'overlap proportion', format: '.1f' },
            { field: 'mean', title: 'mean accuracy', format: '.3f' },
            { field: 'std', title: 'std', format: '.3f' },
            { field: 'min', title: 'min', format: '.3f' },
            { field: 'max', title: 'max', format: '.3f' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

export interface Bin {
  x0: number;
  x1: number;
  count: number;
}

/** Equal-width bins over [lo, hi] of the finite values; the last bin includes hi. */
export function histogram(values: ArrayLike<number>, bins: number, lo?: number, hi?: number): Bin[] {
  let a = lo ?? Infinity;
  let b = hi ?? -Infinity;
  if (lo === undefined || hi === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (lo === undefined && v < a) a = v;
      if (hi === undefined && v > b) b = v;
    }
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [];
  if (b <= a) b = a + 1;
  const width = (b - a) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < a || v > b) continue;
    counts[Math.min(bins - 1, Math.floor((v - a) / width))]++;
  }
  return counts.map((count, i) => ({ x0: a + i * width, x1: i === bins - 1 ? b : a + (i + 1) * width, count }));
}

export interface ThresholdChart {
  /** The vega signal that holds the threshold ('t1' or 't2'); the webview listens to it. */
  param: 't1' | 't2';
  title: string;
  xTitle: string;
  bins: Bin[];
  value: number;
  /** The change point the analysis found, drawn as a dashed marker. */
  detected: number | null;
  /** The range the threshold can be dragged over. */
  extent: [number, number];
  below: { label: string; color: string };
  above: { label: string; color: string };
}

/**
 * A histogram with a threshold rule: bins left of the threshold in one colour, right of it in another, the
 * detected change point dashed. The threshold is a Vega signal (`param`) so the chart recolours itself while
 * the user drags; `draggable` adds the drag handlers after compilation.
 */
export function thresholdSpec(c: ThresholdChart, theme: ChartTheme, size: ChartSize = { width: 'container', height: 180 }): TopLevelSpec {
  const p = c.param;
  const xScale = { domain: c.extent, nice: false, zero: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${p} histogram`,
    title: { text: c.title, subtitle: 'drag the line or click to move the threshold' },
    width: size.width,
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    params: [{ name: p, value: c.value }],
    layer: [
      {
        data: { values: c.bins },
        transform: [{ calculate: `(datum.x0 + datum.x1) / 2 < ${p} ? ${JSON.stringify(c.below.label)} : ${JSON.stringify(c.above.label)}`, as: 'side' }],
        mark: { type: 'rect', cursor: 'ew-resize' },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: c.xTitle, scale: xScale, axis: { tickCount: 8, labelFlush: true } },
          x2: { field: 'x1' },
          y: { field: 'count', type: 'quantitative', title: 'rows' },
          color: {
            field: 'side',
            type: 'nominal',
            scale: { domain: [c.below.label, c.above.label], range: [c.below.color, c.above.color] },
            // Above the plot, not inside it: inside the top-right corner it covered the tallest bars (issue 15, item 5).
            legend: { orient: 'top', direction: 'horizontal', title: null },
          },
          tooltip: [
            { field: 'x0', title: 'from', format: '.3f' },
            { field: 'x1', title: 'to', format: '.3f' },
            { field: 'count', title: 'rows' },
          ],
        },
      },
      ...(c.detected !== null && Number.isFinite(c.detected)
        ? [
            {
              data: { values: [{ detected: c.detected }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: theme.muted, strokeWidth: 1.5 },
              encoding: {
                x: { field: 'detected', type: 'quantitative' as const },
                tooltip: [{ field: 'detected', title: 'change point', format: '.4f' }],
              },
            },
          ]
        : []),
      {
        data: { values: [{}] },
        transform: [{ calculate: p, as: 'value' }, { calculate: `'${p} = ' + format(${p}, '.3f')`, as: 'label' }],
        layer: [
          { mark: { type: 'rule', color: theme.accent, strokeWidth: 2.5, cursor: 'ew-resize' }, encoding: { x: { field: 'value', type: 'quantitative' } } },
          {
            mark: { type: 'text', color: theme.accent, align: 'left', baseline: 'top', dx: 4, dy: 2, fontWeight: 'bold' },
            encoding: { x: { field: 'value', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}

/**
 * Adds the drag behaviour to a compiled threshold chart: pressing anywhere on the chart moves the threshold
 * there, and dragging keeps moving it (clamped to the extent). Event streams are plain Vega, interpreted.
 */
export function draggable(vg: VgSpec, param: string, extent: [number, number]): VgSpec {
  const signals = (vg.signals ?? []).map((s: Signal) => {
    if (s.name !== param) return s;
    const update = `clamp(invert('x', x()), ${extent[0]}, ${extent[1]})`;
    return {
      ...s,
      on: [{ events: 'mousedown, [mousedown, window:mouseup] > window:mousemove', update }],
    } as Signal;
  });
  if (!signals.some((s) => s.name === param)) throw new Error(`draggable: the spec has no signal "${param}"`);
  return { ...vg, signals };
}

export interface MapPoint {
  x: number;
  y: number;
  /** Position in the W2S-train columns. */
  k: number;
  /** 1-based row number a person reads (dataset row index + 1). */
  row: number;
  category: string;
  /** The category in the UI's words ("easy-only", "hard-only", "overlap"), for the tooltip. */
  kind?: string;
  /** The true label by class name, and the row's text (shortened), when known. */
  label?: string;
  text?: string;
  confidence: number;
  alignment: number | null;
}

/** The 2-D map of W2S-train rows (PCA of strong activations) coloured by category. Canvas-friendly: one mark. */
export function mapSpec(points: MapPoint[], theme: ChartTheme, size: ChartSize = { width: 'container', height: 320 }, note = ''): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'map',
    // Two short lines: one long subtitle was cut at the chart's width in a half-width panel.
    title: { text: 'W2S-train rows: PCA of strong activations', subtitle: [note || 'coloured by category', 'hover a point for its row; click it to open the row'] },
    width: size.width,
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    data: { values: points },
    mark: { type: 'circle', size: 14, opacity: 0.65 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'PC 1', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: 'PC 2', scale: { zero: false } },
      color: {
        field: 'category',
        type: 'nominal',
        title: 'category',
        scale: { domain: ['easy', 'hard', 'overlap'], range: [theme.easy, theme.hard, theme.overlap] },
        legend: { orient: 'top-right', labelExpr: `datum.label === 'easy' ? 'easy-only' : datum.label === 'hard' ? 'hard-only' : datum.label` },
      },
      tooltip: [
        { field: 'row', title: 'row' },
        { field: 'kind', title: 'category' },
        { field: 'label', title: 'label' },
        { field: 'confidence', title: 'weak confidence', format: '.3f' },
        { field: 'alignment', title: 'similarity to hard-only rows', format: '.3f' },
        { field: 'text', title: 'text' },
      ],
    },
  } as TopLevelSpec;
}

/** Ground truth against detection: confusion[true][predicted], category order easy, hard, overlap. */
export function confusionSpec(gt: Pick<GroundTruthReport, 'confusion'>, theme: ChartTheme): TopLevelSpec {
  const names = CATEGORY_NAMES.map((c) => (c === 'overlap' ? 'overlap' : `${c}-only`));
  const values = gt.confusion.flatMap((row, t) => row.map((count, p) => ({ truth: names[t], predicted: names[p], count })));
  const max = Math.max(1, ...values.map((v) => v.count));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'confusion',
    title: { text: 'Detection vs ground truth', subtitle: 'rows: true category · columns: detected' },
    width: 240,
    height: 180,
    config: chartConfig(theme),
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: names, title: 'detected', axis: { labelAngle: 0 } },
      y: { field: 'truth', type: 'nominal', sort: names, title: 'true' },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'count', type: 'quantitative', scale: { domain: [0, max], range: [theme.background, theme.accent] }, legend: null },
          tooltip: [{ field: 'truth' }, { field: 'predicted' }, { field: 'count' }],
        },
      },
      {
        mark: { type: 'text', fontWeight: 'bold' },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: theme.background }, value: theme.foreground },
        },
      },
    ],
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ data-source selection (UCB, METHOD.md section 4)

/** What the selection charts read from a SelectionResult (the page gets it without the per-seed logs). */
export type SelectionChartInput = Pick<SelectionResult, 'plan' | 'sources' | 'summary' | 'shared'>;

/** Legend name of each strategy (the CLI's names, so the plots and the printed summary lines agree). */
export const STRATEGY_LABEL: Record<StrategyName, string> = { ucb: 'ucb', random: 'random', optimal: 'optimal' };

export function strategyColor(s: StrategyName, t: ChartTheme): string {
  return s === 'ucb' ? t.w2s : s === 'random' ? t.random : t.overlap;
}

/** One point of a mean line with its band over seeds. */
export interface BandRow {
  round: number;
  strategy: string;
  mean: number;
  lo: number;
  hi: number;
  std: number;
}

/** Per-round mean / min / max of a band as rows; rounds without a value (skipped by --eval-every) are left out. */
export function bandRows(strategy: string, band: Band): BandRow[] {
  const out: BandRow[] = [];
  band.mean.forEach((mean, t) => {
    const lo = band.min[t];
    const hi = band.max[t];
    if (mean === null || lo === null || hi === null) return;
    out.push({ round: t + 1, strategy, mean, lo, hi, std: band.std[t] ?? 0 });
  });
  return out;
}

/** Source names made unique for a legend (two files may share a base name). */
export function sourceLabels(sources: readonly { name: string }[]): string[] {
  const seen = new Map<string, number>();
  return sources.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s.name : `${s.name} (${n})`;
  });
}

function seedsNote(input: SelectionChartInput): string {
  const n = input.plan.seeds.length;
  return `mean line, min–max band over ${n} seed${n === 1 ? '' : 's'} · ${input.plan.rounds} rounds × ${input.plan.perRound} points`;
}

/** The colour channel of the round plots: one shared scale and legend (strategies, then any reference lines). */
function strategyColorChannel(input: SelectionChartInput, theme: ChartTheme, extra: { name: string; color: string }[] = []) {
  const names = input.summary.strategies.map((s) => STRATEGY_LABEL[s.strategy]);
  const colors = input.summary.strategies.map((s) => strategyColor(s.strategy, theme));
  return {
    field: 'strategy',
    type: 'nominal',
    scale: { domain: [...names, ...extra.map((e) => e.name)], range: [...colors, ...extra.map((e) => e.color)] },
    // Stroke symbols at full opacity: the bands' low opacity must not fade the legend.
    legend: { orient: 'bottom', title: null, labelLimit: 320, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 },
  };
}

/** Bands of mean lines over rounds, coloured by strategy: the shared layers of the two round plots. */
function roundLayers(rows: BandRow[], rounds: number, color: Record<string, unknown>, yTitle: string, yScale: Record<string, unknown>, dash?: { field: string; domain: string[] }) {
  const x = { field: 'round', type: 'quantitative' as const, title: 'round', scale: { domain: [1, Math.max(2, rounds)], nice: false }, axis: { tickMinStep: 1, format: 'd' } };
  const tooltip = [
    { field: 'strategy', title: 'strategy' },
    ...(dash ? [{ field: dash.field, title: 'measure' }] : []),
    { field: 'round', title: 'round' },
    { field: 'mean', title: 'mean', format: '.3f' },
    { field: 'std', title: 'std', format: '.3f' },
    { field: 'lo', title: 'min', format: '.3f' },
    { field: 'hi', title: 'max', format: '.3f' },
  ];
  return [
    {
      data: { values: rows },
      mark: { type: 'area', opacity: 0.13 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', scale: yScale },
        y2: { field: 'hi' },
        color,
        ...(dash ? { detail: { field: dash.field } } : {}),
      },
    },
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 2, point: rows.length <= 160 ? { filled: true, size: 20 } : false },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale },
        color,
        ...(dash
          ? { strokeDash: { field: dash.field, type: 'nominal', scale: { domain: dash.domain, range: [[1, 0], [5, 4]] }, legend: { orient: 'bottom', title: null } } }
          : {}),
        tooltip,
      },
    },
  ];
}

/**
 * The cumulative detected overlap ratio of what each strategy collected, by round (mean over seeds with its
 * min–max band): UCB should climb towards the densest source's ratio, random stay between the sources. Where the
 * ground truth is known (synthetic sources) the true overlap ratio of the collected points is drawn dashed.
 */
export function selectionOverlapSpec(input: SelectionChartInput, theme: ChartTheme, size: ChartSize = { width: 'container', height: 230 }): TopLevelSpec {
  const DETECTED = 'detected';
  const TRUE = 'true (ground truth)';
  const withTruth = input.summary.strategies.some((s) => s.trueOverlapRatio !== null);
  const rows = input.summary.strategies.flatMap((s) => [
    ...bandRows(STRATEGY_LABEL[s.strategy], s.detectedOverlapRatio).map((r) => ({ ...r, measure: DETECTED })),
    ...(s.trueOverlapRatio ? bandRows(STRATEGY_LABEL[s.strategy], s.trueOverlapRatio).map((r) => ({ ...r, measure: TRUE })) : []),
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'selection overlap ratio',
    title: { text: 'Cumulative detected overlap ratio of the collected points', subtitle: seedsNote(input) },
    width: size.width,
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    layer: roundLayers(rows, input.plan.rounds, strategyColorChannel(input, theme), 'detected overlap / collected', { zero: true, nice: true },
      withTruth ? { field: 'measure', domain: [DETECTED, TRUE] } : undefined),
  } as TopLevelSpec;
}

/**
 * Test accuracy of the W2S probe trained on everything each strategy collected, by round (mean and min–max band
 * over seeds), with the shared reference lines: the weak probe, W2S on all pools and the strong ceiling.
 */
export function selectionAccuracySpec(input: SelectionChartInput, theme: ChartTheme, size: ChartSize = { width: 'container', height: 250 }): TopLevelSpec {
  const rows = input.summary.strategies.flatMap((s) => bandRows(STRATEGY_LABEL[s.strategy], s.accuracy));
  const acc = input.shared.accuracy;
  const refs = [
    { strategy: 'weak', value: acc.weak, color: theme.weak },
    { strategy: 'W2S on all pools', value: acc.w2sAllPools, color: theme.mixture },
    { strategy: 'strong ceiling', value: acc.strong, color: theme.strong },
  ].filter((r) => Number.isFinite(r.value));
  const values = [...rows.flatMap((r) => [r.lo, r.hi]), ...refs.map((r) => r.value)];
  const lo = Math.max(0, Math.floor(((values.length ? Math.min(...values) : 0) - 0.01) * 50) / 50);
  const hi = Math.min(1, Math.ceil(((values.length ? Math.max(...values) : 1) + 0.01) * 50) / 50);
  const yScale = { domain: [lo, hi], zero: false, clamp: true };
  const color = strategyColorChannel(input, theme, refs.map((r) => ({ name: r.strategy, color: r.color })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'selection accuracy',
    title: { text: 'W2S test accuracy of the collected points', subtitle: `${seedsNote(input)} · ${input.shared.testRows} shared test rows` },
    width: size.width,
    height: size.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    layer: [
      {
        data: { values: refs },
        mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [5, 4] },
        encoding: {
          y: { field: 'value', type: 'quantitative', scale: yScale },
          color,
          tooltip: [{ field: 'strategy', title: 'line' }, { field: 'value', title: 'test accuracy', format: '.3f' }],
        },
      },
      ...roundLayers(rows, input.plan.rounds, color, 'W2S test accuracy', yScale),
    ],
  } as TopLevelSpec;
}

/**
 * How often each source was pulled: per strategy, the share of all pulls (over rounds and seeds) that went to each
 * source, stacked to 100%. UCB should put most of its budget on the densest source; random spreads it evenly.
 */
export function selectionPullsSpec(input: SelectionChartInput, theme: ChartTheme, size: ChartSize = { width: 'container', height: 0 }): TopLevelSpec {
  const names = sourceLabels(input.sources);
  const palette = [theme.overlap, theme.easy, theme.weak, theme.strong, theme.hard, theme.medium, theme.random, theme.mixture];
  const rows = input.summary.strategies.flatMap((s) =>
    s.pullShare.map((share, k) => ({
      strategy: STRATEGY_LABEL[s.strategy],
      source: names[k],
      order: k,
      share,
      pulls: share * input.plan.rounds,
      label: share >= 0.06 ? `${Math.round(share * 100)}%` : '',
    })),
  );
  const strategies = input.summary.strategies.map((s) => STRATEGY_LABEL[s.strategy]);
  const y = { field: 'strategy', type: 'nominal' as const, sort: strategies, title: null };
  const x = { field: 'share', type: 'quantitative' as const, stack: 'zero' as const };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'selection pulls',
    title: { text: 'How often each source was pulled', subtitle: `share of the ${input.plan.rounds} pulls per run, mean over ${input.plan.seeds.length} seed${input.plan.seeds.length === 1 ? '' : 's'}` },
    width: size.width,
    height: size.height > 0 ? size.height : Math.max(60, 34 * strategies.length),
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    data: { values: rows },
    encoding: { y, x: { ...x, title: 'share of pulls', scale: { domain: [0, 1] }, axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] } }, order: { field: 'order' } },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color: {
            field: 'source',
            type: 'nominal',
            scale: { domain: names, range: names.map((_, k) => palette[k % palette.length]) },
            legend: { orient: 'right', title: 'source', labelLimit: 360 },
          },
          tooltip: [
            { field: 'strategy', title: 'strategy' },
            { field: 'source', title: 'source' },
            { field: 'share', title: 'share of pulls', format: '.1%' },
            { field: 'pulls', title: 'pulls per run (mean)', format: '.1f' },
          ],
        },
      },
      {
        mark: { type: 'text', dx: -4, align: 'right', fontWeight: 'bold', color: theme.background },
        encoding: { x, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}
