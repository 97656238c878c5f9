#!/usr/bin/env node
// Runs benchmarks: each bench/<name>.ts is bundled with esbuild (onnxruntime-node external) and executed with Node.
// Usage: node bench/run.js [name ...]   (no names: every bench). Each prints a table and a one-line verdict.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const dir = __dirname;
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark bench/${name}.ts (have: ${all.join(', ')})`);
    process.exit(2);
  }
  const out = path.join(dir, 'out', `${name}.js`);
  esbuild.buildSync({
    entryPoints: [path.join(dir, `${name}.ts`)], outfile: out, bundle: true, platform: 'node', format: 'cjs',
    target: 'node20', external: ['onnxruntime-node', 'onnxruntime-common', 'vscode', '@anush008/tokenizers'], logLevel: 'warning',
  });
  // the compute worker beside the bench's bundle, as dist/compute-worker.js is beside dist/cli.js (linalgKernel.ts)
  esbuild.buildSync({
    entryPoints: [path.join(dir, '..', 'src', 'inference', 'computeWorker.ts')], outfile: path.join(dir, 'out', 'compute-worker.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
  });
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', out], { stdio: 'inherit', cwd: path.join(dir, '..') });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
