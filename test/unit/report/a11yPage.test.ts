/**
 * The report page's structure for screen readers and its keyboard paths, in the self-contained HTML report (the
 * same page as the VS Code panel) in headless chromium: landmarks and named regions, charts as images whose label
 * carries their numbers, labelled controls, sortable headers with aria-sort, a live region that says the counts
 * after a threshold change, and the table's roving focus (arrow keys, Enter, Space). The same checks run in the
 * real VS Code in test/e2e/accessibility.e2e.ts, with the high-contrast themes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ReportAssets } from '../../../src/core/report/assets';
import { renderHtmlReport } from '../../../src/core/report/html';
import { buildReportAssets, launch, writeTemp } from './browser';
import { buildResult, rowText } from './build';

let assets: ReportAssets;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  assets = await buildReportAssets();
  browser = await launch();
  const result = buildResult({ w2s: 120, groundTruth: true });
  const file = writeTemp('a11y-report.html', renderHtmlReport(result, { assets, texts: result.rows.map((r) => rowText(r.index)) }));
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#chart-map[data-rendered="true"]');
});
afterAll(async () => {
  await browser?.close();
});

const focused = () => page.evaluate(() => {
  const a = (globalThis as any).document.activeElement;
  return { id: a?.id ?? '', tag: (a?.tagName ?? '').toLowerCase(), row: a?.getAttribute?.('data-row') ?? null };
});

describe('report page structure', () => {
  it('has landmarks, named regions, labelled charts and controls', async () => {
    // Playwright writes the snapshot as YAML: a line with a colon in it is quoted, an apostrophe doubled.
    const tree = (await page.locator('body').ariaSnapshot()).replace(/- '/g, '- ').replace(/''/g, "'");
    expect(tree).toMatch(/- main "Overlap density · /);
    expect(tree).toMatch(/- navigation "report sections"/);
    for (const name of ['Summary', 'Regime plot', 'Thresholds', '2-D map', 'Detection vs ground truth', 'Samples']) expect(tree).toContain(`- region "${name}"`);
    expect(tree).toMatch(/- img "Regime plot: W2S test accuracy[^"]*Reference lines: weak 0\.700, W2S 0\.760, strong 0\.860/);
    expect(tree).toMatch(/- img "Histogram of the weak model's confidence for 120 W2S-train rows\. Cut-off t1 0\.300: \d+ rows/);
    expect(tree).toMatch(/- img "2-D map of W2S-train rows[^"]*\d+ easy-only \(circles\), \d+ hard-only \(squares\), \d+ overlap \(triangles\)/);
    expect(tree).toMatch(/- img "Detection versus ground truth: \d+ of 120 rows/);
    expect(tree).toMatch(/- textbox "cut-off t1 \(weak confidence\): type a value and press Enter"/);
    expect(tree).toMatch(/- button "Save the regime plot as SVG"/);
    expect(tree).toMatch(/table "Samples: W2S-train rows"/);
    const sorts = await page.locator('vscode-table-header-cell.sortable').evaluateAll((cells) => cells.map((c) => c.getAttribute('aria-sort')));
    expect(sorts.length).toBeGreaterThanOrEqual(5);
    expect(sorts.every((s) => s === 'none')).toBe(true); // default order: most informative first, no column
    // Inside a chart image, nothing else is read: vega's marks are hidden from assistive technology.
    expect(tree).not.toMatch(/img "Regime plot[^\n]*\n\s+- img/);
  });
});

describe('report page by keyboard', () => {
  it('Tab reaches t1; a typed value + Enter changes the counts and the live region says them', async () => {
    await page.locator('#report-title').click();
    let steps = 0;
    while ((await focused()).id !== 'input-t1') {
      await page.keyboard.press('Tab');
      if (++steps > 40) throw new Error(`Tab did not reach the t1 input; focus is on ${JSON.stringify(await focused())}`);
    }
    const hardBefore = Number(await page.locator('#summary [data-field="count-hard"]').textContent());
    expect(await page.locator('#announce').textContent()).toBe('');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0.45');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ((globalThis as any).document.getElementById('announce')?.textContent ?? '').includes('t1 0.450'));
    const hardAfter = Number(await page.locator('#summary [data-field="count-hard"]').textContent());
    expect(hardAfter).toBeGreaterThan(hardBefore);
    expect(await page.locator('#announce').textContent()).toContain(`${hardAfter} hard-only`);
    expect(await page.locator('#chart-confidence').getAttribute('aria-label')).toContain(`Cut-off t1 0.450: ${hardAfter} rows`);
    // Reset by keyboard: Tab to the reset button, Enter; the live region says the change-point counts.
    await page.keyboard.press('Tab');
    expect((await focused()).id).toBe('reset-t1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ((globalThis as any).document.getElementById('announce')?.textContent ?? '').includes('t1 0.300'));
    expect(Number(await page.locator('#summary [data-field="count-hard"]').textContent())).toBe(hardBefore);
  });

  it('the jump link moves focus to the table section; one row is in the Tab order and arrow keys move between rows', async () => {
    await page.locator('#report-title').click();
    await page.locator('nav.jump a[data-jump="samples-section"]').focus();
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('samples-section');
    let steps = 0;
    const headers: string[] = [];
    while ((await focused()).tag !== 'vscode-table-row') {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (f.tag === 'vscode-table-header-cell') headers.push(f.id);
      if (++steps > 40) throw new Error('Tab did not reach a table row');
    }
    expect(headers.length).toBe(6); // the six sortable headers, then the rows (no checkbox stops)
    const rows = page.locator('vscode-table-row.sample');
    const first = await rows.nth(0).getAttribute('data-row');
    expect((await focused()).row).toBe(first);
    await page.keyboard.press('ArrowDown');
    expect((await focused()).row).toBe(await rows.nth(1).getAttribute('data-row'));
    expect(await rows.nth(1).getAttribute('tabindex')).toBe('0');
    expect(await rows.nth(0).getAttribute('tabindex')).toBe('-1');
    await page.keyboard.press('End');
    expect((await focused()).row).toBe(await rows.nth(49).getAttribute('data-row'));
    // Past the last row of the page: the next page, first row.
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => ((globalThis as any).document.getElementById('page-info')?.textContent ?? '').includes('page 2 of'));
    expect((await focused()).row).toBe(await rows.nth(0).getAttribute('data-row'));
    // Space flags the focused row.
    const row = (await focused()).row;
    await page.keyboard.press('Space');
    await page.waitForFunction((r) => (globalThis as any).document.querySelector(`vscode-table-row[data-row="${r}"] vscode-checkbox`)?.checked === true, row);
    // Tab leaves the table for the pager (no stop on each row's checkbox).
    await page.keyboard.press('Tab');
    expect((await focused()).id).toBe('page-first');
  });

  it('Enter on a column header sorts by it and says so with aria-sort', async () => {
    const header = page.locator('vscode-table-header-cell[data-key="confidence"]');
    await header.focus();
    await page.keyboard.press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    await page.keyboard.press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await page.locator('vscode-table-header-cell[data-key="row"]').getAttribute('aria-sort')).toBe('none');
  });
});
