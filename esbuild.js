// Bundles: the extension host (CommonJS, vscode + onnxruntime-node external), the CLI, the inference
// worker, the compute worker (core's one-core linear algebra off the analysing thread), and the webview (browser ESM). Entries that do not exist yet are skipped with a note.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const external = ['vscode', 'onnxruntime-node', 'onnxruntime-common'];

const node = (entry, outfile, extra = {}) => ({
  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external, sourcemap: !production, minify: production, logLevel: 'warning', ...extra,
});

const builds = [
  node('src/extension/main.ts', 'dist/extension.js'),
  node('src/cli/main.ts', 'dist/cli.js', { banner: { js: '#!/usr/bin/env node' } }),
  node('src/inference/worker.ts', 'dist/worker.js'),
  node('src/inference/computeWorker.ts', 'dist/compute-worker.js'),
  {
    entryPoints: ['webview/main.ts'], outfile: 'media/webview.js', bundle: true, platform: 'browser',
    format: 'esm', target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning',
  },
];

async function main() {
  const present = builds.filter((b) => fs.existsSync(path.join(__dirname, b.entryPoints[0])));
  for (const b of builds) if (!present.includes(b)) console.log(`esbuild: skipping ${b.entryPoints[0]} (not present)`);
  if (watch) {
    for (const b of present) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(present.map((b) => esbuild.build(b)));
    if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
  }
}
main().catch((e) => { console.error(e.message); process.exit(1); });
