/**
 * The CLI starting itself again with huge pages (src/cli/hugePages.ts), as a user runs it: the child carries the
 * tunable, its output and exit code are the command's, and an interrupt ends both processes with nothing written.
 * Only where the relaunch applies (Linux, glibc >= 2.35, THP in madvise mode); elsewhere the unit tests cover the rule.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hugePageEnv, hugePageFacts } from '../../../src/cli/hugePages';
import { buildCli } from '../bad-input/cli';

const applies = hugePageEnv({ ...hugePageFacts(), env: {} }) !== null;
let cli = '';
let dir = '';
let dispose = () => {};

beforeAll(async () => {
  if (!applies) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-huge-'));
  ({ file: cli, dispose } = await buildCli());
  const s = spawnSync(process.execPath, [cli, 'synth', '--scenario', 'mixed', '--n-overlap', '3000', '--n-nonoverlap', '6000', '--seed', '3', '--out', 'syn'],
    { cwd: dir, encoding: 'utf8' });
  if (s.status !== 0) throw new Error(s.stderr);
});
afterAll(() => {
  dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** This process's environment without anything that would change the relaunch (a developer's opt-out, own tunables). */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.OVERLAP_DENSITY_HUGE_PAGES;
  delete env.GLIBC_TUNABLES;
  return env;
};

const analyzeArgs = (out: string, seeds = 3) => ['analyze', '--device', 'cpu', '--weak-acts', 'syn/weak.npy', '--strong-acts', 'syn/strong.npy', '--labels', 'syn/labels.npy',
  '--split', 'syn/split.npy', '--seeds', String(seeds), '--quiet', '--out', out];

/**
 * `parent`'s child once it runs the CLI: its pid and its environment. Between fork and exec the child is a copy of
 * the parent (same command line, the parent's environment), so wait until its environment names the parent.
 */
async function childOf(parent: number): Promise<{ pid: number; environ: string[] }> {
  const marker = `OVERLAP_DENSITY_PARENT_PID=${parent}`;
  for (let tries = 0; tries < 1000; tries++) {
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== parent) continue;
        const environ = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
        if (environ.includes(marker)) return { pid: Number(name), environ };
      } catch {
        // gone meanwhile, or not ours to read yet
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no child of ${parent} running the CLI`);
}

const exited = (p: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
  p.on('exit', (code, signal) => resolve({ code, signal }));
});

describe.skipIf(!applies)('the CLI with huge pages', () => {
  it('runs the command in a child under GLIBC_TUNABLES=glibc.malloc.hugetlb=1 and leaves with its output and exit code', async () => {
    const p = spawn(process.execPath, [cli, ...analyzeArgs('r.json')], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (b) => (stdout += b));
    p.stderr!.on('data', (b) => (stderr += b));
    const done = exited(p);
    const { pid: child, environ } = await childOf(p.pid!);
    expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    expect(environ).toContain('OVERLAP_DENSITY_HUGE_PAGES=0');
    expect(fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')).toContain('r.json');
    expect(await done).toEqual({ code: 0, signal: null });
    expect(stderr.split('\n').filter((l) => l && !l.includes('warning: detector sanity'))).toEqual([]);
    expect(stdout).toMatch(/^weak 0\.\d{3} · strong 0\.\d{3} · W2S 0\.\d{3} · PGR /);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')).schemaVersion).toBe(1);
    // a bad-input exit code comes through too, the message said once
    const bad = spawnSync(process.execPath, [cli, 'analyze', '--weak-acts', 'missing.npy', '--strong-acts', 'syn/strong.npy', '--labels', 'syn/labels.npy', '--out', 'x.json'],
      { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.match(/missing\.npy/g)?.length).toBeGreaterThanOrEqual(1);
    expect(bad.stderr.split('\n').filter((l) => l.startsWith('overlap-density: error')).length).toBe(1);
  });

  it('an interrupt ends the child and then the CLI by the same signal, and no result is written', async () => {
    const p = spawn(process.execPath, [cli, ...analyzeArgs('stopped.json', 20)], { cwd: dir, env: cleanEnv(), stdio: 'ignore' });
    const done = exited(p);
    const { pid: child } = await childOf(p.pid!);
    await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGINT');
    expect(await done).toEqual({ code: null, signal: 'SIGINT' });
    expect(fs.existsSync(`/proc/${child}`)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('stopped'))).toEqual([]);
  });

  it('a CLI killed outright (SIGKILL, which it cannot hand on) takes its child with it within seconds, nothing written', async () => {
    const p = spawn(process.execPath, [cli, ...analyzeArgs('killed.json', 20)], { cwd: dir, env: cleanEnv(), stdio: 'ignore' });
    const done = exited(p);
    const { pid: child } = await childOf(p.pid!); // its environment names this parent
    await new Promise((r) => setTimeout(r, 100));
    p.kill('SIGKILL');
    expect(await done).toEqual({ code: null, signal: 'SIGKILL' });
    let alive = true;
    for (let tries = 0; tries < 200 && alive; tries++) {
      await new Promise((r) => setTimeout(r, 25));
      // gone, or a zombie waiting for init to reap it
      try {
        alive = !/\) Z /.test(fs.readFileSync(`/proc/${child}/stat`, 'utf8'));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('killed'))).toEqual([]);
  });
});
