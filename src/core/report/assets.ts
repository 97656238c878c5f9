/**
 * The built report page (media/webview.js and media/report.css), read from disk for the self-contained HTML
 * report. The one Node-only piece of core/report: the CLI and the extension host call it; the webview never does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';

export interface ReportAssets {
  script: string;
  css: string;
}

const SCRIPT = path.join('media', 'webview.js');
const CSS = path.join('media', 'report.css');

/** The folder that holds media/webview.js: from dist/ (bundles), src/core/report/ (tests) or the working directory. */
export function findMediaRoot(start: string = typeof __dirname === 'string' ? __dirname : process.cwd()): string | null {
  const candidates: string[] = [];
  for (let dir = start, i = 0; i < 5; i++, dir = path.dirname(dir)) candidates.push(dir);
  candidates.push(process.cwd());
  for (const dir of candidates) if (fs.existsSync(path.join(dir, SCRIPT))) return dir;
  return null;
}

let cached: { root: string; mtime: number; assets: ReportAssets } | null = null;

export function loadReportAssets(root: string | null = findMediaRoot()): ReportAssets {
  if (!root) {
    throw new InputError(`the report page ${SCRIPT} was not found next to the program; run "npm run build" (or reinstall the extension)`);
  }
  const scriptPath = path.join(root, SCRIPT);
  const mtime = fs.statSync(scriptPath).mtimeMs;
  if (cached && cached.root === root && cached.mtime === mtime) return cached.assets;
  const assets = { script: fs.readFileSync(scriptPath, 'utf8'), css: fs.readFileSync(path.join(root, CSS), 'utf8') };
  cached = { root, mtime, assets };
  return assets;
}
