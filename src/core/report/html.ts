/**
 * The self-contained HTML report: the same page as the report panel (media/webview.js, media/report.css) with
 * the result embedded, so it opens offline in any browser, with the same charts, draggable thresholds and
 * samples table. One file: the scripts, styles and data are inline under a CSP that allows nothing else and no
 * eval (vega runs with its AST interpreter, as in the webview). The CLI and the extension's export both write it.
 */
import { CATEGORY_NAMES } from '../detect/types';
import { loadReportAssets, type ReportAssets } from './assets';
import type { AnalysisResult } from './schema';

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
    texts = new Array<string | null>(result.dataset.rows).fill(null);
    for (const r of result.rows) {
      if (r.split !== 'w2s-train') continue;
      const t = options.texts[r.index];
      if (typeof t === 'string') texts[r.index] = t.length > maxChars ? t.slice(0, maxChars) + '…' : t;
    }
  }
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data: blob:',
    'font-src data:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${result.tool.name} ${result.tool.version}`)}">
<title>Overlap density · ${escapeHtml(name)}</title>
<style nonce="${nonce}">
${assets.css}
</style>
</head>
<body class="standalone">
<div id="app">${staticSummary(result)}</div>
<script type="application/json" id="result-data">${jsonForScript(result)}</script>
${texts ? `<script type="application/json" id="texts-data">${jsonForScript(texts)}</script>\n` : ''}<script type="module" nonce="${nonce}">
${scriptForInline(assets.script)}
</script>
</body>
</html>
`;
}

/** What the page shows before (or without) its script: the headline numbers as plain HTML. */
function staticSummary(r: AnalysisResult): string {
  const d = r.detection;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows: [string, string][] = [
    ['dataset', r.dataset.path ?? '(arrays)'],
    ['rows', `${r.dataset.rows} (weak-train ${r.dataset.splits.weakTrain}, W2S-train ${r.dataset.splits.w2sTrain}, test ${r.dataset.splits.test})`],
    ['test accuracy', `weak ${r.accuracy.weak.toFixed(3)}, W2S ${r.accuracy.w2s.toFixed(3)}, strong ${r.accuracy.strong.toFixed(3)}`],
    ['PGR', r.pgr === null ? '—' : r.pgr.toFixed(3)],
    ['overlap density', `${pct(d.overlapDensity)} (${CATEGORY_NAMES.map((c) => `${c === 'overlap' ? c : `${c}-only`} ${d.counts[c]}`).join(', ')})`],
    ['regime', `${r.regime.label}: ${r.regime.rule}`],
    ['encoders', `weak ${r.encoders.weak.id}, strong ${r.encoders.strong.id}; device ${r.device}`],
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
