/**
 * Transparent huge pages for the CLI's large arrays (docs/architecture.md, "Huge pages").
 *
 * An analysis takes a few hundred MB of fresh memory (the rows it copies, the products' operands, the transposed copy
 * of the strong rows), and every 4 KiB page of it costs a page fault on first touch: ~100,000 faults per analysis at
 * bench/core's shapes, ~11 us each on the virtual machines we measured on. Where the kernel gives huge pages only to
 * memory that asks for them (`/sys/kernel/mm/transparent_hugepage/enabled` reads `[madvise]`, the default of many
 * distributions), glibc 2.35 and later ask for them for the large blocks malloc maps (Node's array buffers among
 * them) when `GLIBC_TUNABLES` holds `glibc.malloc.hugetlb=1`, which glibc reads once, when the process starts. So the
 * CLI starts itself again under that environment (one extra Node start, ~50 ms) for the commands that analyse, and
 * only where it can change something: Linux with glibc >= 2.35 and THP in `madvise` mode (with `always` every large
 * block gets huge pages already, with `never` none can). `OVERLAP_DENSITY_HUGE_PAGES=0` turns it off; a
 * `GLIBC_TUNABLES` that already names `glibc.malloc.hugetlb` is the user's choice and is left alone.
 *
 * The editor's analyses run in VS Code's extension host, a process VS Code starts: they go without (measured in
 * docs/benchmarks.md, "Huge pages for the CLI").
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { constants } from 'node:os';

export const HUGE_PAGES_ENV = 'OVERLAP_DENSITY_HUGE_PAGES';
/** Set in the child: the pid of the CLI process that started it (followParent). */
const PARENT_ENV = 'OVERLAP_DENSITY_PARENT_PID';
const TUNABLE = 'glibc.malloc.hugetlb=1';

/** What decides whether the relaunch can help, read from the running system (or given by tests). */
export interface HugePageFacts {
  platform: NodeJS.Platform;
  /** glibc's version at run time ("2.36"), undefined without glibc (musl, other systems). */
  glibc: string | undefined;
  /** The line of /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never"), undefined if unreadable. */
  thp: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** An environment switch set to 0, false, no or off (any case, spaces around). */
export function turnedOff(value: string | undefined): boolean {
  return value !== undefined && /^(0|false|no|off)$/i.test(value.trim());
}

/** The environment to start again under, or null when that cannot help or is not wanted. */
export function hugePageEnv(facts: HugePageFacts): NodeJS.ProcessEnv | null {
  const { platform, glibc, thp, env } = facts;
  if (platform !== 'linux') return null;
  if (turnedOff(env[HUGE_PAGES_ENV])) return null;
  // glibc.malloc.hugetlb came with glibc 2.35
  const version = /^(\d+)\.(\d+)/.exec(glibc ?? '');
  if (!version || Number(version[1]) < 2 || (Number(version[1]) === 2 && Number(version[2]) < 35)) return null;
  if (!thp || !/\[madvise\]/.test(thp)) return null;
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return null;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}` : TUNABLE, [HUGE_PAGES_ENV]: '0' };
}

/** The facts of this process and machine. */
export function hugePageFacts(): HugePageFacts {
  let thp: string | undefined;
  let glibc: string | undefined;
  if (process.platform === 'linux') {
    try {
      thp = fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim();
    } catch {
      thp = undefined;
    }
    if (thp && /\[madvise\]/.test(thp)) {
      try {
        const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
        glibc = header?.glibcVersionRuntime;
      } catch {
        glibc = undefined; // no report: no relaunch
      }
    }
  }
  return { platform: process.platform, glibc, thp, env: process.env };
}

/**
 * Runs this CLI again (same Node, same flags, same arguments) under `env`, stdio shared; resolves to the exit code to
 * leave with, or null when the child could not be started (the caller then runs here). Interrupts sent to this process
 * go on to the child; a child that an interrupt ended ends this process by the same signal, so the caller's shell
 * sees what it would have seen (another signal: exit code 128 + its number).
 */
export function relaunch(env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit', env: { ...env, [PARENT_ENV]: String(process.pid) },
    });
    const forward = (signal: NodeJS.Signals) => () => {
      child.kill(signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const handlers = signals.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    child.on('error', () => {
      // only a child that never started means "run here"; a failed kill of a running child waits for its exit
      if (child.pid !== undefined) return;
      for (const [s, h] of handlers) process.off(s, h);
      resolve(null);
    });
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      const byCode = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
      if (signal && signals.includes(signal)) {
        process.kill(process.pid, signal);
        // as pid 1 (a container's first process) the kernel ignores a signal without a handler: leave by the code
        setTimeout(() => resolve(byCode), 1000);
        return;
      }
      resolve(byCode);
    });
  });
}

/**
 * This process's command again in a child with huge pages, where they apply (hugePageEnv): resolves to the exit code
 * to leave with, or null when this process is the one to run it (no relaunch, or the child could not start).
 */
export async function relaunchWithHugePages(): Promise<number | null> {
  const env = hugePageEnv(hugePageFacts());
  return env ? relaunch(env) : null;
}

/**
 * In a child that `relaunch` started: ends it as a SIGTERM would once the process that started it is gone (killed
 * with SIGKILL, which it could not hand on), so that no analysis runs on unseen and writes its result after the user
 * stopped it. Checked twice a second, without keeping the process alive.
 */
export function followParent(env: NodeJS.ProcessEnv = process.env): void {
  const parent = Number(env[PARENT_ENV]);
  if (!Number.isInteger(parent) || parent <= 0) return;
  delete env[PARENT_ENV];
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
}
