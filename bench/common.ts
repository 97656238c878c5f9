import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/** A plain-text table with right-aligned numeric columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Debian's python3 with numpy and scipy, installed through apt when missing (the benches run as root in CI). */
export function ensurePythonNumpy(): string {
  const py = '/usr/bin/python3';
  const ok = () => {
    try {
      execFileSync(py, ['-c', 'import numpy, scipy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!ok()) {
    console.log('installing python3-numpy python3-scipy with apt-get ...');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-scipy'], { stdio: 'inherit' });
  }
  if (!ok()) throw new Error('numpy/scipy are not available for /usr/bin/python3');
  return py;
}
