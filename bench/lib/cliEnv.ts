/**
 * Ours as the CLI runs it: where the CLI starts itself again with huge pages (src/cli/hugePages.ts), a bench that
 * times our analysis in its own process does the same, so that its numbers are the CLI's. `BENCH_HUGE_PAGES=0` (or
 * the CLI's own `OVERLAP_DENSITY_HUGE_PAGES=0`) times ours without them, as the editor's extension host runs.
 * `withoutHugePages` gives a reference (numpy) its own default environment back.
 */
import { HUGE_PAGES_ENV, relaunchWithHugePages, turnedOff } from '../../src/cli/hugePages';

/** Call first in a bench's main: resolves when this process is the one to go on (else the child's exit ends it). */
export async function runAsTheCli(): Promise<void> {
  if (turnedOff(process.env.BENCH_HUGE_PAGES)) {
    process.env[HUGE_PAGES_ENV] = '0';
    return;
  }
  const code = await relaunchWithHugePages();
  if (code !== null) process.exit(code);
}

/** One line for the bench's output: the environment ours ran under. */
export function hugePagesLine(): string {
  const tunables = process.env.GLIBC_TUNABLES ?? '';
  return /glibc\.malloc\.hugetlb=1/.test(tunables)
    ? `ours ran as the CLI runs (GLIBC_TUNABLES=${tunables}: huge pages for large blocks; BENCH_HUGE_PAGES=0 to time without, as the editor runs)`
    : 'ours ran without huge pages (the CLI adds them only on Linux with glibc >= 2.35 and THP in madvise mode, or they were turned off)';
}

/** `env` without the huge-page tunable this process may carry (the reference runs as it would on its own). */
export function withoutHugePages(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  const rest = (out.GLIBC_TUNABLES ?? '').split(':').filter((t) => t && !t.startsWith('glibc.malloc.hugetlb='));
  if (rest.length > 0) out.GLIBC_TUNABLES = rest.join(':');
  else delete out.GLIBC_TUNABLES;
  delete out[HUGE_PAGES_ENV];
  return out;
}
