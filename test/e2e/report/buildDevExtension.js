// node buildDevExtension.js <repo> <out>: the extension with test/e2e/report/reportLinkShim.ts in place of
// src/extension/reportLink.ts (see devExtension.ts). A separate process because only esbuild's async API
// takes plugins and the e2e runner asks for the extension path synchronously.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [root, out] = process.argv.slice(2);
  const esbuild = require(require.resolve('esbuild', { paths: [root] }));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  pkg.activationEvents = [...new Set([...(pkg.activationEvents || []), 'onWebviewPanel:overlapDensity.report'])];
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const f of ['README.md', 'package.nls.json']) {
    if (fs.existsSync(path.join(root, f))) fs.copyFileSync(path.join(root, f), path.join(out, f));
  }
  fs.cpSync(path.join(root, 'media'), path.join(out, 'media'), { recursive: true });
  for (const d of ['models', 'node_modules']) {
    if (fs.existsSync(path.join(root, d))) fs.symlinkSync(path.join(root, d), path.join(out, d));
  }
  const shim = path.join(root, 'test', 'e2e', 'report', 'reportLinkShim.ts');
  const swap = {
    name: 'report-link-shim',
    setup(build) {
      build.onResolve({ filter: /^\.\/reportLink$/ }, (args) =>
        args.importer.startsWith(path.join(root, 'src', 'extension')) ? { path: shim } : undefined);
    },
  };
  const common = { bundle: true, sourcemap: true, logLevel: 'warning' };
  await Promise.all([
    esbuild.build({
      ...common, entryPoints: [path.join(root, 'src', 'extension', 'main.ts')], outfile: path.join(out, 'dist', 'extension.js'),
      platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'onnxruntime-node', 'onnxruntime-common'], plugins: [swap],
    }),
    ...(fs.existsSync(path.join(root, 'src', 'inference', 'worker.ts'))
      ? [esbuild.build({
        ...common, entryPoints: [path.join(root, 'src', 'inference', 'worker.ts')], outfile: path.join(out, 'dist', 'worker.js'),
        platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'onnxruntime-node', 'onnxruntime-common'],
      })]
      : []),
    // The page itself, fresh from webview/ (the same options as esbuild.js).
    esbuild.build({
      ...common, entryPoints: [path.join(root, 'webview', 'main.ts')], outfile: path.join(out, 'media', 'webview.js'),
      platform: 'browser', format: 'esm', target: 'es2022',
    }),
  ]);
}

main().catch((e) => {
  console.error(`buildDevExtension: ${e.message}`);
  process.exit(1);
});
