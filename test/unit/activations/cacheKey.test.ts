import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activationCacheKey, contentHash, readActivationFile, readNpyFile, writeFileAtomic, writeNpyFile } from '../../../src/core/activations';
import { useTempDir } from '../data/tempDir';

const tmp = useTempDir('activations');

describe('contentHash', () => {
  it('is the SHA-256 of the bytes, the same from memory and from a file', async () => {
    const bytes = new TextEncoder().encode('1 a good film\n0 a bad film\n');
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await contentHash(bytes)).toBe(expected);
    expect(await contentHash(tmp.write('data.txt', bytes))).toBe(expected);
  });
});

describe('activationCacheKey', () => {
  const base = { contentHash: 'ab'.repeat(32), encoderId: 'glove-mean-k2000', options: { field: 'text', maxTokens: 128 } };

  it('is short, readable and safe in a file name', () => {
    const key = activationCacheKey(base);
    expect(key).toMatch(/^glove-mean-k2000-[0-9a-f]{16}$/);
    expect(activationCacheKey({ ...base, encoderId: '../weird/model:v1 (fp16)' })).toMatch(/^weird_model_v1_fp16_-[0-9a-f]{16}$/);
    expect(activationCacheKey({ ...base, encoderId: '///' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('ignores the order of option keys and undefined options', () => {
    const reordered = { ...base, options: { maxTokens: 128, field: 'text', pooling: undefined } };
    expect(activationCacheKey(reordered)).toBe(activationCacheKey(base));
  });

  it('changes with the data, the encoder or any option', () => {
    const keys = new Set([
      activationCacheKey(base),
      activationCacheKey({ ...base, contentHash: 'cd'.repeat(32) }),
      activationCacheKey({ ...base, encoderId: 'use-lite' }),
      activationCacheKey({ ...base, options: { field: 'text', maxTokens: 64 } }),
      activationCacheKey({ ...base, options: { field: 'sentence', maxTokens: 128 } }),
      activationCacheKey({ ...base, options: undefined }),
    ]);
    expect(keys.size).toBe(6);
  });
});

describe('activation files', () => {
  it('writes .npy atomically and reads it back, leaving no temporary file', async () => {
    const path = tmp.write('weak.npy', 'old content');
    await writeNpyFile(path, Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const arr = await readNpyFile(path);
    expect(arr.shape).toEqual([3, 2]);
    const m = await readActivationFile(path);
    expect([m.rows, m.cols, Array.from(m.data)]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
  });

  it('removes its temporary file and leaves the target alone when the final rename fails', async () => {
    // Renaming a file onto a non-empty directory fails after the temporary file (in the same folder) was written.
    const target = join(tmp.dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'inside.txt'), 'precious');
    await expect(writeFileAtomic(target, new Uint8Array([1]))).rejects.toThrow();
    expect(readFileSync(join(target, 'inside.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses other extensions', async () => {
    const path = tmp.write('acts.csv', '1,2\n');
    await expect(readActivationFile(path)).rejects.toThrow(/acts\.csv: activations must be a \.npy or \.safetensors file/);
  });
});
