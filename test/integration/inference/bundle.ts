/**
 * Bundles inference entry points with esbuild the way esbuild.js does (CommonJS, onnxruntime external), into
 * node_modules/.cache so the bundles resolve onnxruntime-node from the repository's node_modules, as dist/ does.
 */
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');

/** A fresh folder per call, so concurrent test files never share a bundle. */
export async function bundleDir(): Promise<string> {
  const base = join(REPO, 'node_modules', '.cache', 'overlap-inference-test');
  await mkdir(base, { recursive: true });
  return mkdtempSync(join(base, 'run-'));
}

export async function bundle(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'onnxruntime-node', 'onnxruntime-common'],
    logLevel: 'silent',
  });
  return outfile;
}

/** dist/worker.js's twin: src/inference/worker.ts bundled into `dir`. */
export function bundleWorker(dir: string): Promise<string> {
  return bundle(join(REPO, 'src', 'inference', 'worker.ts'), join(dir, 'worker.js'));
}

/** dist/compute-worker.js's twin, bundled into `dir` (the kernels of bundles in `dir` find it there). */
export function bundleComputeWorker(dir: string): Promise<string> {
  return bundle(join(REPO, 'src', 'inference', 'computeWorker.ts'), join(dir, 'compute-worker.js'));
}
