/**
 * The report panel's page: summary, regime plot, the two threshold histograms (drag or type a threshold and
 * everything re-partitions in the page, no host round trip per pixel), the 2-D map, ground-truth quality and the
 * samples table. Talks to its host only through ReportHost (the typed protocol).
 */
import { scoreMeaning } from '../src/core/report/plainWords';
import { CATEGORY_WORDS } from '../src/core/report/rowExport';
import { classNameOf, describeRead, readHeadline } from '../src/core/report/readSummary';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import { CATEGORY_NAMES, HARD } from '../src/core/detect/types';
import { groundTruthReport } from '../src/core/experiment/groundTruth';
import { partition, type Partition } from '../src/core/report/partition';
import { describeWeakVotes } from '../src/core/report/votes';
import { SANITY_PREFIX, verdictEvidence } from '../src/core/experiment/verdict';
import { confusionSpec, draggable, histogram, mapSpec, regimeSpec, thresholdSpec, type ChartTheme, type MapPoint } from '../src/core/report/specs';
import { PROTOCOL_VERSION, type ChartId, type ReportInit, type Thresholds } from '../src/protocol/messages';
import { chartPng, chartSvg, embedChart } from './charts';
import { fmt, h, labelField } from './dom';
import type { ReportHost, WebviewState } from './host';
import { SamplesTable } from './table';
import { applyThemeVariables, onThemeChange, readTheme } from './theme';
import { CATEGORY_SHAPES, CHART_NAMES, describeAlignment, describeConfidence, describeConfusion, describeMap, describeRegime } from './describe';
import { historyTrend } from '../src/core/report/trend';

/** More points than this are drawn as an even subsample (the tooltip still names real rows). */
const MAP_MAX_POINTS = 20000;
const MAP_TEXT_CHARS = 120;
const HIST_BINS = 40;
const CATEGORY_LABEL = ['easy-only', 'hard-only', 'overlap'];

type Param = 't1' | 't2';

export class ReportApp {
  private init!: ReportInit;
  private theme: ChartTheme = readTheme();
  private current: Thresholds = { t1: 0, t2: null };
  private detected: Thresholds = { t1: 0, t2: null };
  private committed: Thresholds = { t1: 0, t2: null };
  private part!: Partition;
  private scratch = new Uint8Array(0);
  private table: SamplesTable | null = null;
  private readonly charts = new Map<ChartId, Result>();
  private readonly flagged = new Set<number>();
  private dragging = false;
  private frame = 0;
  private tableState: WebviewState['table'] = { page: 0, sort: 'informative', descending: false, category: 'all', text: '' };
  private status!: HTMLElement;
  /** Polite live region: after a threshold change it says the new counts (screen readers read it out). */
  private announcer!: HTMLElement;

  constructor(private readonly host: ReportHost, private readonly root: HTMLElement) {}

  async start(): Promise<void> {
    this.host.on('init', (init) => void this.load(init));
    this.host.on('flags', ({ flagged }) => this.table?.setFlags(flagged));
    applyThemeVariables(this.theme, this.root);
    onThemeChange(() => {
      this.theme = readTheme();
      applyThemeVariables(this.theme, this.root);
      void this.renderCharts();
    });
    // A release anywhere ends a drag: that is when the host hears the new thresholds (decorations update).
    window.addEventListener('mouseup', () => {
      if (!this.dragging) return;
      this.dragging = false;
      void this.commit();
    });
    const init = await this.host.request('ready', { protocol: PROTOCOL_VERSION });
    await this.load(init);
  }

  /** For tests and the bench: the partition counts now shown. */
  get counts(): Partition['counts'] {
    return this.part.counts;
  }

  private async load(init: ReportInit): Promise<void> {
    if (init.protocol !== PROTOCOL_VERSION) {
      this.root.replaceChildren(h('div', { class: 'error' }, `The report page (protocol ${PROTOCOL_VERSION}) does not match the extension (protocol ${init.protocol}); reload the window.`));
      return;
    }
    this.init = init;
    const d = init.summary.detection;
    this.detected = { t1: d.confidenceThreshold, t2: d.alignThreshold };
    const saved = this.host.getState();
    const sameResult = saved && saved.resultPath === init.resultPath && saved.createdAt === init.summary.createdAt;
    this.current = { ...(init.thresholds ?? (sameResult ? saved.thresholds : null) ?? this.detected) };
    this.committed = { ...(init.thresholds ?? this.detected) };
    if (sameResult) this.tableState = { ...saved.table };
    this.flagged.clear();
    for (const i of init.flagged) this.flagged.add(i);
    this.scratch = new Uint8Array(init.columns.index.length);
    this.repartition();
    this.renderShell();
    this.updateLive();
    this.saveState();
    await this.renderCharts();
    // Thresholds restored from the page state but unknown to the host: tell it, so decorations match.
    if (!sameThresholds(this.current, this.committed)) await this.commit();
    document.body.dataset.ready = 'true';
  }

  private repartition(): void {
    const c = this.init.columns;
    this.part = partition({ confidence: c.confidence, alignment: c.alignment, hardRule: this.init.summary.detection.hardRule }, this.current.t1, this.current.t2, this.scratch);
  }

  // ---------------------------------------------------------------- layout

  private renderShell(): void {
    const s = this.init.summary;
    const name = (s.dataset.path ?? 'dataset').split(/[\\/]/).pop();
    const exportJson = h('vscode-button', { id: 'export-json', secondary: true }, 'Export results JSON');
    exportJson.addEventListener('click', () => void this.exportReport('json'));
    const exportHtml = h('vscode-button', { id: 'export-html', secondary: true }, 'Export HTML report');
    exportHtml.addEventListener('click', () => void this.exportReport('html'));
    this.status = h('div', { id: 'status', class: 'status', role: 'status' });
    this.announcer = h('div', { id: 'announce', class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const hasAlign = this.detected.t2 !== null && this.init.columns.alignment.some(Number.isFinite);
    this.table = new SamplesTable(
      {
        host: this.host,
        columns: this.init.columns,
        className: (id) => classNameOf(s.dataset, id),
        categories: () => this.part.categories,
        flagged: this.flagged,
        textsUnavailable: this.init.textsUnavailable,
        onStateChange: (t) => {
          this.tableState = t;
          this.saveState();
        },
        onError: (m) => this.showError(m),
      },
      this.tableState,
    );
    const jumps: [string, string][] = [['summary', 'summary'], ['regime-section', 'regime plot'], ['thresholds-section', 'thresholds']];
    if (this.init.map) jumps.push(['map-section', '2-D map']);
    if (this.init.columns.trueCategory) jumps.push(['truth-section', 'ground truth']);
    jumps.push(['samples-section', 'samples table']);
    const main = h('main', { 'aria-labelledby': 'report-title' },
      this.status,
      this.announcer,
      h('div', { id: 'error', class: 'error', role: 'alert', hidden: true }),
      this.summarySection(),
      section('regime', 'Regime plot', this.chartBox('regime')),
      section('thresholds', 'Thresholds',
        h('div', { class: 'two' },
          this.thresholdBox('t1', 'confidence'),
          hasAlign ? this.thresholdBox('t2', 'alignment') : h('p', { class: 'muted' }, 'No stage-2 scores: the analysis found no hard-only rows, so there is no overlap to threshold.'),
        ),
      ),
      this.init.map ? section('map', '2-D map', this.chartBox('map')) : null,
      this.init.columns.trueCategory ? section('truth', 'Detection vs ground truth', h('div', { class: 'two' }, h('div', { id: 'prf' }), this.chartBox('confusion'))) : null,
      section('samples', 'Samples', this.table.element),
    );
    this.root.replaceChildren(
      h('header', { class: 'head' },
        h('h1', { id: 'report-title', title: s.dataset.path ?? '' }, `Overlap density · ${name}`),
        h('div', { class: 'actions', role: 'group', 'aria-label': 'export the report' }, exportJson, this.host.standalone ? null : exportHtml),
      ),
      jumpLinks(jumps),
      main,
    );
  }

  private summarySection(): HTMLElement {
    const s = this.init.summary;
    const d = s.detection;
    const item = (label: string, ...value: (Node | string | null)[]) => h('div', { class: 'item' }, h('dt', {}, label), h('dd', {}, ...value));
    const enc = (e: typeof s.encoders.weak) => `${e.id} (${e.kind}, ${e.dim}-d)`;
    const live = (field: string) => h('span', { 'data-field': field });
    const evidence = verdictEvidence(s);
    return h('section', { id: 'summary', class: 'summary', 'aria-labelledby': 'summary-title', tabindex: -1 },
      h('h2', { id: 'summary-title', class: 'visually-hidden' }, 'Summary'),
      h('div', { class: 'verdict', 'data-regime': s.regime.label, 'data-overlap': evidence.verdict.overlap },
        h('span', { class: 'badge', 'data-field': 'regime' }, `${s.regime.label} regime`),
        h('span', { class: 'sentence', 'data-field': 'verdict' }, evidence.verdict.sentence),
      ),
      h('p', { class: 'rule', 'data-field': 'rule' }, s.regime.rule),
      evidence.sanity.notices.length
        ? h('ul', { class: 'sanity', 'data-field': 'sanity' }, ...evidence.sanity.notices.map((n) => h('li', {}, `Detector sanity: ${n}`)))
        : null,
      h('dl', { class: 'grid' },
        item('dataset', h('span', { 'data-field': 'dataset', title: s.dataset.path ?? '' }, s.dataset.path ?? '(arrays)'), s.dataset.format ? ` · ${s.dataset.format}` : ''),
        item('rows', h('span', { 'data-field': 'rows' }, fmt.num(s.dataset.rows)),
          ` · weak-train ${fmt.num(s.dataset.splits.weakTrain)} · W2S-train ${fmt.num(s.dataset.splits.w2sTrain)} · test ${fmt.num(s.dataset.splits.test)}`),
        item('test accuracy',
          'weak ', h('b', { 'data-field': 'acc-weak' }, fmt.acc(s.accuracy.weak)),
          ' · W2S ', h('b', { 'data-field': 'acc-w2s' }, fmt.acc(s.accuracy.w2s)),
          ' · strong ', h('b', { 'data-field': 'acc-strong' }, fmt.acc(s.accuracy.strong))),
        item('PGR', h('b', { 'data-field': 'pgr' }, fmt.opt(s.pgr, 3)), h('span', { class: 'muted' }, ' (W2S − weak) / (strong − weak)')),
        item('overlap density', h('b', { 'data-field': 'density' }), ' ', live('density-detected')),
        item('partition of W2S-train',
          h('span', { class: 'cat easy' }, 'easy-only '), live('count-easy'), ' · ',
          h('span', { class: 'cat hard' }, 'hard-only '), live('count-hard'), ' · ',
          h('span', { class: 'cat overlap' }, 'overlap '), live('count-overlap')),
        item('cut-offs', 't1 (weak confidence) ', live('t1'), ' · t2 (similarity to hard-only rows) ', live('t2'),
          h('span', { class: 'muted' },
            ` · hard-only: confidence ${d.hardRule === 'probing' ? '≤' : '<'} t1 (${d.hardRule} rule); overlap: not hard-only and similarity ≥ t2; similarity = ${scoreMeaning(d.align) ?? d.align}; cut-offs are change points (jump ${d.jump})${d.usedFallback ? ' · median fallback used' : ''}`)),
        item('encoders', `weak ${enc(s.encoders.weak)} · strong ${enc(s.encoders.strong)}`),
        s.weakVotes ? item('weak votes', h('span', { 'data-field': 'weak-votes' }, describeWeakVotes(s.weakVotes))) : null,
        item('device', h('span', { 'data-field': 'device' }, s.device)),
      ),
      this.historyBlock(),
      s.dataset.read
        ? h('details', { class: 'read', 'data-field': 'read' },
            h('summary', {}, `What was read: ${readHeadline(s.dataset.read)}`),
            h('dl', { class: 'grid' }, ...describeRead(s.dataset.read).map((l) => item(l.label, l.text))),
          )
        : null,
      h('p', { class: 'note', 'data-field': 'approx', hidden: true }),
      s.warnings.some((w) => !w.startsWith(SANITY_PREFIX))
        ? h('ul', { class: 'warnings' }, ...s.warnings.filter((w) => !w.startsWith(SANITY_PREFIX)).map((w) => h('li', {}, w)))
        : null,
    );
  }

  /** The trend across the kept analyses of this dataset (the host sends them; none in the standalone report). */
  private historyBlock(): HTMLElement | null {
    const lines = historyTrend(this.init.history ?? []);
    if (lines.length < 3) return null; // a trend needs two analyses
    const [title, ...rows] = lines;
    return h('details', { class: 'read', 'data-field': 'history' },
      h('summary', {}, title!),
      h('ul', {}, ...rows.map((r) => h('li', {}, r))),
    );
  }

  private chartBox(id: ChartId): HTMLElement {
    const button = (format: 'svg' | 'png') => {
      const b = h('vscode-button', { secondary: true, class: 'export', 'data-chart': id, 'data-format': format, 'aria-label': `Save the ${CHART_NAMES[id]} as ${format.toUpperCase()}` }, format.toUpperCase());
      b.addEventListener('click', () => void this.exportChart(id, format));
      return b;
    };
    // role="img" with the chart's numbers in words: a screen reader reads the label, not the SVG's marks.
    return h('div', { class: 'chart-box' },
      h('div', { class: 'chart', id: `chart-${id}`, role: 'img', 'aria-label': CHART_NAMES[id] }),
      h('div', { class: 'chart-actions', role: 'group', 'aria-label': `export the ${CHART_NAMES[id]}` }, button('svg'), button('png')),
    );
  }

  private thresholdBox(p: Param, chart: 'confidence' | 'alignment'): HTMLElement {
    const words = p === 't1' ? 'cut-off t1 (weak confidence)' : 'cut-off t2 (similarity to hard-only rows)';
    const input = labelField(h('vscode-textfield', { id: `input-${p}`, type: 'text', inputmode: 'decimal', class: 'threshold-input' }), `${words}: type a value and press Enter`);
    input.addEventListener('change', () => {
      const v = Number((input as unknown as { value: string }).value);
      if (!Number.isFinite(v)) return this.showError(`${p}: "${(input as unknown as { value: string }).value}" is not a number`);
      void this.setThreshold(p, v, 'input');
    });
    const detected = this.detected[p];
    const reset = h('vscode-button', { id: `reset-${p}`, secondary: true, 'aria-label': `Reset ${p} to the change point ${detected === null ? '' : detected.toFixed(4)}`.trim() }, 'Reset to change point');
    reset.addEventListener('click', () => {
      const v = this.detected[p];
      if (v !== null) void this.setThreshold(p, v, 'input');
    });
    return h('div', { class: 'threshold' },
      this.chartBox(chart),
      h('div', { class: 'threshold-controls', role: 'group', 'aria-label': words },
        h('label', { for: `input-${p}` }, words),
        input,
        h('span', { class: 'muted' }, `change point ${detected === null ? '—' : detected.toFixed(4)}`),
        reset,
      ),
    );
  }

  // ---------------------------------------------------------------- charts

  private async renderCharts(): Promise<void> {
    const jobs: Promise<void>[] = [this.embed('regime')];
    jobs.push(this.embed('confidence'));
    if (document.getElementById('chart-alignment')) jobs.push(this.embed('alignment'));
    if (this.init.map) jobs.push(this.embed('map'));
    if (this.init.columns.trueCategory) jobs.push(this.embed('confusion'));
    await Promise.all(jobs);
  }

  private async embed(id: ChartId): Promise<void> {
    const el = document.getElementById(`chart-${id}`);
    if (!el) return;
    const t = this.theme;
    const s = this.init.summary;
    const c = this.init.columns;
    let result: Result;
    this.charts.get(id)?.finalize();
    this.charts.delete(id);
    try {
      if (id === 'regime') {
        result = await embedChart(el, regimeSpec(s, t));
      } else if (id === 'confidence' || id === 'alignment') {
        const p: Param = id === 'confidence' ? 't1' : 't2';
        const extent = id === 'confidence' ? ([0, 1] as [number, number]) : scoreExtent(c.alignment, this.detected.t2);
        // Stage 2 scores only the rows that are not hard-only at the current t1.
        const values = id === 'confidence' ? c.confidence : c.alignment.filter((_, k) => this.part.categories[k] !== HARD);
        const spec = thresholdSpec(
          {
            param: p,
            title: id === 'confidence' ? 'Weak confidence of the pseudo-label (W2S-train)' : `Similarity to hard-only rows (${s.detection.align}), non-hard rows`,
            xTitle: id === 'confidence' ? 'confidence (top-1 − top-2 probability)' : 'similarity to the hard-only rows (stage-2 score)',
            bins: histogram(values, HIST_BINS, extent[0], extent[1]),
            value: (this.current[p] ?? this.detected[p]) as number,
            detected: this.detected[p],
            extent,
            below: id === 'confidence' ? { label: 'hard-only', color: t.hard } : { label: 'easy-only', color: t.easy },
            above: id === 'confidence' ? { label: 'not hard', color: t.muted } : { label: 'overlap', color: t.overlap },
          },
          t,
        );
        result = await embedChart(el, spec, { patch: (vg) => draggable(vg, p, extent) });
        result.view.addSignalListener(p, (_name, value) => {
          if (value === this.current[p]) return;
          this.dragging = true;
          void this.setThreshold(p, value as number, 'drag');
        });
      } else if (id === 'map') {
        const points = this.mapPoints();
        await this.mapTexts(points);
        result = await embedChart(el, withCategoryShapes(mapSpec(points, t, undefined, this.mapNote())), { renderer: 'canvas' });
        // A click on a point opens its row, as a click on a table row does.
        result.view.addEventListener('click', (_e, item) => {
          const k = (item as { datum?: { k?: unknown } } | null | undefined)?.datum?.k;
          if (typeof k === 'number') void this.host.request('reveal', { index: this.init.columns.index[k] }).catch(() => undefined);
        });
        // The view on its element, so the e2e journey can find a point's pixel on the canvas and click it.
        Object.defineProperty(el, 'odMapView', { value: result.view, configurable: true });
        // What the map shows, for tests and screen readers: points per category at the thresholds it was drawn with.
        const shown: Record<string, number> = {};
        for (const pt of points) shown[pt.category] = (shown[pt.category] ?? 0) + 1;
        el.dataset.categories = JSON.stringify(shown);
      } else {
        const truth = c.trueCategory!;
        result = await embedChart(el, confusionSpec(groundTruthReport(truth, this.part.categories), t));
      }
    } catch (e) {
      el.replaceChildren(h('div', { class: 'error' }, `chart ${id}: ${(e as Error).message}`));
      return;
    }
    this.charts.set(id, result);
    this.describeChart(id);
  }

  /** The chart box's aria-label: the chart's numbers in words, at the thresholds now shown. */
  private describeChart(id: ChartId): void {
    const el = document.getElementById(`chart-${id}`);
    if (!el) return;
    const s = this.init.summary;
    const { counts } = this.part;
    let text: string;
    if (id === 'regime') text = describeRegime(s.mixing, s.accuracy, s.regime.label);
    else if (id === 'confidence') text = describeConfidence(counts.easy + counts.hard + counts.overlap, this.current.t1, counts.hard, s.detection.hardRule === 'probing' ? '≤' : '<');
    else if (id === 'alignment') text = describeAlignment(counts.easy + counts.overlap, this.current.t2, counts.overlap);
    else if (id === 'map') text = describeMap(JSON.parse(el.dataset.categories ?? '{}') as Record<string, number>, this.init.map?.k.length ?? 0);
    else if (this.init.columns.trueCategory) text = describeConfusion(groundTruthReport(this.init.columns.trueCategory, this.part.categories).confusion);
    else return;
    // vega-embed makes the box a "graphics-document" whose marks a screen reader would read one by one: one image
    // with the numbers in words instead.
    el.setAttribute('role', 'img');
    el.removeAttribute('aria-roledescription');
    el.setAttribute('aria-label', text);
    for (const child of el.children) child.setAttribute('aria-hidden', 'true');
  }

  private mapPoints(): MapPoint[] {
    const m = this.init.map!;
    const c = this.init.columns;
    const cats = this.part.categories;
    const stride = Math.max(1, Math.ceil(m.k.length / MAP_MAX_POINTS));
    const points: MapPoint[] = [];
    for (let i = 0; i < m.k.length; i += stride) {
      const k = m.k[i];
      const a = c.alignment[k];
      const category = CATEGORY_NAMES[cats[k]] ?? 'none';
      points.push({
        x: m.x[i], y: m.y[i], k, row: c.index[k] + 1, category, kind: CATEGORY_WORDS[category] ?? category,
        label: classNameOf(this.init.summary.dataset, c.label[k]), confidence: c.confidence[k], alignment: Number.isFinite(a) ? a : null,
      });
    }
    return points;
  }

  /** Row texts for the map's tooltips (once per page; the map draws without them when they cannot be read). */
  private mapTextCache: Map<number, string | null> | null = null;

  private async mapTexts(points: MapPoint[]): Promise<void> {
    if (this.init.textsUnavailable) return;
    if (!this.mapTextCache) {
      const indices = points.map((p) => this.init.columns.index[p.k]);
      try {
        const { texts } = await this.host.request('texts', { indices, maxChars: MAP_TEXT_CHARS });
        this.mapTextCache = new Map(indices.map((ix, j) => [ix, texts[j] ?? null]));
      } catch {
        this.mapTextCache = new Map();
      }
    }
    for (const p of points) {
      const t = this.mapTextCache.get(this.init.columns.index[p.k]);
      if (typeof t === 'string') p.text = t;
    }
  }

  private mapNote(): string {
    const n = this.init.map!.k.length;
    return n > MAP_MAX_POINTS
      ? `every ${Math.ceil(n / MAP_MAX_POINTS)}th of ${fmt.num(n)} rows; coloured by category at the current thresholds`
      : `${fmt.num(n)} rows coloured by category at the current thresholds`;
  }

  // ---------------------------------------------------------------- thresholds

  private async setThreshold(p: Param, value: number, source: 'drag' | 'input'): Promise<void> {
    if (p === 't2' && this.current.t2 === null) return;
    if (this.current[p] === value && source === 'drag') return;
    this.current = { ...this.current, [p]: value };
    if (source !== 'drag') {
      const chart = this.charts.get(p === 't1' ? 'confidence' : 'alignment');
      if (chart && chart.view.signal(p) !== value) await chart.view.signal(p, value).runAsync();
    }
    this.scheduleLive();
    if (source !== 'drag') {
      this.dragging = false;
      await this.commit();
    }
  }

  /** One live update per animation frame, however many pointer events arrive. */
  private scheduleLive(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.repartition();
      this.updateLive();
      this.table?.categoriesChanged();
    });
  }

  private updateLive(): void {
    const set = (field: string, text: string) => {
      for (const el of this.root.querySelectorAll<HTMLElement>(`[data-field="${field}"]`)) el.textContent = text;
    };
    const { counts, overlapDensity, unscored } = this.part;
    const d = this.init.summary.detection;
    set('density', fmt.pct(overlapDensity));
    set('count-easy', fmt.num(counts.easy));
    set('count-hard', fmt.num(counts.hard));
    set('count-overlap', fmt.num(counts.overlap));
    set('t1', fmt.score(this.current.t1));
    set('t2', this.current.t2 === null ? '—' : fmt.score(this.current.t2));
    const moved = !sameThresholds(this.current, this.detected);
    set('density-detected', moved ? `(detected ${fmt.pct(d.overlapDensity)}: ${fmt.num(d.counts.overlap)} of ${fmt.num(d.counts.easy + d.counts.hard + d.counts.overlap)})` : `(${fmt.num(counts.overlap)} of ${fmt.num(counts.easy + counts.hard + counts.overlap)} W2S-train rows)`);
    const approx = this.root.querySelector<HTMLElement>('[data-field="approx"]');
    if (approx) {
      const t1Moved = this.current.t1 !== this.detected.t1;
      approx.hidden = !t1Moved;
      approx.textContent = t1Moved
        ? `t1 moved from the change point: stage-2 scores are those measured against the detected hard-only set${unscored ? `, and ${fmt.num(unscored)} rows that were hard-only have no score (counted easy-only)` : ''}. Re-run the analysis for exact stage-2 scores at this t1.`
        : '';
    }
    for (const p of ['t1', 't2'] as Param[]) {
      const input = document.getElementById(`input-${p}`) as (HTMLElement & { value: string }) | null;
      const v = this.current[p];
      if (input && v !== null && document.activeElement !== input) input.value = v.toFixed(4);
    }
    this.updatePrf();
    this.describeChart('confidence');
    this.describeChart('alignment');
  }

  private updatePrf(): void {
    const el = document.getElementById('prf');
    const truth = this.init.columns.trueCategory;
    if (!el || !truth) return;
    const gt = groundTruthReport(truth, this.part.categories);
    const cell = (v: number | null) => h('td', { class: 'num' }, fmt.opt(v, 3));
    el.replaceChildren(
      h('table', { class: 'prf' },
        h('thead', {}, h('tr', {}, h('th', {}, 'category'), h('th', {}, 'precision'), h('th', {}, 'recall'), h('th', {}, 'F1'), h('th', {}, 'support'))),
        h('tbody', {}, ...CATEGORY_NAMES.map((c, i) => {
          const prf = gt.perCategory[c];
          return h('tr', { 'data-category': c }, h('td', {}, CATEGORY_LABEL[i]), cell(prf.precision), cell(prf.recall), cell(prf.f1), h('td', { class: 'num' }, fmt.num(prf.support)));
        })),
      ),
      h('p', { class: 'muted' }, `true overlap density ${fmt.pct(gt.trueOverlapDensity)} · detected ${fmt.pct(this.part.overlapDensity)} · error ${(gt.densityError * 100).toFixed(1)} points`),
    );
  }

  private async commit(): Promise<void> {
    if (sameThresholds(this.current, this.committed)) return;
    const sent = { ...this.current };
    const previous = this.committed;
    this.committed = sent;
    this.saveState();
    // The live update runs on the next animation frame; the charts redrawn now must see the new partition, or the
    // map shows the previous thresholds' categories (issue 15, item 1).
    this.repartition();
    const redraw: Promise<void>[] = [];
    if (sent.t1 !== previous.t1 && document.getElementById('chart-alignment')) redraw.push(this.embed('alignment'));
    if (this.init.map) redraw.push(this.embed('map'));
    if (this.init.columns.trueCategory) redraw.push(this.embed('confusion'));
    this.announce();
    try {
      await this.host.request('thresholds', sent);
    } catch (e) {
      this.showError(`thresholds: ${(e as Error).message}`);
    }
    await Promise.all(redraw);
  }

  /** Says the new partition in the live region, once per committed change (not per frame of a drag). */
  private announce(): void {
    const { counts, overlapDensity } = this.part;
    const t2 = this.current.t2 === null ? '' : `, t2 ${fmt.score(this.current.t2)}`;
    this.announcer.textContent = `Cut-offs t1 ${fmt.score(this.current.t1)}${t2}: ${fmt.num(counts.easy)} easy-only, ` +
      `${fmt.num(counts.hard)} hard-only, ${fmt.num(counts.overlap)} overlap rows; overlap density ${fmt.pct(overlapDensity)}.`;
  }

  // ---------------------------------------------------------------- exports, state, errors

  private async exportChart(id: ChartId, format: 'svg' | 'png'): Promise<void> {
    const chart = this.charts.get(id);
    if (!chart) return this.showError(`chart ${id} is not rendered`);
    try {
      const data = format === 'svg' ? await chartSvg(chart) : await chartPng(chart);
      const { path } = await this.host.request('exportChart', { chart: id, format, data });
      if (path) this.say(`saved ${path}`);
    } catch (e) {
      this.showError(`export ${id} ${format}: ${(e as Error).message}`);
    }
  }

  private async exportReport(format: 'json' | 'html'): Promise<void> {
    try {
      const { path } = await this.host.request('exportReport', { format });
      if (path) this.say(`saved ${path}`);
    } catch (e) {
      this.showError(`export ${format}: ${(e as Error).message}`);
    }
  }

  private saveState(): void {
    this.host.setState({
      resultPath: this.init.resultPath,
      createdAt: this.init.summary.createdAt,
      thresholds: sameThresholds(this.current, this.detected) ? null : { ...this.current },
      table: { ...this.tableState },
    });
  }

  private say(message: string): void {
    this.status.textContent = message;
  }

  showError(message: string): void {
    const el = document.getElementById('error');
    if (!el) return;
    el.hidden = false;
    el.textContent = message;
  }
}

/** A region landmark named by its heading; focusable (tabindex -1) so a jump link can move focus to it. */
function section(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { id: `${id}-section`, 'aria-labelledby': `${id}-title`, tabindex: -1 }, h('h2', { id: `${id}-title` }, title), ...children);
}

/** "Jump to" links: move focus (not only the scroll position) to a section, so Tab continues from there. */
function jumpLinks(targets: [string, string][]): HTMLElement {
  const links = targets.map(([id, label], i) => {
    const a = h('a', { href: `#${id}`, 'data-jump': id }, label);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const target = document.getElementById(id);
      target?.scrollIntoView({ block: 'start' });
      target?.focus({ preventScroll: true });
    });
    return i === 0 ? [a] : [' · ', a];
  });
  return h('nav', { class: 'jump', 'aria-label': 'report sections' }, 'Jump to: ', ...links.flat());
}

/**
 * The map with a shape per category as well as a colour (circle, square, triangle), so the categories stay apart
 * for a reader who cannot tell the colours apart; the legend shows both.
 */
function withCategoryShapes(spec: TopLevelSpec): TopLevelSpec {
  const s = spec as TopLevelSpec & { mark: unknown; encoding: Record<string, { field?: string; [k: string]: unknown }> };
  const color = s.encoding.color;
  return {
    ...s,
    mark: { type: 'point', filled: true, size: 22, opacity: 0.75 },
    encoding: {
      ...s.encoding,
      shape: { ...color, scale: { domain: Object.keys(CATEGORY_SHAPES), range: Object.values(CATEGORY_SHAPES) } },
    },
  } as TopLevelSpec;
}

function sameThresholds(a: Thresholds, b: Thresholds): boolean {
  return a.t1 === b.t1 && a.t2 === b.t2;
}

/** Range of the finite scores (and the detected t2), padded a little so the extremes can be selected. */
function scoreExtent(values: Float64Array, t2: number | null): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (t2 !== null) {
    lo = Math.min(lo, t2);
    hi = Math.max(hi, t2);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const pad = (hi - lo || 1) * 0.01;
  return [lo - pad, hi + pad];
}
