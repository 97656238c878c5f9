// Time from "Show Report" to the first chart, for 10k and 100k dataset rows (see bench/report/firstChart.ts).
// bench/run.js bundles this file; the measuring part drives a real VS Code and Chromium through playwright-core,
// which cannot be bundled, so this launcher bundles it with playwright-core external and runs it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = process.cwd();
const esbuild = createRequire(path.join(root, 'package.json'))('esbuild') as typeof import('esbuild');
const out = path.join(root, 'bench', 'out', 'report-first-chart.main.js');
esbuild.buildSync({
  entryPoints: [path.join(root, 'bench', 'report', 'firstChart.ts')],
  outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
  external: ['playwright-core', 'esbuild', 'vscode', 'onnxruntime-node', 'onnxruntime-common'],
});
const r = spawnSync(process.execPath, ['--max-old-space-size=8192', out, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root, env: { ...process.env, E2E_REPO_ROOT: root } });
process.exit(r.status ?? 1);
