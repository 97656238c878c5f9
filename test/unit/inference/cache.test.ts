import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { ActivationCache, cachedEncoder, defaultCacheDir, encodeWithCache, textsHash } from '../../../src/inference/cache';
import type { EncodeOptions, EncodeResult, InferenceTextEncoder } from '../../../src/inference/types';

/** A deterministic fake encoder: row i of text t is [len(t), i-th char code, ...]; counts its encode calls. */
function fakeEncoder(identity = 'fake-v1', dim = 3): InferenceTextEncoder & { calls: number } {
  const enc = {
    id: 'fake',
    dim,
    calls: 0,
    info: { id: 'fake', dim, cacheIdentity: identity, maxTokens: 8, provider: 'cpu', fallbacks: [] },
    async encode(texts: readonly string[], opts?: EncodeOptions) {
      return (await enc.encodeDetailed(texts, opts)).embeddings;
    },
    async encodeDetailed(texts: readonly string[], opts: EncodeOptions = {}): Promise<EncodeResult> {
      enc.calls++;
      const data = new Float32Array(texts.length * dim);
      for (let i = 0; i < texts.length; i++) {
        // One "batch" per text: yield, then honour cancellation, as the real encoder does between batches.
        await new Promise((r) => setImmediate(r));
        if (opts.signal?.aborted) throw new CancelledError();
        for (let j = 0; j < dim; j++) data[i * dim + j] = texts[i]!.length + j + (texts[i]!.charCodeAt(0) || 0) / 1000;
        opts.progress?.('encode fake', (i + 1) / texts.length);
      }
      const emptyRows = texts.flatMap((t, i) => (t === '' ? [i] : []));
      return {
        embeddings: { rows: texts.length, cols: dim, data },
        truncatedRows: [],
        emptyRows,
        warnings: emptyRows.length ? [{ message: `fake: ${emptyRows.length} empty` }] : [],
      };
    },
  };
  return enc;
}

describe('activation cache', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function tempDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'overlap-cache-'));
    dirs.push(d);
    return d;
  }

  it('a folder it cannot write (here a file is in the way) costs the cache, not the encoding: the activations come with a warning', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.overlap'), 'a file where the folder would go');
    const cache = new ActivationCache(join(dir, '.overlap', 'cache'));
    const enc = fakeEncoder();
    const direct = await fakeEncoder().encodeDetailed(['good movie', 'bad one']);
    const out = await encodeWithCache(enc, ['good movie', 'bad one'], { cache, dataHash: 'abc', source: join(dir, 'data.txt') });
    expect([...out.embeddings.data]).toEqual([...direct.embeddings.data]);
    expect(out.fromCache).toBe(false);
    expect(out.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^activation cache: not written to .*\.overlap[\\/]cache \(ENOTDIR: the folder cannot be written\); the activations were computed and used.*--cache-dir DIR/)]);
  });

  it('other failures of a cache write still fail (a cancel is not swallowed)', async () => {
    const cache = new ActivationCache(join(await tempDir(), 'cache'));
    const failing = Object.assign(cache, { write: async () => { throw new Error('disk controller on fire'); } });
    await expect(encodeWithCache(fakeEncoder(), ['a'], { cache: failing, dataHash: 'x' })).rejects.toThrow(/on fire/);
  });

  it('lives in <dataDir>/.overlap/cache by default', () => {
    expect(defaultCacheDir(join('/data', 'sst2', 'train.jsonl'))).toBe(join('/data', 'sst2', '.overlap', 'cache'));
  });

  it('a second run on unchanged data does no inference and returns the same activations and warnings', async () => {
    const cache = new ActivationCache(join(await tempDir(), '.overlap', 'cache'));
    const enc = fakeEncoder();
    const texts = ['good movie', '', 'bad one'];
    const first = await encodeWithCache(enc, texts, { cache, dataHash: 'abc' });
    expect(first.fromCache).toBe(false);
    expect(enc.calls).toBe(1);
    const second = await encodeWithCache(enc, texts, { cache, dataHash: 'abc' });
    expect(enc.calls).toBe(1);
    expect(second.fromCache).toBe(true);
    expect([...second.embeddings.data]).toEqual([...first.embeddings.data]);
    expect(second.embeddings.rows).toBe(3);
    expect(second.embeddings.cols).toBe(3);
    expect(second.emptyRows).toEqual([1]);
    expect(second.warnings).toEqual([{ message: 'fake: 1 empty' }]);
    // One matrix, its sidecar and its row hashes, nothing temporary left behind.
    const files = (await readdir(cache.dir)).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toMatch(/^fake-[0-9a-f]{16}\.json$/);
    expect(files[1]).toMatch(/^fake-[0-9a-f]{16}\.npy$/);
    expect(files[2]).toMatch(/^fake-[0-9a-f]{16}\.rows$/);
  });

  it('misses when the data, the texts, the encoder identity (K, model hash, token limit) or caller options change', async () => {
    const cache = new ActivationCache(await tempDir());
    const enc = fakeEncoder('glove-k1000');
    const texts = ['a', 'b'];
    await encodeWithCache(enc, texts, { cache, dataHash: 'h1' });
    await encodeWithCache(enc, texts, { cache, dataHash: 'h2' });
    expect(enc.calls).toBe(2);
    await encodeWithCache(enc, ['a', 'c'], { cache, dataHash: 'h1' });
    expect(enc.calls).toBe(3);
    await encodeWithCache(enc, texts, { cache, dataHash: 'h1', options: { field: 'title' } });
    expect(enc.calls).toBe(4);
    const otherK = fakeEncoder('glove-k2000');
    await encodeWithCache(otherK, texts, { cache, dataHash: 'h1' });
    expect(otherK.calls).toBe(1);
    // And each of those is now a hit.
    await encodeWithCache(otherK, texts, { cache, dataHash: 'h1' });
    await encodeWithCache(enc, texts, { cache, dataHash: 'h1', options: { field: 'title' } });
    expect(otherK.calls).toBe(1);
    expect(enc.calls).toBe(4);
  });

  it('recomputes over a corrupt or truncated cache file', async () => {
    const cache = new ActivationCache(await tempDir());
    const enc = fakeEncoder();
    const first = await encodeWithCache(enc, ['x', 'yy'], { cache, dataHash: 'h' });
    await writeFile(first.entry.path, 'not an npy file');
    const again = await encodeWithCache(enc, ['x', 'yy'], { cache, dataHash: 'h' });
    expect(again.fromCache).toBe(false);
    expect(enc.calls).toBe(2);
    expect([...again.embeddings.data]).toEqual([...first.embeddings.data]);
    expect((await encodeWithCache(enc, ['x', 'yy'], { cache, dataHash: 'h' })).fromCache).toBe(true);
  });

  it('a large entry (streamed: hashed as a stream, read in chunks) is a hit, the same activations; a changed one is not', async () => {
    // streamFrom 0: every entry takes the path of entries over CHUNKED_READ_BYTES (over 2 GiB a whole read fails)
    const cache = new ActivationCache(await tempDir(), 0);
    const enc = fakeEncoder('fake-v1', 5);
    const texts = ['good movie', '', 'bad one', 'the plot is thin'];
    const first = await encodeWithCache(enc, texts, { cache, dataHash: 'big' });
    const second = await encodeWithCache(enc, texts, { cache, dataHash: 'big' });
    expect(enc.calls).toBe(1);
    expect(second.fromCache).toBe(true);
    expect([...second.embeddings.data]).toEqual([...first.embeddings.data]);
    expect(second.emptyRows).toEqual([1]);
    // a byte changed in the data: the checksum says so, and the activations are computed again
    const bytes = await readFile(first.entry.path);
    bytes[bytes.length - 1] ^= 1;
    await writeFile(first.entry.path, bytes);
    const third = await encodeWithCache(enc, texts, { cache, dataHash: 'big' });
    expect(third.fromCache).toBe(false);
    expect(enc.calls).toBe(2);
    expect([...third.embeddings.data]).toEqual([...first.embeddings.data]);
  });

  it('a cancelled encode writes nothing, and the next run computes', async () => {
    const dir = join(await tempDir(), 'cache');
    const cache = new ActivationCache(dir);
    const enc = fakeEncoder();
    const texts = Array.from({ length: 50 }, (_, i) => `text ${i}`);
    const ac = new AbortController();
    const run = encodeWithCache(enc, texts, { cache, dataHash: 'h' }, {
      signal: ac.signal,
      progress: (_s, f) => {
        if (f >= 0.1) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    const left = await readdir(dir).catch(() => [] as string[]);
    expect(left).toEqual([]);
    const done = await encodeWithCache(enc, texts, { cache, dataHash: 'h' });
    expect(done.fromCache).toBe(false);
    expect(done.embeddings.rows).toBe(50);
  });

  it('cachedEncoder is a drop-in TextEncoder', async () => {
    const cache = new ActivationCache(await tempDir());
    const enc = fakeEncoder();
    const wrapped = cachedEncoder(enc, { cache, dataHash: 'h' });
    expect(wrapped.id).toBe('fake');
    expect(wrapped.dim).toBe(3);
    const a = await wrapped.encode(['p', 'q']);
    const b = await wrapped.encode(['p', 'q']);
    expect(enc.calls).toBe(1);
    expect([...b.data]).toEqual([...a.data]);
  });

  it('textsHash separates texts by boundaries, not only by content', () => {
    expect(textsHash(['ab'])).not.toBe(textsHash(['a', 'b']));
    expect(textsHash(['a', 'b'])).toBe(textsHash(['a', 'b']));
  });
});
