import { afterEach, describe, expect, it } from 'vitest';
import {
  createWithFallback,
  defaultThreads,
  describeProvider,
  firstLine,
  planProviders,
  resolveProductThreads,
  resolveThreads,
  type ExecutionProviderName,
} from '../../../src/inference/providers';
import { SessionPool, type SessionFactory } from '../../../src/inference/sessions';
import type { OrtSession } from '../../../src/inference/ort';

const linuxNpm = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const windowsNpm = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'dml', bundled: true },
];

describe('planProviders', () => {
  it('auto tries the listed accelerators in the documented order and ends with cpu', () => {
    expect(planProviders('auto', linuxNpm, 'darwin').candidates).toEqual(['cuda', 'webgpu', 'cpu']);
    // On Linux, auto leaves WebGPU out (no adapter without Vulkan; probing only prints native warnings).
    expect(planProviders('auto', linuxNpm, 'linux').candidates).toEqual(['cuda', 'cpu']);
    expect(planProviders('auto', windowsNpm, 'win32').candidates).toEqual(['dml', 'webgpu', 'cpu']);
    expect(planProviders('auto', [{ name: 'coreml' }, { name: 'cpu' }]).candidates).toEqual(['coreml', 'cpu']);
    // Providers the product does not use (tensorrt) are never tried.
    expect(planProviders('auto', linuxNpm, 'darwin').candidates).not.toContain('tensorrt');
  });

  it('cpu is always a candidate, even when the list forgets it', () => {
    expect(planProviders('auto', []).candidates).toEqual(['cpu']);
  });

  it('an explicit choice is tried first, with cpu as the fallback', () => {
    expect(planProviders('webgpu', linuxNpm)).toEqual({ candidates: ['webgpu', 'cpu'], skipped: [] });
    expect(planProviders('cpu', linuxNpm)).toEqual({ candidates: ['cpu'], skipped: [] });
  });

  it('an explicit choice this build lacks is skipped with a reason naming what is available', () => {
    const plan = planProviders('dml', linuxNpm);
    expect(plan.candidates).toEqual(['cpu']);
    expect(plan.skipped).toHaveLength(1);
    expect(plan.skipped[0]!.provider).toBe('dml');
    expect(plan.skipped[0]!.reason).toMatch(/not available.*cpu, webgpu, cuda, tensorrt/);
  });
});

describe('createWithFallback', () => {
  const failing = (bad: Record<string, string>) => async (p: ExecutionProviderName) => {
    if (bad[p]) throw new Error(bad[p]);
    return `session on ${p}`;
  };

  it('falls back to cpu when the accelerators fail, recording why each failed', async () => {
    const out = await createWithFallback(
      planProviders('auto', linuxNpm, 'darwin'),
      failing({
        cuda: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
        webgpu: '/onnxruntime_src/webgpu_context.cc:136 Initialize adapter_result.status == Success was false. Failed to get a WebGPU adapter: No supported adapters',
      }),
    );
    expect(out.provider).toBe('cpu');
    expect(out.value).toBe('session on cpu');
    expect(out.fallbacks).toEqual([
      { provider: 'cuda', reason: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library' },
      { provider: 'webgpu', reason: 'Failed to get a WebGPU adapter: No supported adapters' },
    ]);
    expect(describeProvider(out.provider, out.fallbacks)).toMatch(/^cpu \(cuda: .*; webgpu: Failed to get a WebGPU adapter/);
  });

  it('uses the first provider that works', async () => {
    const out = await createWithFallback(planProviders('auto', linuxNpm, 'darwin'), failing({ cuda: 'no libcudart' }));
    expect(out.provider).toBe('webgpu');
    expect(out.fallbacks.map((f) => f.provider)).toEqual(['cuda']);
  });

  it('skips providers already known to be broken without trying them', async () => {
    const tried: string[] = [];
    const out = await createWithFallback(
      planProviders('auto', linuxNpm, 'darwin'),
      async (p) => (tried.push(p), p),
      new Map([['cuda', 'no libcudart']]),
    );
    expect(tried).toEqual(['webgpu']);
    expect(out.fallbacks).toEqual([{ provider: 'cuda', reason: 'no libcudart' }]);
  });

  it('rethrows the last error when every provider fails (the model is at fault)', async () => {
    await expect(createWithFallback(planProviders('webgpu', linuxNpm), failing({ webgpu: 'x', cpu: 'Protobuf parsing failed' }))).rejects.toThrow(
      'Protobuf parsing failed',
    );
  });
});

describe('threads', () => {
  it('defaults to 1 on two cores or fewer, else half the cores', () => {
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(2)).toBe(1);
    expect(defaultThreads(3)).toBe(1);
    expect(defaultThreads(8)).toBe(4);
    expect(defaultThreads(16)).toBe(8);
  });

  it('takes a user value, 0 meaning the default, and rejects nonsense', () => {
    expect(resolveThreads(3, 2)).toBe(3);
    expect(resolveThreads(0, 8)).toBe(4);
    expect(resolveThreads(undefined, 8)).toBe(4);
    expect(() => resolveThreads(-1)).toThrow(/non-negative integer/);
    expect(() => resolveThreads(1.5)).toThrow(/non-negative integer/);
  });

  it('gives the dense products every core by default, and a user value when there is one', () => {
    expect(resolveProductThreads(undefined, 2)).toBe(2);
    expect(resolveProductThreads(0, 16)).toBe(16);
    expect(resolveProductThreads(undefined, 0)).toBe(1);
    expect(resolveProductThreads(1, 16)).toBe(1);
    expect(resolveProductThreads(3, 2)).toBe(3);
    expect(() => resolveProductThreads(-2, 2)).toThrow(/non-negative integer/);
  });
});

describe('firstLine', () => {
  it('keeps one line of a multi-line native error', () => {
    expect(firstLine(new Error('\nfirst\nsecond'))).toBe('first');
  });
});

describe('SessionPool fallback (fake sessions)', () => {
  const pools: SessionPool[] = [];
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.dispose();
  });

  /** A factory whose webgpu provider cannot find an adapter, as on this CI machine. */
  function fakeFactory(log: string[], badModel = ''): SessionFactory {
    return async (_ort, model, provider, threads) => {
      log.push(`${provider}:${String(model)}:${threads}`);
      if (provider === 'webgpu') throw new Error('Failed to get a WebGPU adapter');
      if (model === badModel) throw new Error('Load model failed: Protobuf parsing failed');
      return { release: async () => undefined } as unknown as OrtSession;
    };
  }

  it('falls back to cpu, reports it, and does not retry a provider that failed for a good model', async () => {
    const log: string[] = [];
    const pool = new SessionPool({ device: 'webgpu', threads: 3, factory: fakeFactory(log), backends: linuxNpm });
    pools.push(pool);
    const a = await pool.open({ name: 'a', bytes: () => new Uint8Array(1) });
    expect(a.provider).toBe('cpu');
    expect(a.fallbacks).toEqual([{ provider: 'webgpu', reason: 'Failed to get a WebGPU adapter' }]);
    const b = await pool.open({ name: 'b', bytes: () => new Uint8Array(1) });
    expect(b.provider).toBe('cpu');
    expect(b.fallbacks).toEqual([{ provider: 'webgpu', reason: 'Failed to get a WebGPU adapter' }]);
    // webgpu tried once (for a), cpu twice; the thread count reaches the factory.
    expect(log.filter((l) => l.startsWith('webgpu'))).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('cpu'))).toEqual(['cpu:0:3', 'cpu:0:3']);
    expect(pool.lastOpened?.provider).toBe('cpu');
  });

  it('opens product graphs with the product threads and encoders with the encoder threads, cached apart', async () => {
    const log: string[] = [];
    const products: boolean[] = [];
    const inner = fakeFactory(log);
    const factory: SessionFactory = (ort, model, provider, threads, forProducts) => {
      products.push(forProducts === true);
      return inner(ort, model, provider, threads);
    };
    const pool = new SessionPool({ device: 'cpu', threads: 1, productThreads: 2, factory });
    pools.push(pool);
    const gemm = await pool.open({ name: 'gemm', bytes: () => new Uint8Array(1), products: true });
    const encoder = await pool.open({ name: 'encoder', bytes: () => new Uint8Array(2) });
    expect(await pool.open({ name: 'gemm', bytes: () => new Uint8Array(1), products: true })).toBe(gemm);
    expect(encoder).not.toBe(gemm);
    expect(log).toEqual(['cpu:0:2', 'cpu:0,0:1']);
    expect(products).toEqual([true, false]); // the factory turns spinning off for product sessions
    expect(pool.productThreads).toBe(2);
    // without productThreads, products use the encoders' count
    const plain = new SessionPool({ device: 'cpu', threads: 3, factory: fakeFactory(log) });
    pools.push(plain);
    await plain.open({ name: 'gemm', bytes: () => new Uint8Array(1), products: true });
    expect(log[2]).toBe('cpu:0:3');
  });

  it('caches sessions per model, and does not cache a failed open', async () => {
    const log: string[] = [];
    const pool = new SessionPool({ device: 'cpu', threads: 1, factory: fakeFactory(log, 'bad') });
    pools.push(pool);
    const s1 = await pool.open({ name: 'a', bytes: () => new Uint8Array(1) });
    const s2 = await pool.open({ name: 'a', bytes: () => new Uint8Array(1) });
    expect(s2).toBe(s1);
    expect(log).toHaveLength(1);
    const bad = { name: 'broken', bytes: () => 'bad' as unknown as Uint8Array };
    await expect(pool.open(bad)).rejects.toThrow(/Protobuf parsing failed/);
    await expect(pool.open(bad)).rejects.toThrow(/Protobuf parsing failed/);
    expect(log.filter((l) => l.includes('bad'))).toHaveLength(2);
  });

  it('a model that fails everywhere does not mark the accelerator as broken', async () => {
    const log: string[] = [];
    const factory: SessionFactory = async (_ort, model, provider) => {
      log.push(provider);
      if (model === 'bad') throw new Error('Protobuf parsing failed');
      return { release: async () => undefined } as unknown as OrtSession;
    };
    const pool = new SessionPool({ device: 'webgpu', threads: 1, factory, backends: linuxNpm });
    pools.push(pool);
    await expect(pool.open({ name: 'x', bytes: () => 'bad' as unknown as Uint8Array })).rejects.toThrow();
    const good = await pool.open({ name: 'y', bytes: () => new Uint8Array(1) });
    expect(good.provider).toBe('webgpu');
    expect(log).toEqual(['webgpu', 'cpu', 'webgpu']);
  });
});
