import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { ActivationCache, cachedShare, encodeWithCache, lineageKey, type CacheScope } from '../../../src/inference/cache';
import { encodeWarnings, isBlankText } from '../../../src/inference/encodeWarnings';
import { planReuse, rowHashes } from '../../../src/inference/incremental';
import type { EncodeOptions, EncodeResult, InferenceTextEncoder } from '../../../src/inference/types';

const DIM = 5;
const MAX_WORDS = 6;

/**
 * A deterministic fake with the real encoder's row rules: a vector from the text's SHA-256 (independent of the
 * batch), blank texts and texts of unknown words ("zzz...") as zero vectors, texts over MAX_WORDS words truncated,
 * the warnings in the encoder's words. It records every text it encodes and checks cancellation per text.
 */
function fakeEncoder(): InferenceTextEncoder & { encoded: string[] } {
  const notes = ['an approximate tokenizer'];
  const enc = {
    id: 'fake',
    dim: DIM,
    encoded: [] as string[],
    info: { id: 'fake', dim: DIM, cacheIdentity: 'fake-v1', maxTokens: MAX_WORDS, provider: 'cpu', fallbacks: [], notes },
    async encode(texts: readonly string[], opts?: EncodeOptions) {
      return (await enc.encodeDetailed(texts, opts)).embeddings;
    },
    async encodeDetailed(texts: readonly string[], opts: EncodeOptions = {}): Promise<EncodeResult> {
      const data = new Float32Array(texts.length * DIM);
      const truncated: number[] = [];
      const empty: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < texts.length; i++) {
        await new Promise((r) => setImmediate(r));
        if (opts.signal?.aborted) throw new CancelledError();
        const t = texts[i]!;
        enc.encoded.push(t);
        opts.progress?.('encode fake', (i + 1) / texts.length);
        if (isBlankText(t)) {
          empty.push(i);
          continue;
        }
        if (t.startsWith('zzz')) {
          unknown.push(i);
          continue;
        }
        if (t.split(' ').length > MAX_WORDS) truncated.push(i);
        const digest = createHash('sha256').update(t).digest();
        for (let j = 0; j < DIM; j++) data[i * DIM + j] = digest.readInt32LE(j * 4) / 2 ** 31;
      }
      return {
        embeddings: { rows: texts.length, cols: DIM, data },
        truncatedRows: truncated,
        emptyRows: [...empty, ...unknown].sort((a, b) => a - b),
        warnings: encodeWarnings('fake', MAX_WORDS, notes, { truncated, empty, unknown }, texts.length),
      };
    },
  };
  return enc;
}

const bytes = (r: EncodeResult) => Buffer.from(r.embeddings.data.buffer, r.embeddings.data.byteOffset, r.embeddings.data.byteLength);

function dataset(n: number): string[] {
  const words = 'good bad movie plot acting long short fine dull great'.split(' ');
  return Array.from({ length: n }, (_, i) => Array.from({ length: 1 + (i % 9) }, (_, j) => words[(i * 3 + j * 7) % words.length]).join(' ') + ` #${i}`);
}

describe('incremental activation cache', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function setup(): Promise<{ dir: string; scope: (hash: string, file?: string) => CacheScope }> {
    const dir = await mkdtemp(join(tmpdir(), 'overlap-incr-'));
    dirs.push(dir);
    const cache = new ActivationCache(join(dir, 'cache'));
    return { dir, scope: (dataHash, file = join(dir, 'data.jsonl')) => ({ cache, dataHash, source: file }) };
  }

  /** Encodes `texts` through the cache and checks the result against a full encode of the same texts. */
  async function expectSameAsFull(enc: ReturnType<typeof fakeEncoder>, texts: string[], scope: CacheScope) {
    enc.encoded.length = 0;
    const out = await encodeWithCache(enc, texts, scope);
    const encodedNow = [...enc.encoded];
    const full = await fakeEncoder().encodeDetailed(texts);
    expect(out.embeddings.rows).toBe(texts.length);
    expect(bytes(out).equals(bytes(full))).toBe(true);
    expect(out.truncatedRows).toEqual(full.truncatedRows);
    expect(out.emptyRows).toEqual(full.emptyRows);
    expect(out.warnings).toEqual(full.warnings);
    return { out, encodedNow };
  }

  it('after edits, insertions, deletions, reorders and duplicates, encodes only new texts and equals a full encode byte for byte', async () => {
    const { scope } = await setup();
    const enc = fakeEncoder();
    const v1 = [...dataset(200), '', '   ', 'zzz qqq', 'a b c d e f g h i j'];
    const first = await expectSameAsFull(enc, v1, scope('h1'));
    expect(first.out.reusedRows).toBe(0);
    expect(first.encodedNow).toHaveLength(v1.length);

    // Edit two rows (one into a truncated text, one into a blank one).
    const v2 = [...v1];
    v2[5] = 'edited text five';
    v2[17] = 'one two three four five six seven eight';
    v2[40] = '';
    const second = await expectSameAsFull(enc, v2, scope('h2'));
    // The blank row's text is already in v1 (row 200): reused, not encoded.
    expect(second.encodedNow.sort()).toEqual(['edited text five', 'one two three four five six seven eight']);
    expect(second.out.reusedRows).toBe(v2.length - 2);
    expect(second.out.encodedRows).toBe(2);
    expect(second.out.fromCache).toBe(false);

    // Insert rows at the top and in the middle, delete some, with a new text appearing three times.
    const v3 = ['brand new', ...v2.slice(0, 50), 'brand new', 'zzz unknown', ...v2.slice(60), 'brand new'];
    const third = await expectSameAsFull(enc, v3, scope('h3'));
    expect(third.encodedNow.sort()).toEqual(['brand new', 'zzz unknown']);
    expect(third.out.encodedRows).toBe(4);

    // Reverse the order and duplicate an old row: nothing to encode.
    const v4 = [...v3].reverse();
    v4.push(v4[10]!);
    const fourth = await expectSameAsFull(enc, v4, scope('h4'));
    expect(fourth.encodedNow).toEqual([]);
    expect(fourth.out.reusedRows).toBe(v4.length);
    expect(fourth.out.fromCache).toBe(false);

    // Back to v3's bytes: that entry was replaced, so it is rebuilt from v4's, again without encoding.
    const fifth = await expectSameAsFull(enc, v3, scope('h3'));
    expect(fifth.encodedNow).toEqual([]);
  });

  it('keeps one entry per file and encoder on disk, and a hit moves the pointer', async () => {
    const { dir, scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(30);
    for (let v = 0; v < 4; v++) {
      texts[v] = `edit ${v}`;
      await encodeWithCache(enc, texts, scope(`h${v}`));
    }
    const files = (await readdir(join(dir, 'cache'))).sort();
    expect(files.filter((f) => f.endsWith('.npy'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.json') && !f.endsWith('.latest.json'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.rows'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.latest.json'))).toHaveLength(1);
    const again = await encodeWithCache(enc, texts, scope('h3'));
    expect(again.fromCache).toBe(true);
    expect(again.reusedRows).toBe(30);
  });

  it('does not delete an entry another file with the same bytes still points at', async () => {
    const { dir, scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(20);
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await encodeWithCache(enc, texts, scope('same', a));
    expect((await encodeWithCache(enc, texts, scope('same', b))).fromCache).toBe(true);
    const edited = ['changed', ...texts.slice(1)];
    await encodeWithCache(enc, edited, scope('edited', a));
    expect((await encodeWithCache(enc, texts, scope('same', b))).fromCache).toBe(true);
  });

  it('reports rows from the cache and rows encoded through progress', async () => {
    const { scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(1200);
    await encodeWithCache(enc, texts, scope('h1'));
    texts[3] = 'changed';
    texts[900] = 'changed too';
    const stages: [string, number, string | undefined][] = [];
    await encodeWithCache(enc, texts, scope('h2'), { progress: (s, f, d) => stages.push([s, f, d]) });
    expect(stages[0]).toEqual(['activations: 1,198 from cache, 2 to encode (fake)', 0, 'from cache: 1198/1200']);
    expect(stages.at(-1)).toEqual(['activations: 1,198 from cache, 2 encoded (fake)', 1, 'from cache: 1198/1200']);
    expect(stages.some(([s]) => s === 'encode fake')).toBe(true);
    expect(cachedShare(stages[0]![2])).toBeCloseTo(1198 / 1200, 12);
    expect(cachedShare('from cache')).toBe(1);
    expect(cachedShare('12/40 texts')).toBeUndefined();
  });

  it('a cancelled incremental encode leaves the cache folder as it was, and the next run is still incremental', async () => {
    const { dir, scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(100);
    await encodeWithCache(enc, texts, scope('h1'));
    const before = (await readdir(join(dir, 'cache'))).sort();
    const edited = texts.map((t, i) => (i % 10 === 0 ? `${t} edited` : t));
    const ac = new AbortController();
    const run = encodeWithCache(enc, edited, scope('h2'), {
      signal: ac.signal,
      progress: (s, f) => {
        if (s === 'encode fake' && f >= 0.3) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect((await readdir(join(dir, 'cache'))).sort()).toEqual(before);
    enc.encoded.length = 0;
    const done = await encodeWithCache(enc, edited, scope('h2'));
    expect(done.encodedRows).toBe(10);
    expect(enc.encoded).toHaveLength(10);
  });

  it('encodes everything over a previous entry whose row hashes or matrix changed, or a pointer that leads elsewhere', async () => {
    const { dir, scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(40);
    const first = await encodeWithCache(enc, texts, scope('h1'));
    const rows = first.entry.path.replace(/\.npy$/, '.rows');
    const hashes = await readFile(rows);
    hashes[0] ^= 1;
    await writeFile(rows, hashes);
    texts[0] = 'changed';
    await expectSameAsFull(enc, texts, scope('h2')).then(({ out }) => expect(out.reusedRows).toBe(0));

    // Damage the matrix of the entry the pointer names now.
    texts[1] = 'changed again';
    const npys = (await readdir(join(dir, 'cache'))).filter((f) => f.endsWith('.npy'));
    expect(npys).toHaveLength(1);
    const npy = await readFile(join(dir, 'cache', npys[0]!));
    npy[npy.length - 1] ^= 0xff;
    await writeFile(join(dir, 'cache', npys[0]!), npy);
    await expectSameAsFull(enc, texts, scope('h3')).then(({ out }) => expect(out.reusedRows).toBe(0));

    // A pointer naming a path outside the folder is not followed.
    const lineage = lineageKey(enc, scope('h3') as CacheScope & { source: string });
    await writeFile(join(dir, 'cache', `${lineage}.latest.json`), JSON.stringify({ key: '../../etc/passwd' }));
    expect(await new ActivationCache(join(dir, 'cache')).latest(lineage)).toBeUndefined();
    texts[2] = 'changed a third time';
    await expectSameAsFull(enc, texts, scope('h4')).then(({ out }) => expect(out.reusedRows).toBe(0));
  });

  it('without a source file, a miss encodes everything as before', async () => {
    const { scope } = await setup();
    const enc = fakeEncoder();
    const texts = dataset(10);
    const { cache } = scope('h1');
    await encodeWithCache(enc, texts, { cache, dataHash: 'h1' });
    texts[0] = 'x';
    enc.encoded.length = 0;
    const out = await encodeWithCache(enc, texts, { cache, dataHash: 'h2' });
    expect(out.reusedRows).toBe(0);
    expect(enc.encoded).toHaveLength(10);
  });

  it('planReuse: each missing text once, first previous row for repeated old texts', () => {
    const prev = ['a', 'b', 'a', 'c'];
    const next = ['c', 'x', 'a', 'x', 'y', 'b'];
    const plan = planReuse(rowHashes(prev), next, rowHashes(next));
    expect([...plan.from]).toEqual([3, -1, 0, -1, -1, 1]);
    expect(plan.encode).toEqual(['x', 'y']);
    expect([...plan.encodeIndex]).toEqual([-1, 0, -1, 0, 1, -1]);
    expect(plan.reused).toBe(3);
    // Texts that differ only in a lone surrogate keep distinct hashes.
    const h = rowHashes(['\ud800', '\ud801']);
    expect(Buffer.from(h.subarray(0, 16)).equals(Buffer.from(h.subarray(16, 32)))).toBe(false);
  });
});
