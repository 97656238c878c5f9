#!/usr/bin/env node
// The e2e runner: bundles every test/e2e/**/*.e2e.ts (with the harness) using esbuild, then runs their journeys one
// after another, each on a fresh VS Code. Prints pass/fail with durations, writes test/e2e/screenshots/summary.json,
// exits 1 on any failure. `npm run test:e2e` runs scripts/setup-e2e.sh and the build first.
//
// Env: E2E_FILTER (regex, case-insensitive, matched against "<file> <journey name>"), E2E_RETRIES (extra tries for a
// failed journey, default 0), E2E_KEEP=1 (keep every temp folder), plus the harness's E2E_* (test/e2e/README.md).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..', '..');
const E2E_DIR = path.join(ROOT, 'test', 'e2e');
// Inside the repository (git-ignored) so the bundle resolves playwright-core from node_modules.
const BUILD_DIR = path.join(ROOT, '.e2e-cache', 'build');
const SCREENSHOTS = process.env.E2E_SCREENSHOTS ? path.resolve(process.env.E2E_SCREENSHOTS) : path.join(E2E_DIR, 'screenshots');
const DEFAULT_TIMEOUT_MS = 180_000;

function findJourneyFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['screenshots', 'fixtures', 'node_modules'].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findJourneyFiles(p));
    else if (e.name.endsWith('.e2e.ts')) out.push(p);
  }
  return out;
}

// One bundle for all journey files and the harness, so they share one harness instance (its list of live servers).
async function bundle(files) {
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  // Per process: engineers may run the e2e tests side by side in one tree.
  const outfile = path.join(BUILD_DIR, `journeys-${process.pid}.js`);
  process.on('exit', () => fs.rmSync(outfile, { force: true }));
  const lines = files.map((f, i) => `export * as j${i} from ${JSON.stringify(f)};`);
  lines.push(`export * as harness from ${JSON.stringify(path.join(E2E_DIR, 'harness', 'index.ts'))};`);
  await esbuild.build({
    stdin: { contents: lines.join('\n'), resolveDir: E2E_DIR, sourcefile: 'e2e-entry.ts', loader: 'ts' },
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['playwright-core', 'vscode', 'onnxruntime-node', 'onnxruntime-common', 'esbuild'],
    logLevel: 'warning',
  });
  return outfile;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function matchesFilter(file, name) {
  const filter = process.env.E2E_FILTER;
  if (!filter) return true;
  const subject = `${file} ${name}`;
  try {
    return new RegExp(filter, 'i').test(subject);
  } catch {
    return subject.toLowerCase().includes(filter.toLowerCase());
  }
}

function tail(text, lines) {
  return text.split('\n').filter((l) => l.trim()).slice(-lines).join('\n');
}

async function runJourney(harness, file, journey) {
  const record = {
    file, name: journey.name, status: 'failed', attempts: 0, startMs: 0, runMs: 0, durationMs: 0,
    error: undefined, screenshots: [], externalRequests: [], keptFiles: undefined,
  };
  const retries = Number(process.env.E2E_RETRIES ?? 0);
  const t0 = Date.now();
  for (let attempt = 0; attempt <= retries && record.status !== 'passed'; attempt++) {
    record.attempts = attempt + 1;
    let h;
    const tStart = Date.now();
    try {
      // Start-up is infrastructure, not the extension under test: one quiet retry.
      try {
        h = await harness.startVSCode({ name: journey.name, ...journey.start });
      } catch (e) {
        console.log(`    start-up failed, retrying once: ${String(e.message).split('\n')[0]}`);
        h = await harness.startVSCode({ name: journey.name, ...journey.start });
      }
      record.startMs = Date.now() - tStart;
      const tRun = Date.now();
      try {
        await harness.withTimeout(journey.run(h), journey.timeoutMs ?? DEFAULT_TIMEOUT_MS, `journey "${journey.name}"`);
      } finally {
        record.runMs = Date.now() - tRun;
      }
      record.status = 'passed';
      record.error = undefined;
    } catch (e) {
      record.error = e && e.stack ? e.stack : String(e);
      console.log(`    attempt ${attempt + 1} failed: ${record.error}`);
      if (h) {
        await h.screenshot(`FAILED-${attempt + 1}`).catch(() => undefined);
        const errors = h.console.filter((c) => c.type === 'error' || c.type === 'pageerror').map((c) => c.text);
        if (errors.length) console.log(`    page console errors (last 8):\n${errors.slice(-8).map((t) => `      ${t.slice(0, 300)}`).join('\n')}`);
        const log = h.extensionHostLog().split('\n');
        const ext = tail(log.filter((l) => /\[error\]|^\s+at /.test(l)).join('\n') || log.join('\n'), 15);
        if (ext) console.log(`    extension host log (tail):\n${ext.replace(/^/gm, '      ')}`);
        record.keptFiles = h.server.root;
      }
    } finally {
      if (h) {
        record.screenshots.push(...h.screenshots.map((s) => path.relative(ROOT, s)));
        record.externalRequests = h.externalRequests().map((r) => `${r.method} ${r.url}`);
        await h.stop({ keepFiles: record.status !== 'passed' }).catch((e) => console.log(`    stop failed: ${e.message}`));
      }
    }
  }
  record.durationMs = Date.now() - t0;
  return record;
}

async function main() {
  process.setSourceMapsEnabled(true);
  process.env.E2E_REPO_ROOT = ROOT;
  const files = findJourneyFiles(E2E_DIR).sort((a, b) => {
    const rank = (f) => (path.basename(f) === 'smoke.e2e.ts' ? 0 : 1); // fail fast on a broken set-up
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  if (files.length === 0) throw new Error(`no *.e2e.ts files under ${E2E_DIR}`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    console.log('e2e: warning: dist/extension.js is missing (run `node esbuild.js`); the dev extension will not activate');
  }
  // Each journey file registers its own exit clean-up; a dozen of them is expected, not a leak.
  process.setMaxListeners(50);
  const bundlePath = await bundle(files);
  const mod = require(bundlePath);
  const harness = mod.harness;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      harness.killAllCodeServersSync();
      process.exit(130);
    });
  }
  process.on('exit', () => harness.killAllCodeServersSync());

  const plan = [];
  files.forEach((f, i) => {
    const exported = mod[`j${i}`];
    const journeys = exported.journeys ?? exported.default;
    const rel = path.relative(ROOT, f);
    if (!Array.isArray(journeys)) throw new Error(`${rel}: must export \`journeys: Journey[]\``);
    for (const j of journeys) {
      if (!j || typeof j.name !== 'string' || typeof j.run !== 'function') throw new Error(`${rel}: a journey needs { name, run }`);
      if (matchesFilter(rel, j.name)) plan.push({ file: rel, journey: j });
    }
  });
  if (plan.length === 0) throw new Error(`no journey matches E2E_FILTER=${process.env.E2E_FILTER}`);

  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  if (!process.env.E2E_FILTER) {
    // A full run starts from an empty folder so no stale screenshot passes for a fresh one.
    for (const f of fs.readdirSync(SCREENSHOTS)) if (f.endsWith('.png')) fs.rmSync(path.join(SCREENSHOTS, f));
  }
  const summary = {
    startedAt: new Date().toISOString(), finishedAt: undefined, durationMs: 0, filter: process.env.E2E_FILTER ?? null,
    passed: 0, failed: 0, journeys: [],
  };
  const writeSummary = () => fs.writeFileSync(path.join(SCREENSHOTS, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const t0 = Date.now();
  console.log(`e2e: ${plan.length} journey(s) from ${files.length} file(s)`);
  for (const { file, journey } of plan) {
    console.log(`  ▶ ${journey.name}  (${file})`);
    const r = await runJourney(harness, file, journey);
    summary.journeys.push(r);
    summary[r.status === 'passed' ? 'passed' : 'failed']++;
    const mark = r.status === 'passed' ? '✔ PASS' : '✘ FAIL';
    console.log(`  ${mark} ${journey.name}  ${seconds(r.durationMs)} (start ${seconds(r.startMs)}, run ${seconds(r.runMs)})` +
      `${r.attempts > 1 ? `, ${r.attempts} attempts` : ''}${r.keptFiles ? `, files kept in ${r.keptFiles}` : ''}`);
    writeSummary();
  }
  summary.finishedAt = new Date().toISOString();
  summary.durationMs = Date.now() - t0;
  writeSummary();
  console.log(`e2e: done in ${seconds(summary.durationMs)}; summary: ${path.relative(ROOT, path.join(SCREENSHOTS, 'summary.json'))}`);
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`e2e: ${e && e.stack ? e.stack : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
