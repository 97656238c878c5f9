/**
 * The selection report page (the UCB issue): which data source a weak-to-strong run should draw from. Summary of
 * sources, plan and outcome, then the three plots: cumulative detected overlap ratio by round, W2S accuracy by round
 * (mean and band over seeds per strategy) and how often each source was pulled. Talks to its host only through
 * SelectionHost (the typed protocol); the same page serves the self-contained HTML selection report.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { Result } from 'vega-embed';
import { densestSource, modeText, planText, selectionHeadline, strategyRows, ucbVsRandomText } from '../src/core/report/selection';
import { selectionAccuracySpec, selectionOverlapSpec, selectionPullsSpec, sourceLabels, type ChartTheme } from '../src/core/report/specs';
import type { Stats } from '../src/core/select/schema';
import { PROTOCOL_VERSION, type SelectionChartId, type SelectionInit } from '../src/protocol/messages';
import { chartPng, chartSvg, embedChart } from './charts';
import { fmt, h } from './dom';
import type { SelectionHost } from './host';
import { onThemeChange, readTheme } from './theme';

const CHARTS: { id: SelectionChartId; title: string }[] = [
  { id: 'selection-overlap', title: 'Detected overlap of what each strategy collected' },
  { id: 'selection-accuracy', title: 'W2S accuracy by round' },
  { id: 'selection-pulls', title: 'Pulls per source' },
];

const meanStd = (s: Stats | null, digits = 3) => (s ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : '—');

export class SelectionApp {
  private init!: SelectionInit;
  private theme: ChartTheme = readTheme();
  private readonly charts = new Map<SelectionChartId, Result>();
  private status!: HTMLElement;

  constructor(private readonly host: SelectionHost, private readonly root: HTMLElement) {}

  async start(): Promise<void> {
    this.host.on('init', (init) => void this.load(init));
    onThemeChange(() => {
      this.theme = readTheme();
      void this.renderCharts();
    });
    const init = await this.host.request('ready', { protocol: PROTOCOL_VERSION });
    await this.load(init);
  }

  private async load(init: SelectionInit): Promise<void> {
    if (init.protocol !== PROTOCOL_VERSION) {
      this.root.replaceChildren(h('div', { class: 'error' }, `The report page (protocol ${PROTOCOL_VERSION}) does not match the extension (protocol ${init.protocol}); reload the window.`));
      return;
    }
    this.init = init;
    this.host.setState({ resultPath: init.resultPath, createdAt: init.result.createdAt });
    this.renderShell();
    await this.renderCharts();
    document.body.dataset.ready = 'true';
  }

  // ---------------------------------------------------------------- layout

  private renderShell(): void {
    const r = this.init.result;
    const first = r.sources[0]?.name ?? 'sources';
    const exportJson = h('vscode-button', { id: 'export-json', secondary: true }, 'Export result JSON');
    exportJson.addEventListener('click', () => void this.exportReport('json'));
    const exportHtml = h('vscode-button', { id: 'export-html', secondary: true }, 'Export HTML report');
    exportHtml.addEventListener('click', () => void this.exportReport('html'));
    this.status = h('div', { id: 'status', class: 'status', role: 'status' });
    this.root.replaceChildren(
      h('header', { class: 'head' },
        h('h1', { title: r.sources.map((s) => s.path ?? s.name).join('\n') }, `Data-source selection · ${first}${r.sources.length > 1 ? ` + ${r.sources.length - 1} more` : ''}`),
        h('div', { class: 'actions' }, exportJson, this.host.standalone ? null : exportHtml),
      ),
      this.status,
      h('div', { id: 'error', class: 'error', hidden: true }),
      this.summarySection(),
      ...CHARTS.map((c) => h('section', { id: `${c.id}-section` }, h('h2', {}, c.title), this.chartBox(c.id))),
    );
  }

  private summarySection(): HTMLElement {
    const r = this.init.result;
    const dense = densestSource(r);
    const rows = strategyRows(r);
    const names = sourceLabels(r.sources);
    const item = (label: string, ...value: (Node | string | null)[]) => h('div', { class: 'item' }, h('dt', {}, label), h('dd', {}, ...value));
    const acc = r.shared.accuracy;
    const diff = ucbVsRandomText(r);
    const enc = (e: typeof r.encoders.weak) => `${e.id} (${e.kind}${e.dim ? `, ${e.dim}-d` : ''})`;
    const total = r.timings.total;
    // Votes and probability columns are the weak model already: no weak probe is trained on the weak-train parts.
    const trainsWeak = r.shared.weakTrainRows > 0 || (r.encoders.weak.kind !== 'votes' && r.encoders.weak.kind !== 'probabilities');

    const known = r.sources.some((s) => s.trueOverlapDensity !== null);
    const sourceTable = h('table', { class: 'data sources', id: 'sources-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'source'), h('th', {}, 'pool rows'), h('th', {}, 'weak-train · test'), h('th', {}, 'detected density of the pool'),
        known ? h('th', {}, 'true density') : null, ...rows.map((s) => h('th', {}, `${s.strategy} pulls`)),
      )),
      h('tbody', {}, ...r.sources.map((s, k) => {
        const name = s.path && !this.host.standalone ? h('a', { href: '#', class: 'source-link', title: s.path }, names[k]) : h('span', { title: s.path ?? '' }, names[k]);
        name.addEventListener('click', (e) => {
          e.preventDefault();
          void this.openSource(k);
        });
        return h('tr', { 'data-source': k },
          h('td', {}, name, dense?.arm === k ? h('span', { class: 'tag', title: dense.from === 'known' ? 'densest by its known overlap density' : 'densest by one detection over each whole pool' }, dense.from === 'known' ? 'densest' : 'densest (detected)') : null),
          h('td', { class: 'num', 'data-field': `pool-${k}` }, fmt.num(s.poolRows)),
          h('td', { class: 'num' }, `${fmt.num(s.weakTrainRows)} · ${fmt.num(s.testRows)}`),
          h('td', { class: 'num', 'data-field': `density-${k}` }, fmt.pct(s.detectedPoolDensity)),
          known ? h('td', { class: 'num' }, s.trueOverlapDensity === null ? '—' : `${fmt.pct(s.trueOverlapDensity)}${s.densityFrom === 'detected' ? ' (assigned)' : ''}`) : null,
          ...rows.map((x) => h('td', { class: 'num', 'data-field': `share-${x.strategy}-${k}` }, fmt.pct(x.pullShare[k] ?? 0))),
        );
      })),
    );

    const strategyTable = h('table', { class: 'data strategies', id: 'strategies-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'strategy'),
        h('th', {}, dense ? `pulls of ${names[dense.arm]}` : 'pulls of the densest source'),
        h('th', {}, 'final W2S accuracy'), h('th', {}, 'overlap-only'), h('th', {}, 'detected overlap ratio'), h('th', {}, 'seeds'),
      )),
      h('tbody', {}, ...rows.map((s) => h('tr', { 'data-strategy': s.strategy },
        h('td', {}, h('span', { class: `strategy ${s.strategy}` }, s.strategy)),
        h('td', { class: 'num', 'data-field': `dense-${s.strategy}` }, s.denseShare === null ? '—' : `${fmt.pct(s.denseShare)}${s.denseShareStd !== null ? ` ± ${(s.denseShareStd * 100).toFixed(1)}` : ''}`),
        h('td', { class: 'num', 'data-field': `acc-${s.strategy}` }, meanStd(s.finalAccuracy)),
        h('td', { class: 'num', 'data-field': `acc-overlap-${s.strategy}` }, meanStd(s.finalOverlapOnly)),
        h('td', { class: 'num', 'data-field': `ratio-${s.strategy}` }, meanStd(s.finalDetectedRatio)),
        h('td', { class: 'num' }, String(s.seeds)),
      ))),
    );

    return h('section', { id: 'summary', class: 'summary' },
      h('p', { class: 'headline', 'data-field': 'headline' }, selectionHeadline(r) || 'no strategy produced an accuracy'),
      h('dl', { class: 'grid' },
        item('mode', h('span', { 'data-field': 'mode' }, modeText(r.mode))),
        item('plan', h('span', { 'data-field': 'plan' }, planText(r.plan))),
        item('ucb − random', h('b', { 'data-field': 'ucb-vs-random' }, diff ?? '—'), diff ? h('span', { class: 'muted' }, ' final accuracy, paired by seed') : ''),
        item('shared test accuracy',
          'weak ', h('b', { 'data-field': 'acc-weak' }, fmt.acc(acc.weak)),
          ' · W2S on all pools ', h('b', { 'data-field': 'acc-w2s-all' }, fmt.acc(acc.w2sAllPools)),
          ' · strong ', h('b', { 'data-field': 'acc-strong' }, fmt.acc(acc.strong))),
        item('shared sets', `${trainsWeak ? `weak-train ${fmt.num(r.shared.weakTrainRows)} · ` : ''}test ${fmt.num(r.shared.testRows)} rows`,
          trainsWeak ? '' : h('span', { class: 'muted' }, ` · the weak side (${r.encoders.weak.kind}) needs no training`)),
        item('detection', `${r.options.hardRule} rule, ${r.options.align} scores, jump ${r.options.jump}, augment ${r.options.augment}, ${r.options.pseudo} pseudo-labels`),
        item('encoders', `weak ${enc(r.encoders.weak)} · strong ${enc(r.encoders.strong)}`),
        item('device', h('span', { 'data-field': 'device' }, r.device), total !== undefined ? h('span', { class: 'muted' }, ` · ${total.toFixed(1)} s`) : ''),
      ),
      r.plan.adjustments.length
        ? h('div', { class: 'adjustments' }, h('h3', {}, 'Plan adjusted'), h('ul', { 'data-field': 'adjustments' }, ...r.plan.adjustments.map((a) => h('li', {}, a))))
        : null,
      h('h3', {}, 'Sources'),
      sourceTable,
      h('h3', {}, 'Strategies'),
      strategyTable,
      dense && dense.from === 'detected'
        ? h('p', { class: 'note' }, `The sources' true overlap densities are unknown; "${names[dense.arm]}" is the densest by one detection over each whole pool, and "optimal" cannot run.`)
        : null,
      r.warnings.length ? h('details', { class: 'warnings' }, h('summary', {}, `${r.warnings.length} note${r.warnings.length === 1 ? '' : 's'}`), h('ul', {}, ...r.warnings.map((w) => h('li', {}, w)))) : null,
    );
  }

  private chartBox(id: SelectionChartId): HTMLElement {
    const svg = h('vscode-button', { secondary: true, class: 'export', 'data-chart': id, 'data-format': 'svg' }, 'SVG');
    svg.addEventListener('click', () => void this.exportChart(id, 'svg'));
    const png = h('vscode-button', { secondary: true, class: 'export', 'data-chart': id, 'data-format': 'png' }, 'PNG');
    png.addEventListener('click', () => void this.exportChart(id, 'png'));
    return h('div', { class: 'chart-box' }, h('div', { class: 'chart', id: `chart-${id}` }), h('div', { class: 'chart-actions' }, svg, png));
  }

  // ---------------------------------------------------------------- charts

  private async renderCharts(): Promise<void> {
    await Promise.all(CHARTS.map((c) => this.embed(c.id)));
  }

  private async embed(id: SelectionChartId): Promise<void> {
    const el = document.getElementById(`chart-${id}`);
    if (!el) return;
    this.charts.get(id)?.finalize();
    this.charts.delete(id);
    const r = this.init.result;
    const spec = id === 'selection-overlap' ? selectionOverlapSpec(r, this.theme) : id === 'selection-accuracy' ? selectionAccuracySpec(r, this.theme) : selectionPullsSpec(r, this.theme);
    try {
      this.charts.set(id, await embedChart(el, spec));
    } catch (e) {
      el.replaceChildren(h('div', { class: 'error' }, `chart ${id}: ${(e as Error).message}`));
    }
  }

  // ---------------------------------------------------------------- host requests

  private async openSource(source: number): Promise<void> {
    try {
      await this.host.request('openSource', { source });
    } catch (e) {
      this.showError(`open source: ${(e as Error).message}`);
    }
  }

  private async exportChart(id: SelectionChartId, format: 'svg' | 'png'): Promise<void> {
    const chart = this.charts.get(id);
    if (!chart) return this.showError(`chart ${id} is not rendered`);
    try {
      const data = format === 'svg' ? await chartSvg(chart) : await chartPng(chart);
      const { path } = await this.host.request('exportChart', { chart: id, format, data });
      if (path) this.status.textContent = `saved ${path}`;
    } catch (e) {
      this.showError(`export ${id} ${format}: ${(e as Error).message}`);
    }
  }

  private async exportReport(format: 'json' | 'html'): Promise<void> {
    try {
      const { path } = await this.host.request('exportReport', { format });
      if (path) this.status.textContent = `saved ${path}`;
    } catch (e) {
      this.showError(`export ${format}: ${(e as Error).message}`);
    }
  }

  showError(message: string): void {
    const el = document.getElementById('error');
    if (!el) return;
    el.hidden = false;
    el.textContent = message;
  }
}
