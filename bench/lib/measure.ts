/**
 * Measurement helpers shared by the benches: the machine's load (the bench machine is shared and noisy, so every
 * table says how busy it was), order statistics, peak memory and interleaved repetition.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** "load average 7.80 6.38 8.03 (1/5/15 min) on 2 cores", for the line above each table. */
export function loadLine(): string {
  const [a, b, c] = os.loadavg();
  return `load average ${a.toFixed(2)} ${b.toFixed(2)} ${c.toFixed(2)} (1/5/15 min) on ${os.cpus().length} cores`;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (numpy's default), q in [0, 1]. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Peak resident set size of this process in MiB (VmHWM; maxRSS where /proc is missing). */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Current resident set size in MiB. */
export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** Wall seconds of an async call. */
export async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/**
 * Runs every contender once per round, rounds times, in the same order each round (A B C A B C ...), so load
 * changes on the shared machine hit all of them alike. Returns each contender's seconds per round.
 */
export async function interleave(
  rounds: number,
  contenders: readonly { name: string; run: () => Promise<unknown> }[],
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const { seconds } = await timed(c.run);
      out.get(c.name)!.push(seconds);
    }
  }
  return out;
}

/** Least-squares slope and intercept of log(y) on log(x): y ~ exp(b) * x^slope. */
export function logLogFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx };
}

export const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
