/**
 * The bundled encoders: GloVe-mean with capacity K (weak) and USE-Lite (strong), from models/ (MODELS.md).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../core/errors';
import type { SessionPool } from '../sessions';
import { gloveTokenizer, parseGloveVocab } from '../tokenize/glove';
import { parseSentencePieceVocab, sentencePieceUnigram } from '../tokenize/sentencepiece';
import type { TextTokenizer } from '../tokenize/types';
import type { EncoderSpec } from '../types';
import { findModelsDir, readManifest, type ManifestModel } from './manifest';
import { DEFAULT_BATCH_SIZE, OnnxTextEncoder } from './onnxEncoder';

type BundledSpec = Extract<EncoderSpec, { kind: 'bundled' }>;

export interface OpenOptions {
  modelsDir?: string;
  batchSize?: number;
}

/** Vocabularies parsed once per process (the GloVe list is 50,000 words). */
const vocabCache = new Map<string, Promise<unknown>>();
function cachedVocab<T>(file: string, parse: (json: string, source: string) => T): Promise<T> {
  let v = vocabCache.get(file) as Promise<T> | undefined;
  if (!v) {
    v = readFile(file, 'utf8').then((json) => parse(json, file));
    vocabCache.set(file, v);
    v.catch(() => vocabCache.delete(file));
  }
  return v;
}

async function bundledModel(id: BundledSpec['id'], modelsDir: string | undefined): Promise<{ dir: string; model: ManifestModel }> {
  const dir = findModelsDir(modelsDir);
  if (!dir) {
    throw new Error(
      modelsDir
        ? `bundled models not found: ${join(modelsDir, 'manifest.json')} does not exist (run \`npm run build:models\`)`
        : 'bundled models not found: no models/manifest.json beside the extension (run `npm run build:models`)',
    );
  }
  const manifest = await readManifest(dir);
  const model = manifest.models.find((m) => m.id === id);
  if (!model) throw new Error(`${join(dir, 'manifest.json')} lists no model '${id}' (rebuild with \`npm run build:models\`)`);
  return { dir, model };
}

export async function openBundledEncoder(spec: BundledSpec, pool: SessionPool, opts: OpenOptions = {}): Promise<OnnxTextEncoder> {
  const { dir, model } = await bundledModel(spec.id, opts.modelsDir);
  const vocabFile = join(dir, model.tokenizer.vocabFile);
  let tokenizer: TextTokenizer;
  let id: string;
  let inputs: { ids: string; mask: string };
  if (spec.id === 'glove-mean') {
    const maxK = model.tokenizer.maxK ?? model.tokenizer.vocabSize;
    const k = spec.vocab ?? maxK;
    if (!Number.isInteger(k) || k < 1 || k > maxK) {
      throw new InputError(`GloVe vocabulary size must be an integer between 1 and ${maxK} (the bundled table), got ${k}`);
    }
    tokenizer = gloveTokenizer(await cachedVocab(vocabFile, parseGloveVocab), k);
    id = `glove-mean-k${k}`;
    inputs = { ids: 'input_ids', mask: 'mask' };
  } else {
    tokenizer = sentencePieceUnigram(await cachedVocab(vocabFile, parseSentencePieceVocab), {
      maxLength: model.tokenizer.maxLength ?? 128,
    });
    id = 'use-lite';
    inputs = { ids: 'input_ids', mask: 'attention_mask' };
  }
  const opened = await pool.open({ file: join(dir, model.file) });
  const cacheIdentity = JSON.stringify({
    encoder: id,
    model: model.sha256,
    vocab: model.tokenizer.vocabSha256,
    tokenizer: tokenizer.id,
    maxTokens: tokenizer.maxLength,
  });
  return new OnnxTextEncoder({
    id,
    dim: model.dim,
    cacheIdentity,
    maxTokens: tokenizer.maxLength,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    opened,
    tokenizer,
    inputs,
    output: { name: 'sentence_embedding', pool: false },
  });
}
