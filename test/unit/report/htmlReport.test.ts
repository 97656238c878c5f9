/**
 * The self-contained HTML report, and through it the report page itself: every chart the product ships is
 * rendered in headless chromium under the report's CSP with Function/eval trapped, and must make zero calls.
 * The selection report's charts (data-source selection, the UCB issue) are in that list too, through the
 * self-contained selection page. Then the interactions that matter: drag t1 and the counts change; type a value and the counts equal the pure
 * partition; reset returns to the change point; export gives an SVG; a dark colour scheme re-themes the charts.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ReportAssets } from '../../../src/core/report/assets';
import { verdictEvidence, verdictOf } from '../../../src/core/experiment/verdict';
import { escapeHtml, jsonForScript, renderHtmlReport, renderSelectionHtml, scriptForInline } from '../../../src/core/report/html';
import { selectionHeadline, strategyRows } from '../../../src/core/report/selection';
import { partition } from '../../../src/core/report/partition';
import type { AnalysisResult } from '../../../src/core/result/schema';
import { toColumns } from '../../../src/protocol/columns';
import { CHART_IDS, SELECTION_CHART_IDS } from '../../../src/protocol/messages';
import { buildReportAssets, launch, trap, writeTemp, type PageProbe } from './browser';
import { buildResult, rowText } from './build';
import { buildSelection } from './buildSelection';

let assets: ReportAssets;
let browser: Browser;

beforeAll(async () => {
  assets = await buildReportAssets();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function open(result: AnalysisResult, options: { texts?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; probe: () => Promise<PageProbe> }> {
  return openHtml(renderHtmlReport(result, { assets, texts: options.texts === false ? undefined : result.rows.map((r) => rowText(r.index)) }), options);
}

async function openHtml(html: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; probe: () => Promise<PageProbe> }> {
  const file = writeTemp('report.html', html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light', acceptDownloads: true });
  const probe = await trap(page);
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, probe };
}

const field = (page: Page, name: string) => page.locator(`#summary [data-field="${name}"]`).first().textContent();
const num = async (page: Page, name: string) => Number((await field(page, name))!.replace(/,/g, ''));

describe('renderHtmlReport (text)', () => {
  it('is one file: inline script and data under a nonce CSP without unsafe-eval, no external resources', () => {
    const r = buildResult({ w2s: 60 });
    const html = renderHtmlReport(r, { assets, nonce: 'abc123' });
    expect(html).toContain(`content="default-src 'none'; script-src 'nonce-abc123'; style-src 'nonce-abc123'; img-src data: blob:; font-src data:"`);
    expect(html).not.toMatch(/unsafe-eval|unsafe-inline/);
    const markup = html.replace(/(<script[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
    expect(markup).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html.match(/<script type="module" nonce="abc123">/g)).toHaveLength(1);
    // The headline numbers are readable without JavaScript.
    expect(html).toContain('W2S 0.760');
    expect(html).toContain(`overlap ${r.detection.counts.overlap}`);
  });

  it('the selection report is one file under the same CSP, headline readable without JavaScript', () => {
    const r = buildSelection({ names: ['a</script>.json', 'b.json'], densities: [0.6, 0.2] });
    const html = renderSelectionHtml(r, { assets, nonce: 'n0nce' });
    expect(html).toContain(`content="default-src 'none'; script-src 'nonce-n0nce'; style-src 'nonce-n0nce'; img-src data: blob:; font-src data:"`);
    expect(html).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(html.match(/<\/script>/g)).toHaveLength(html.match(/<script/g)!.length);
    expect(html).toContain('<dt>plan</dt><dd>20 rounds × 10 points · bonus code · ucb, random · seeds 0..2 (3)</dd>');
    expect(html).toContain('ucb pulled a&lt;/script&gt;.json in');
  });

  it('cannot be broken out of by data: </script> in texts or paths stays inside its element', () => {
    const r = buildResult({ w2s: 20, datasetPath: '/d/</script><script>alert(1)</script>.jsonl' });
    const html = renderHtmlReport(r, { assets, texts: r.rows.map(() => '</script><b>x</b>') });
    expect(html.match(/<\/script>/g)).toHaveLength(html.match(/<script/g)!.length);
    expect(JSON.parse(jsonForScript({ a: '</script>' }).replace(/\\u003c/g, '<'))).toEqual({ a: '</script>' });
    expect(scriptForInline('x="</script>";\n//# sourceMappingURL=webview.js.map\n')).toBe('x="<\\/script>";\n');
  });

  it('states the verdict sentence and the detector sanity notices in the static summary', () => {
    const r = buildResult({ w2s: 400 });
    const html = renderHtmlReport(r, { assets });
    const summary = html.match(/<section class="static-summary">(.*?)<\/section>/s)![1];
    const ev = verdictEvidence(r);
    expect(summary).toContain(`<dt>verdict</dt><dd>${escapeHtml(ev.verdict.sentence)}</dd>`);
    for (const n of ev.sanity.notices) expect(summary).toContain(`<dt>detector sanity</dt><dd>${escapeHtml(n)}</dd>`);
  });

  it('embeds only W2S-train texts, truncated', () => {
    const r = buildResult({ w2s: 10 });
    const html = renderHtmlReport(r, { assets, texts: r.rows.map((x) => `${'long '.repeat(100)}${x.index}`), maxTextChars: 20 });
    const texts = JSON.parse(html.match(/<script type="application\/json" id="texts-data">(.*?)<\/script>/s)![1]) as (string | null)[];
    r.rows.forEach((row, i) => expect((texts[i] ?? null) === null).toBe(row.split !== 'w2s-train'));
    // Sized by the W2S-train rows and the texts given, never by dataset.rows (issue 13).
    expect(texts.length).toBe(Math.max(...r.rows.filter((x) => x.split === 'w2s-train').map((x) => x.index)) + 1);
    expect(texts.find((t) => t !== null)!.length).toBe(21);
  });
});

describe('report page in chromium', () => {
  it('renders every chart with zero Function/eval calls and no CSP violation', async () => {
    const r = buildResult({ w2s: 400, groundTruth: true });
    const { page, probe } = await open(r);
    for (const id of CHART_IDS) {
      await expect.poll(() => page.locator(`#chart-${id}[data-rendered="true"] :is(svg, canvas)`).count()).toBeGreaterThan(0);
    }
    // Marks really drew: the histogram has its bars, the regime plot its curve points.
    expect(await page.locator('#chart-confidence svg .mark-rect path').count()).toBeGreaterThan(10);
    expect(await page.locator('#chart-regime svg g.mark-symbol.role-mark path').count()).toBe(11);
    const p = await probe();
    expect(p.evalCalls).toEqual([]);
    expect(p.cspViolations).toEqual([]);
    expect(p.errors).toEqual([]);
    expect(await field(page, 'density')).toBe(`${(r.detection.overlapDensity * 100).toFixed(1)}%`);
    expect(await num(page, 'count-overlap')).toBe(r.detection.counts.overlap);
    expect(await field(page, 'regime')).toBe('medium regime');
    // The verdict sentence is the core function's, word for word (the CLI, CodeLens and status bar use it too).
    expect(await field(page, 'verdict')).toBe(verdictOf(r).sentence);
    await page.close();
  });

  it('renders every selection chart with zero Function/eval calls and no CSP violation', async () => {
    const r = buildSelection({ truth: true, seeds: 4, densities: [0.15, 0.65] });
    const { page, probe } = await openHtml(renderSelectionHtml(r, { assets }));
    for (const id of SELECTION_CHART_IDS) {
      await expect.poll(() => page.locator(`#chart-${id}[data-rendered="true"] svg`).count()).toBeGreaterThan(0);
    }
    // Marks really drew: a mean line per strategy on both round plots, a bar per strategy and source.
    expect(await page.locator('#chart-selection-overlap svg g.mark-line.role-mark path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#chart-selection-accuracy svg g.mark-line.role-mark path').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#chart-selection-pulls svg g.mark-rect.role-mark path').count()).toBe(3 * 2);
    const legend = await page.locator('#chart-selection-accuracy svg g.role-legend-label text').allTextContents();
    expect(legend).toEqual(['ucb', 'random', 'optimal', 'weak', 'W2S on all pools', 'strong ceiling']);
    const p = await probe();
    expect(p.evalCalls).toEqual([]);
    expect(p.cspViolations).toEqual([]);
    expect(p.errors).toEqual([]);
    // The summary says what the result says.
    const sel = (name: string) => page.locator(`#summary [data-field="${name}"]`).first().textContent();
    expect(await sel('headline')).toBe(selectionHeadline(r));
    const ucb = strategyRows(r).find((x) => x.strategy === 'ucb')!;
    expect(await sel('acc-ucb')).toBe(`${ucb.finalAccuracy!.mean.toFixed(3)} ± ${ucb.finalAccuracy!.std.toFixed(3)}`);
    expect(await sel('dense-optimal')).toBe('100.0% ± 0.0');
    expect(await sel('acc-strong')).toBe('0.900');
    expect(await page.locator('#sources-table tbody tr').count()).toBe(2);
    // The JSON export is a download of the whole result (round logs included).
    const download = page.waitForEvent('download');
    await page.locator('#export-json').click();
    const saved = JSON.parse(fs.readFileSync((await (await download).path())!, 'utf8'));
    expect(saved.runs).toHaveLength(r.runs.length);
    await page.close();
  });

  it('dragging t1 re-partitions live and a typed value matches the pure partition', async () => {
    const r = buildResult({ w2s: 400 });
    const { page, probe } = await open(r);
    const hardBefore = await num(page, 'count-hard');
    expect(hardBefore).toBe(r.detection.counts.hard);
    // The accent-coloured threshold rule is the draggable line.
    const rule = page.locator('#chart-confidence svg .mark-rule.role-mark line').last();
    await rule.scrollIntoViewIfNeeded();
    const box = (await rule.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + i * 15, box.y + box.height / 2);
    await page.mouse.up();
    await expect.poll(() => num(page, 'count-hard')).toBeGreaterThan(hardBefore);
    const t1 = Number(await field(page, 't1'));
    expect(t1).toBeGreaterThan(r.detection.confidenceThreshold);

    const cols = toColumns(r);
    const expected = partition({ confidence: cols.confidence, alignment: cols.alignment, hardRule: 'segment' }, 0.5, r.detection.alignThreshold);
    await page.locator('#input-t1 input').fill('0.5');
    await page.locator('#input-t1 input').press('Enter');
    await page.locator('#input-t1 input').blur();
    await expect.poll(() => num(page, 'count-hard')).toBe(expected.counts.hard);
    expect(await num(page, 'count-overlap')).toBe(expected.counts.overlap);
    expect(await num(page, 'count-easy')).toBe(expected.counts.easy);
    await expect.poll(() => page.locator('[data-field="approx"]').isVisible()).toBe(true);

    await page.locator('#reset-t1').click();
    await expect.poll(() => num(page, 'count-hard')).toBe(r.detection.counts.hard);
    expect(await num(page, 'count-overlap')).toBe(r.detection.counts.overlap);
    expect((await probe()).evalCalls).toEqual([]);
    await page.close();
  });

  it('the table filters by category and text, sorts, pages, and follows the thresholds', async () => {
    const r = buildResult({ w2s: 300 });
    const { page } = await open(r);
    const total = r.detection.counts.easy + r.detection.counts.hard + r.detection.counts.overlap;
    await expect.poll(() => page.locator('#page-info').textContent()).toContain(`of ${total}`);
    expect(await page.locator('vscode-table-row.sample').count()).toBe(50);
    await expect.poll(() => page.locator('vscode-table-row.sample .text').first().textContent()).toMatch(/^row \d+ /);

    await page.locator('vscode-table-header-cell[data-key="confidence"]').click();
    const conf = await page.locator('vscode-table-row.sample vscode-table-cell:nth-child(6)').allTextContents();
    expect(conf.map(Number)).toEqual([...conf.map(Number)].sort((a, b) => b - a));

    await page.locator('#filter-text input').fill('brilliant score');
    const matching = r.rows.filter((x) => x.split === 'w2s-train' && rowText(x.index).includes('brilliant score')).length;
    await expect.poll(() => page.locator('#page-info').textContent()).toContain(`of ${matching} `);
    await page.locator('#filter-text input').fill('');
    await expect.poll(() => page.locator('#page-info').textContent()).toContain(`of ${total}`);

    await page.locator('#page-next').click();
    await expect.poll(() => page.locator('#page-info').textContent()).toContain('rows 51–100');

    // Filtered to hard-only rows, the table follows a moved t1.
    await page.locator('#filter-category').evaluate((el) => {
      (el as unknown as { value: string }).value = 'hard';
      el.dispatchEvent(new Event('change'));
    });
    await expect.poll(() => page.locator('#page-info').textContent()).toContain(`of ${r.detection.counts.hard} `);
    await page.locator('#input-t1 input').fill('0.6');
    await page.locator('#input-t1 input').press('Enter');
    const hard = await num(page, 'count-hard');
    expect(hard).toBeGreaterThan(r.detection.counts.hard);
    await expect.poll(() => page.locator('#page-info').textContent()).toContain(`of ${hard} `);
    expect(new Set(await page.locator('vscode-table-row.sample vscode-table-cell.category').allTextContents())).toEqual(new Set(['hard-only']));
    await page.close();
  });

  it('exports charts as SVG and PNG (downloads in the HTML report)', async () => {
    const { page } = await open(buildResult({ w2s: 100 }));
    const download = page.waitForEvent('download');
    await page.locator('vscode-button.export[data-chart="regime"][data-format="svg"]').click();
    const d = await download;
    const text = fs.readFileSync((await d.path())!, 'utf8');
    expect(d.suggestedFilename()).toBe('reviews.jsonl.regime.svg');
    expect(text).toMatch(/^<svg /);
    expect(text).toContain('W2S test accuracy vs overlap proportion');
    const png = page.waitForEvent('download');
    await page.locator('vscode-button.export[data-chart="confidence"][data-format="png"]').click();
    const bytes = fs.readFileSync((await (await png).path())!);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(5000);
    await page.close();
  });

  it('exports the rows the table shows as CSV with texts, most informative first (issue 15, item 5)', async () => {
    const r = buildResult({ w2s: 100 });
    const { page } = await open(r);
    await page.locator('vscode-table-row.sample').first().waitFor();
    expect(await page.locator('#table-order').textContent()).toMatch(/most informative first: overlap rows/);
    const download = page.waitForEvent('download');
    await page.locator('#export-rows-csv').click();
    const d = await download;
    expect(d.suggestedFilename()).toBe('reviews.jsonl.all-rows.csv');
    const lines = fs.readFileSync((await d.path())!, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(1 + r.rows.filter((x) => x.split === 'w2s-train').length);
    const first = lines[1]!.split(',');
    expect(first[2]).toBe('overlap');
    expect(first.at(-1)).toBe(rowText(Number(first[0]) - 1));
    await page.close();
  });

  it('re-themes the charts when the colour scheme changes', async () => {
    const { page } = await open(buildResult({ w2s: 100 }));
    const background = () => page.locator('#chart-regime svg').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(background).toBe('rgb(31, 31, 31)');
    await page.close();
  });

  it('renders a result without map, ground truth, mixing curve or texts', async () => {
    const r = buildResult({ w2s: 50, map: false });
    r.mixing = null;
    const { page, probe } = await open(r, { texts: false });
    await expect.poll(() => page.locator('#chart-regime[data-rendered="true"] svg').count()).toBe(1);
    expect(await page.locator('#chart-map').count()).toBe(0);
    expect(await page.locator('#chart-confusion').count()).toBe(0);
    expect(await page.locator('#samples-section').textContent()).toContain('written without the row texts');
    const p = await probe();
    expect(p.errors).toEqual([]);
    expect(p.evalCalls).toEqual([]);
    await page.close();
  });
});
