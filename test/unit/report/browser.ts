/**
 * Loads report pages in headless Debian chromium with `Function` and `eval` trapped, the way the report's CSP
 * tests need it. Shared by the zero-eval test and the report bench.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ReportAssets } from '../../../src/core/report/assets';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../../..');

export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: run scripts/setup-e2e.sh (or apt-get install -y chromium), or set CHROMIUM_PATH`);
  }
}

/** Bundles webview/main.ts exactly as esbuild.js does for media/webview.js, so the test sees the current source. */
export async function buildReportAssets(minify = false): Promise<ReportAssets> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'webview/main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    write: false,
    logLevel: 'silent',
  });
  return { script: out.outputFiles[0].text, css: fs.readFileSync(path.join(ROOT, 'media/report.css'), 'utf8') };
}

export async function launch(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface PageProbe {
  /** Calls of Function / eval made by the page's own scripts (not by the test driver). */
  evalCalls: string[];
  cspViolations: string[];
  errors: string[];
}

/** Runs in the page before its scripts (plain JS: this file is compiled without the DOM library). */
const TRAP_SCRIPT = `
(() => {
  window.__evalCalls = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
  const record = (kind, code) => {
    const stack = new Error().stack || '';
    // Playwright's own evaluate() runs through eval in the page; it is the driver, not the product.
    if (!stack.includes('UtilityScript')) window.__evalCalls.push(kind + ': ' + String(code).slice(0, 80) + ' @ ' + stack.split('\\n').slice(2, 4).join(' | '));
  };
  const RealFunction = Function;
  const TrappedFunction = function (...args) {
    record('Function', args[args.length - 1]);
    return RealFunction.apply(this, args);
  };
  Object.defineProperty(TrappedFunction, 'prototype', { value: RealFunction.prototype });
  window.Function = TrappedFunction;
  Object.defineProperty(RealFunction.prototype, 'constructor', { value: TrappedFunction, writable: true, configurable: true });
  const realEval = window.eval;
  window.eval = function (code) {
    record('eval', code);
    return realEval(code);
  };
})();
`;

/**
 * Installs the traps before any page script runs: every call of the Function constructor (also reached as
 * `(function(){}).constructor`) and of eval is recorded with its stack; CSP violations are recorded too.
 */
export async function trap(page: Page): Promise<() => Promise<PageProbe>> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript({ content: TRAP_SCRIPT });
  return async () => {
    const w = (await page.evaluate('({ evalCalls: window.__evalCalls, cspViolations: window.__csp })')) as { evalCalls: string[]; cspViolations: string[] };
    return { ...w, errors };
  };
}

export function writeTemp(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlap-report-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
