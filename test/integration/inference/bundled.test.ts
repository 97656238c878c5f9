import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { createLocalInference } from '../../../src/inference/local';
import type { InferenceService, InferenceTextEncoder } from '../../../src/inference/types';
import { REPO } from './bundle';

const MODELS = join(REPO, 'models');
const haveModels = existsSync(join(MODELS, 'manifest.json'));
if (!haveModels) console.log(`bundled.test: skipped: ${MODELS}/manifest.json is missing (run npm run build:models)`);

const row = (m: { cols: number; data: Float32Array }, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
const maxAbsDiff = (a: number[], b: number[]) => a.reduce((s, x, i) => Math.max(s, Math.abs(x - b[i]!)), 0);

/** Sentences of 1 to ~60 words, so length-sorted batches reorder them a lot. */
function variedTexts(n: number): string[] {
  const words = 'the movie was absolutely wonderful and moving but this film a terrible waste of time win free phone now click link'.split(' ');
  return Array.from({ length: n }, (_, i) => Array.from({ length: 1 + ((i * 37) % 60) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '));
}

describe.skipIf(!haveModels)('bundled encoders (models/)', () => {
  let inference: InferenceService;
  beforeAll(() => {
    inference = createLocalInference({ device: 'cpu', threads: 1, modelsDir: MODELS, batchSize: 16 });
  });
  afterAll(() => inference.dispose());

  describe('USE-Lite', () => {
    let use: InferenceTextEncoder;
    beforeAll(async () => {
      use = await inference.textEncoder({ kind: 'bundled', id: 'use-lite' });
    });

    it('reproduces the TF.js reference embedding (MODELS.md) and is L2-normalised', async () => {
      expect(use.id).toBe('use-lite');
      expect(use.dim).toBe(512);
      expect(use.info.maxTokens).toBe(128);
      const m = await use.encode(['The movie was absolutely wonderful and moving.']);
      const first = row(m, 0);
      expect(maxAbsDiff(first.slice(0, 4), [-0.0319, -0.0098, 0.0189, -0.0533])).toBeLessThan(1e-4);
      expect(Math.hypot(...first)).toBeCloseTo(1, 5);
    });

    it('gives each text the embedding it gets alone, whatever the batch and padding', async () => {
      const texts = variedTexts(40);
      const batched = await use.encode(texts);
      for (const i of [0, 7, 13, 39]) {
        const alone = await use.encode([texts[i]!]);
        expect(maxAbsDiff(row(batched, i), row(alone, 0))).toBeLessThan(1e-5);
      }
    });

    it('truncates at 128 tokens and counts it; blank texts become zero vectors', async () => {
      const long = Array.from({ length: 300 }, () => 'wonderful').join(' ');
      const r = await use.encodeDetailed(['fine', long, '  \t', long.slice(0, 50)]);
      expect(r.truncatedRows).toEqual([1]);
      expect(r.emptyRows).toEqual([2]);
      expect(row(r.embeddings, 2).every((x) => x === 0)).toBe(true);
      expect(r.warnings.map((w) => w.message)).toEqual([
        'use-lite: 1 text(s) longer than 128 tokens were truncated (first: text 2 of 4)',
        'use-lite: 1 empty text(s) were encoded as zero vectors (first: text 3 of 4)',
      ]);
    });
  });

  describe('GloVe-mean(K)', () => {
    const vocab = (): string[] => JSON.parse(readFileSync(join(MODELS, 'glove-vocab.json'), 'utf8')) as string[];

    it('is the mean of the known words\' vectors: unknown words are ignored, not averaged in as zeros', async () => {
      const glove = await inference.textEncoder({ kind: 'bundled', id: 'glove-mean' });
      expect(glove.id).toBe('glove-mean-k50000');
      expect(glove.dim).toBe(100);
      const m = await glove.encode(['the', 'movie', 'The movie', 'the zzqxv movie qqzzx']);
      const mean = row(m, 0).map((x, j) => (x + row(m, 1)[j]!) / 2);
      expect(maxAbsDiff(row(m, 2), mean)).toBeLessThan(1e-6);
      expect(maxAbsDiff(row(m, 3), mean)).toBeLessThan(1e-6);
    });

    it('capacity K drops every word of rank >= K', async () => {
      const words = vocab();
      const rare = words.slice(1500, 1600).find((w) => /^[a-z]+$/.test(w))!;
      const k1000 = await inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 1000 });
      const k2000 = await inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 2000 });
      expect(k1000.id).toBe('glove-mean-k1000');
      expect(k1000.info.cacheIdentity).not.toBe(k2000.info.cacheIdentity);
      const a = await k1000.encode(['the', `the ${rare}`]);
      const b = await k2000.encode(['the', `the ${rare}`]);
      expect(maxAbsDiff(row(a, 0), row(a, 1))).toBeLessThan(1e-7);
      expect(maxAbsDiff(row(b, 0), row(b, 1))).toBeGreaterThan(1e-3);
      const onlyRare = await k1000.encodeDetailed([rare]);
      expect(onlyRare.emptyRows).toEqual([0]);
      expect(onlyRare.warnings[0]!.message).toMatch(/no token the model knows/);
    });

    it('rejects a K beyond the bundled table', async () => {
      await expect(inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 60000 })).rejects.toThrow(InputError);
      await expect(inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 0 })).rejects.toThrow(/between 1 and 50000/);
    });
  });
});
