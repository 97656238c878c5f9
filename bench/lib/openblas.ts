/**
 * numpy's reference at its best BLAS kernel: Debian's OpenBLAS 0.3.21 does not recognise newer CPUs and falls back to its
 * generic "Prescott" kernel unless OPENBLAS_CORETYPE names one, so the benches that compare against numpy (core, eigen)
 * time a 2,048 x 2,048 matmul under each kernel the CPU supports (by /proc/cpuinfo flags) and run the reference under
 * the fastest; threadpoolctl (installed with apt when possible) lets the reference print the kernel that ran.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

/** threadpoolctl for the reference's kernel line, from Debian when missing (without it the line says unknown). */
export function ensureThreadpoolctl(py: string): void {
  try {
    execFileSync(py, ['-c', 'import threadpoolctl'], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-threadpoolctl'], { stdio: 'ignore' });
    } catch {
      // the reference then says it cannot name the kernel
    }
  }
}

/** The environment that runs numpy under `coretype` ('' = OpenBLAS's own choice). */
export function openblasEnv(coretype: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  else delete env.OPENBLAS_CORETYPE;
  return env;
}

/** OpenBLAS kernels this CPU can run, best first by instruction set (DYNAMIC_ARCH names). */
export function candidateKernels(): string[] {
  let info = '';
  try {
    info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return [];
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(info)?.[1] ?? '').trim().split(/\s+/));
  const amd = /AuthenticAMD/.test(info);
  const out: string[] = [];
  if (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')) out.push('SkylakeX');
  if (flags.has('avx2') && flags.has('fma')) out.push(...(amd ? ['Zen', 'Haswell'] : ['Haswell', 'Zen']));
  if (flags.has('avx')) out.push('Sandybridge');
  out.push('Prescott');
  return out;
}

/** The OPENBLAS_CORETYPE under which numpy's matmul is fastest here ('' = OpenBLAS's own choice), with the timings. */
export function bestKernel(py: string, fixed?: string): { coretype: string; timings: string } {
  if (fixed !== undefined) return { coretype: fixed, timings: 'fixed by the environment' };
  const probe = 'import numpy as np, time\na = np.random.default_rng(0).standard_normal((2048, 2048))\na @ a\n' +
    't = time.perf_counter()\nfor _ in range(3): a @ a\nprint((time.perf_counter() - t) / 3)';
  const times: [string, number][] = [];
  for (const k of ['', ...candidateKernels()]) {
    const env = { ...process.env };
    if (k) env.OPENBLAS_CORETYPE = k;
    else delete env.OPENBLAS_CORETYPE;
    try {
      times.push([k, Number(execFileSync(py, ['-c', probe], { encoding: 'utf8', env }).trim())]);
    } catch {
      // a kernel this OpenBLAS build lacks
    }
  }
  times.sort((a, b) => a[1] - b[1]);
  return {
    coretype: times[0]?.[0] ?? '',
    timings: times.map(([k, t]) => `${k || 'default'} ${t.toFixed(2)} s`).join(', '),
  };
}
