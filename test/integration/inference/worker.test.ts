import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { InputError } from '../../../src/core/errors';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { ActivationCache, encodeWithCache } from '../../../src/inference/cache';
import { createInferenceClient } from '../../../src/inference/client';
import { InferenceEngine } from '../../../src/inference/engine';
import { createLocalInference } from '../../../src/inference/local';
import type { WorkerRequest, WorkerResponse } from '../../../src/inference/protocol';
import type { InferenceService } from '../../../src/inference/types';
import { serve } from '../../../src/inference/worker';
import { REPO, bundle, bundleDir, bundleWorker } from './bundle';

const MODELS = join(REPO, 'models');
const haveModels = existsSync(join(MODELS, 'manifest.json'));
if (!haveModels) console.log(`worker.test: skipping the encoder round trips: ${MODELS}/manifest.json is missing (run npm run build:models)`);

function random(rows: number, cols: number, seed: number): Matrix<Float32Array> {
  let s = seed;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 1073741824 - 1;
  }
  return { rows, cols, data };
}

const SENTENCES = [
  'The movie was absolutely wonderful and moving.',
  'This film was a terrible waste of time.',
  'Win a free iPhone now, click the link!',
  '',
  'the end',
];

describe('inference worker thread', () => {
  let dir: string;
  let workerPath: string;
  let client: InferenceService;
  let local: InferenceService;
  beforeAll(async () => {
    dir = await bundleDir();
    workerPath = await bundleWorker(dir);
    client = createInferenceClient({ workerPath, device: 'cpu', threads: 1, modelsDir: MODELS, alignBlocks: { queryRows: 16, keyRows: 64 } });
    local = createLocalInference({ device: 'cpu', threads: 1, modelsDir: MODELS });
  });
  afterAll(async () => {
    await client.dispose();
    await local.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts nothing before the first request', () => {
    expect(client.device()).toBe('not started');
  });

  it('aligns in the worker exactly as in process, without detaching the caller\'s buffers', async () => {
    const q = random(100, 32, 1);
    const k = random(150, 32, 2);
    const remote = await client.alignmentKernel().maxAlignmentWithIndex(q, k, 'abs-cosine');
    const inProcess = await local.alignmentKernel().maxAlignmentWithIndex(q, k, 'abs-cosine');
    expect([...remote.max]).toEqual([...inProcess.max]);
    expect([...remote.argmax]).toEqual([...inProcess.argmax]);
    expect(q.data.length).toBe(3200); // still usable
    expect(client.device()).toBe('cpu');
    expect(client.providerReport()).toMatchObject({ device: 'cpu', threads: 1, productThreads: 1, provider: 'cpu' });
  });

  it('runs dense products in the worker as in process, without detaching the caller\'s buffers', async () => {
    const f64 = (m: Matrix<Float32Array>) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) });
    const a = f64(random(30, 20, 4));
    const b = f64(random(30, 12, 5));
    const c = f64(random(20, 12, 6));
    const remote = await client.alignmentKernel().linalg!.gemm(a, b, { transA: true, c, alpha: 2, beta: -1 });
    const inProcess = await local.alignmentKernel().linalg!.gemm(a, b, { transA: true, c, alpha: 2, beta: -1 });
    expect([remote.rows, remote.cols]).toEqual([20, 12]);
    expect([...remote.data]).toEqual([...inProcess.data]);
    expect(a.data.length).toBe(600); // still usable
    expect(c.data.length).toBe(240);
    await expect(client.alignmentKernel().linalg!.gemm(a, b)).rejects.toThrow(/op\(A\) is 30 x 20 but op\(B\) is 30 x 12/);
  });

  it('runs float32 products on a Float32 matrix it holds, as in process, and the caller\'s rows stay usable', async () => {
    const x = random(300, 40, 7);
    const v = { rows: 5, cols: 40, data: Float64Array.from(random(5, 40, 8).data) };
    const remoteK = client.alignmentKernel().linalg!;
    const localK = local.alignmentKernel().linalg!;
    const [rx, lx] = [await remoteK.upload!(x, undefined, undefined, true), await localK.upload!(x, undefined, undefined, true)];
    const remote = await remoteK.gemm(rx, v, { transB: true, float32: true });
    const inProcess = await localK.gemm(lx, v, { transB: true, float32: true });
    expect([remote.rows, remote.cols]).toEqual([300, 5]);
    expect([...remote.data]).toEqual([...inProcess.data]);
    // every value a float32 (the result of float32 arithmetic, widened)
    expect(remote.data.every((y) => Math.fround(y) === y)).toBe(true);
    expect(x.data.length).toBe(12000);
    await remoteK.release!(rx);
    await localK.release!(lx);
  });

  it('holds a Float32 upload as such (it says so) and makes Float64 products of it block by block, as in process', async () => {
    // more values than one widening block (gemmByRowBlocks), so the worker's kernel takes that route
    const x = random(1100, 1000, 9);
    const r = { rows: 1100, cols: 3, data: Float64Array.from(random(1100, 3, 10).data) };
    const remoteK = client.alignmentKernel().linalg!;
    const localK = local.alignmentKernel().linalg!;
    const [rx, lx] = [await remoteK.upload!(x, undefined, undefined, true), await localK.upload!(x, undefined, undefined, true)];
    expect([rx.float32, lx.float32]).toEqual([true, true]);
    const remote = await remoteK.gemm(rx, r, { transA: true });
    const inProcess = await localK.gemm(lx, r, { transA: true });
    expect([...remote.data]).toEqual([...inProcess.data]);
    // Float64 sums, not float32 ones: not every value a float32
    expect(remote.data.some((y) => Math.fround(y) !== y)).toBe(true);
    await remoteK.release!(rx);
    await localK.release!(lx);
  });

  it('a cancelled align rejects at once and the worker keeps serving', async () => {
    const ac = new AbortController();
    const big = random(2000, 64, 3);
    const run = client.alignmentKernel().maxAlignment(big, big, 'dot', ac.signal);
    queueMicrotask(() => ac.abort());
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    const small = await client.alignmentKernel().maxAlignment(random(2, 4, 1), random(3, 4, 2), 'dot');
    expect(small).toHaveLength(2);
  });

  it.skipIf(!haveModels)('encodes bundled models in the worker as in process, with warnings', async () => {
    for (const spec of [{ kind: 'bundled', id: 'use-lite' }, { kind: 'bundled', id: 'glove-mean', vocab: 2000 }] as const) {
      const remote = await client.textEncoder(spec);
      const inProcess = await local.textEncoder(spec);
      expect(remote.info).toEqual(inProcess.info);
      const a = await remote.encodeDetailed(SENTENCES);
      const b = await inProcess.encodeDetailed(SENTENCES);
      expect([...a.embeddings.data]).toEqual([...b.embeddings.data]);
      expect(a.emptyRows).toEqual([3]);
      expect(a.warnings).toEqual(b.warnings);
    }
  });

  it.skipIf(!haveModels)('cancelling mid-encode resolves promptly, stops the worker and leaves no cache file', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'overlap-worker-cache-'));
    try {
      const encoder = await client.textEncoder({ kind: 'bundled', id: 'use-lite' });
      const texts = Array.from({ length: 64 * 40 }, (_, i) => `${SENTENCES[i % 3]} (variant ${i})`);
      const ac = new AbortController();
      const fractions: number[] = [];
      const run = encodeWithCache(encoder, texts, { cache: new ActivationCache(cacheDir), dataHash: 'h' }, {
        signal: ac.signal,
        progress: (_stage, f) => {
          fractions.push(f);
          if (f > 0) ac.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      // Cancelled after the first batch (of about 40; length buckets split a few): no progress arrives afterwards.
      const reported = fractions.filter((f) => f > 0);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeLessThanOrEqual(1 / 40);
      expect(await readdir(cacheDir)).toEqual([]);
      // The worker still serves requests after a cancel.
      const after = await encoder.encode(SENTENCES.slice(0, 1));
      expect(after.data[0]).toBeCloseTo(-0.0319, 3);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('reports a bad user model as an InputError naming the file', async () => {
    const missing = join(dir, 'missing.onnx');
    await expect(client.textEncoder({ kind: 'onnx', path: missing })).rejects.toThrow(InputError);
    await expect(client.textEncoder({ kind: 'onnx', path: missing })).rejects.toThrow(`${missing}: ONNX model file not found`);
  });

  it('says how to fix a missing worker bundle, and fails requests (not the host) when the worker dies', async () => {
    const nowhere = createInferenceClient({ workerPath: join(dir, 'no-such-worker.js') });
    await expect(nowhere.alignmentKernel().maxAlignment(random(1, 2, 1), random(1, 2, 2), 'dot')).rejects.toThrow(
      /inference worker not found at .*no-such-worker\.js: run `npm run build`/,
    );
    const crashing = join(dir, 'crash.js');
    await writeFile(crashing, "throw new Error('worker failed to load');\n");
    const broken = createInferenceClient({ workerPath: crashing });
    await expect(broken.textEncoder({ kind: 'bundled', id: 'use-lite' })).rejects.toThrow('worker failed to load');
    await broken.dispose();
    await nowhere.dispose();
  });

  it('finds worker.js beside the running bundle, as dist/extension.js does', async () => {
    const hostDir = await bundleDir();
    try {
      await bundleWorker(hostDir);
      const host = await bundle(join(__dirname, 'fixtures', 'host.ts'), join(hostDir, 'extension.js'));
      const out = await new Promise<string>((resolvePromise, reject) =>
        execFile(process.execPath, [host], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolvePromise(stdout))),
      );
      // The process also exited by itself: an idle worker does not keep it alive after dispose.
      expect(JSON.parse(out)).toEqual({ max: [1], device: 'cpu' });
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});

describe('worker protocol (serve over a MessageChannel)', () => {
  it('stops an align within one block after a cancel message', async () => {
    const engine = new InferenceEngine({ device: 'cpu', threads: 1, alignBlocks: { queryRows: 1, keyRows: 200 } });
    const { port1, port2 } = new MessageChannel();
    serve(port2 as unknown as MessagePort, engine);
    const q = random(200, 16, 5);
    const k = random(200, 16, 6);
    const messages: WorkerResponse[] = [];
    const finished = new Promise<void>((resolveDone) => {
      port1.on('message', (m: WorkerResponse) => {
        messages.push(m);
        if (m.type === 'progress' && messages.length === 1) port1.postMessage({ type: 'cancel', target: 7 } satisfies WorkerRequest);
        if (m.type !== 'progress') resolveDone();
      });
    });
    const req: WorkerRequest = {
      type: 'align',
      id: 7,
      mode: 'dot',
      query: { rows: q.rows, cols: q.cols, dtype: 'float32', buffer: q.data.buffer as ArrayBuffer },
      keys: { rows: k.rows, cols: k.cols, dtype: 'float32', buffer: k.data.buffer as ArrayBuffer },
    };
    port1.postMessage(req, [q.data.buffer as ArrayBuffer, k.data.buffer as ArrayBuffer]);
    await finished;
    const last = messages[messages.length - 1]!;
    expect(last).toMatchObject({ type: 'error', id: 7, error: { name: 'CancelledError' } });
    // 200 blocks were planned; the cancel arrives after the first and is seen before the third ends.
    expect(messages.filter((m) => m.type === 'progress').length).toBeLessThanOrEqual(3);
    port1.close();
    await engine.dispose();
  });

  it.skipIf(!haveModels)('stops an encode within one batch after a cancel message', async () => {
    const engine = new InferenceEngine({ device: 'cpu', threads: 1, modelsDir: MODELS, batchSize: 8 });
    const { port1, port2 } = new MessageChannel();
    serve(port2 as unknown as MessagePort, engine);
    const messages: WorkerResponse[] = [];
    const finished = new Promise<void>((resolveDone) => {
      port1.on('message', (m: WorkerResponse) => {
        messages.push(m);
        if (m.type === 'progress' && m.fraction > 0) port1.postMessage({ type: 'cancel', target: 3 } satisfies WorkerRequest);
        if (m.type !== 'progress') resolveDone();
      });
    });
    const texts = Array.from({ length: 8 * 50 }, (_, i) => `${SENTENCES[i % 3]} ${i}`);
    port1.postMessage({ type: 'encode', id: 3, spec: { kind: 'bundled', id: 'glove-mean' }, texts } satisfies WorkerRequest);
    await finished;
    expect(messages[messages.length - 1]).toMatchObject({ type: 'error', id: 3, error: { name: 'CancelledError' } });
    // 50 batches planned; the batch running when the cancel arrived may finish, no other starts.
    const batchesDone = messages.filter((m) => m.type === 'progress' && m.fraction > 0).length;
    expect(batchesDone).toBeLessThanOrEqual(2);
    port1.close();
    await engine.dispose();
  });
});
