/**
 * loadHfTokenizer must give the same ids as HuggingFace `tokenizers` (Rust, through @anush008/tokenizers) on
 * tokenizer.json files of every supported kind (hfVariants.ts builds them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hf from '@anush008/tokenizers';
import { loadHfTokenizer } from '../../../src/inference/tokenize/huggingface';
import { buildVariants, cleanupVariants, haveData, variantTexts, type Json } from './hfVariants';

if (!haveData) console.warn('hf-tokenizer.test: skipping, the shared data folder (../shared/data/sst2) is missing');
afterAll(() => cleanupVariants());

describe.skipIf(!haveData)('loadHfTokenizer vs HuggingFace tokenizers (Rust)', () => {
  const variants: [string, Json][] = [];
  let corpus: string[];

  beforeAll(() => {
    corpus = variantTexts();
    variants.push(...buildVariants());
  }, 10 * 60 * 1000);

  it('gives identical ids on SST-2, varied and random texts for every tokenizer kind', async () => {
    expect(variants.length).toBeGreaterThanOrEqual(15);
    for (const [name, spec] of variants) {
      const json = JSON.stringify(spec);
      const reference = hf.Tokenizer.fromString(json);
      const ours = loadHfTokenizer(json, { source: name, maxLength: 100_000 });
      expect(ours.warnings, name).toEqual([]);
      for (const text of corpus) {
        const expected = (await reference.encode(text)).getIds();
        const got = Array.from(ours.encode(text).ids);
        if (got.join() !== expected.join()) {
          expect({ variant: name, text, ids: got }).toEqual({ variant: name, text, ids: expected });
        }
      }
    }
  });
});
