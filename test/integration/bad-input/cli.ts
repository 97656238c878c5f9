/**
 * The real CLI as a user runs it: src/cli/main.ts bundled by esbuild (onnxruntime-node external, as in dist/) and
 * started with node in a child process. The bundle goes under node_modules/.cache so that onnxruntime-node resolves
 * from it; each test process builds its own copy and deletes it afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const REPO = resolve(__dirname, '../../..');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export async function buildCli(): Promise<{ file: string; dispose: () => void }> {
  const dir = join(REPO, 'node_modules', '.cache', 'overlap-bad-input');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `cli-${process.pid}.js`);
  await build({
    entryPoints: [join(REPO, 'src/cli/main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node', 'onnxruntime-common', 'vscode'],
    logLevel: 'silent',
  });
  return { file, dispose: () => rmSync(file, { force: true }) };
}

export function runCli(cli: string, args: string[], cwd = REPO): CliRun {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, OVERLAP_DEBUG: '' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Lines of a V8 stack trace ("    at fn (file:line:col)"), which a user must never see. */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at\s/.test(l));
}
