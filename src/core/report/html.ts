/**
 * The self-contained HTML report: the same page as the report panel (media/webview.js, media/report.css) with
 * the result embedded, so it opens offline in any browser, with the same charts, draggable thresholds and
 * samples table. One file: the scripts, styles and data are inline under a CSP that allows nothing else and no
 * eval (vega runs with its AST interpreter, as in the webview). The CLI and the extension's export both write it.
 */
import { describeRead } from './readSummary';
import { CATEGORY_NAMES } from '../detect/types';
import { regimeRuleText } from '../experiment/regime';
import { verdictEvidence } from '../experiment/verdict';
import type { SelectionResult } from '../select/schema';
import { loadReportAssets, type ReportAssets } from './assets';
import type { AnalysisResult } from '../result/schema';
import { modeText, planText, selectionHeadline } from './selection';
import { describeWeakVotes } from './votes';

export interface HtmlReportOptions {
  /** Row texts by dataset row index (the table's snippets and text filter); W2S-train rows are embedded. */
  texts?: ReadonlyArray<string | null | undefined>;
  /** The page's script and styles; default: read from the built media/ folder. */
  assets?: ReportAssets;
  /** Characters kept per row text. */
  maxTextChars?: number;
  /** Fixed nonce (tests); default: random. */
  nonce?: string;
}

export function renderHtmlReport(result: AnalysisResult, options: HtmlReportOptions = {}): string {
  const assets = options.assets ?? loadReportAssets();
  const nonce = options.nonce ?? randomNonce();
  const maxChars = options.maxTextChars ?? 300;
  const name = (result.dataset.path ?? 'dataset').split(/[\\/]/).pop() ?? 'dataset';
  let texts: (string | null)[] | null = null;
  if (options.texts) {
    // Sized by the texts actually given and the W2S-train rows present, never by a count the results file states.
    let end = 0;
    for (const r of result.rows) if (r.split === 'w2s-train' && r.index < options.texts.length) end = Math.max(end, r.index + 1);
    texts = new Array<string | null>(end).fill(null);
    for (const r of result.rows) {
      if (r.split !== 'w2s-train') continue;
      const t = options.texts[r.index];
      if (typeof t === 'string') texts[r.index] = t.length > maxChars ? t.slice(0, maxChars) + '…' : t;
    }
  }
  return page({
    title: `Overlap density · ${name}`,
    tool: result.tool,
    staticHtml: staticSummary(result),
    data: [['result-data', result], ...(texts ? [['texts-data', texts] as [string, unknown]] : [])],
    assets,
    nonce,
  });
}

/**
 * The self-contained HTML selection report: the selection page of the same bundle (the page picks it by the
 * embedded result's `kind`), with the three plots and the summary, under the same CSP.
 */
export function renderSelectionHtml(result: SelectionResult, options: Pick<HtmlReportOptions, 'assets' | 'nonce'> = {}): string {
  const first = result.sources[0]?.name ?? 'sources';
  return page({
    title: `Data-source selection · ${first}${result.sources.length > 1 ? ` + ${result.sources.length - 1}` : ''}`,
    tool: result.tool,
    staticHtml: staticSelectionSummary(result),
    data: [['result-data', result]],
    assets: options.assets ?? loadReportAssets(),
    nonce: options.nonce ?? randomNonce(),
  });
}

interface PageParts {
  title: string;
  tool: { name: string; version: string };
  staticHtml: string;
  /** JSON blocks by element id. */
  data: [string, unknown][];
  assets: ReportAssets;
  nonce: string;
}

function page(p: PageParts): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    `style-src 'nonce-${p.nonce}'`,
    'img-src data: blob:',
    'font-src data:',
  ].join('; ');
  const blocks = p.data.map(([id, value]) => `<script type="application/json" id="${id}">${jsonForScript(value)}</script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${p.tool.name} ${p.tool.version}`)}">
<title>${escapeHtml(p.title)}</title>
<style nonce="${p.nonce}">
${p.assets.css}
</style>
</head>
<body class="standalone">
<div id="app">${p.staticHtml}</div>
${blocks}<script type="module" nonce="${p.nonce}">
${scriptForInline(p.assets.script)}
</script>
</body>
</html>
`;
}

function staticSelectionSummary(r: SelectionResult): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows: [string, string][] = [
    ['sources', r.sources.map((s) => `${s.name} (${s.poolRows} pool rows, detected ${pct(s.detectedPoolDensity)})`).join('; ')],
    ['mode', modeText(r.mode)],
    ['plan', planText(r.plan)],
    ['result', selectionHeadline(r)],
  ];
  return `<section class="static-summary"><h1>Data-source selection</h1><dl>${rows
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl><p class="muted">The interactive report needs JavaScript.</p></section>`;
}

/** What the page shows before (or without) its script: the headline numbers as plain HTML. */
function staticSummary(r: AnalysisResult): string {
  const d = r.detection;
  const evidence = verdictEvidence(r);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows: [string, string][] = [
    ['dataset', r.dataset.path ?? '(arrays)'],
    ['rows', `${r.dataset.rows} (weak-train ${r.dataset.splits.weakTrain}, W2S-train ${r.dataset.splits.w2sTrain}, test ${r.dataset.splits.test})`],
    ['test accuracy', `weak ${r.accuracy.weak.toFixed(3)}, W2S ${r.accuracy.w2s.toFixed(3)}, strong ${r.accuracy.strong.toFixed(3)}`],
    ['PGR', r.pgr === null ? '—' : r.pgr.toFixed(3)],
    ['overlap density', `${pct(d.overlapDensity)} (${CATEGORY_NAMES.map((c) => `${c === 'overlap' ? c : `${c}-only`} ${d.counts[c]}`).join(', ')})`],
    ['verdict', evidence.verdict.sentence],
    ...evidence.sanity.notices.map((n): [string, string] => ['detector sanity', n]),
    ['regime', regimeRuleText(r.regime)],
    ['encoders', `weak ${r.encoders.weak.id}, strong ${r.encoders.strong.id}; device ${r.device}`],
    ...(r.weakVotes ? [['weak votes', describeWeakVotes(r.weakVotes)] as [string, string]] : []),
    ...(r.dataset.read ? describeRead(r.dataset.read).map((l): [string, string] => [`read: ${l.label}`, l.text]) : []),
  ];
  return `<section class="static-summary"><h1>Overlap density</h1><dl>${rows
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl><p class="muted">The interactive report needs JavaScript.</p></section>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that cannot end its <script> element early: '<' becomes \u003c (still the same JSON value). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script body safe inside <script>: no `</script` and no source-map comment pointing at a missing file. */
export function scriptForInline(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

function randomNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}
