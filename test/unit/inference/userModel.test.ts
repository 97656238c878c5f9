import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { bindUserModel, userModelId } from '../../../src/inference/encoders/userModel';
import { createLocalInference } from '../../../src/inference/local';
import { OnnxGraphBuilder } from '../../../src/inference/onnx/builder';
import type { InferenceService } from '../../../src/inference/types';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', 'good', 'bad', 'movie', 'film'];
const DIM = 4;
/** Token embedding table of the fake model: row i = [i, 2i, i^2 / 10, 1]. */
const TABLE = Float32Array.from(VOCAB.flatMap((_, i) => [i, 2 * i, (i * i) / 10, 1]));

/** A minimal BERT-style tokenizer.json: lowercase, whitespace split, WordLevel, [CLS] ... [SEP]. */
function tokenizerJson(maxLength?: number): string {
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return JSON.stringify({
    version: '1.0',
    truncation: maxLength ? { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 } : null,
    padding: null,
    added_tokens: VOCAB.slice(0, 4).map((t, i) => special(t, i)),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])), unk_token: '[UNK]' },
  });
}

/**
 * A fake HF feature-extraction export: last_hidden_state = table[input_ids] + token_type_ids (always 0 here);
 * attention_mask is accepted as the real exports do. `hidden` is the declared embedding dimension.
 */
function fakeTransformer(opts: { hidden: number | string; inputs?: string[] }): Uint8Array {
  const g = new OnnxGraphBuilder({ name: 'fake-bert', opset: 17 });
  const names = opts.inputs ?? ['input_ids', 'attention_mask', 'token_type_ids'];
  for (const n of names) g.input(n, 'int64', ['batch', 'sequence']);
  const table = g.initializer('table', 'float32', TABLE, [VOCAB.length, DIM]);
  let states = g.op('Gather', [table, names[0]!], { axis: 0 });
  if (names.includes('token_type_ids')) {
    const types = g.op('Unsqueeze', [g.op('Cast', ['token_type_ids'], { to: 1 }), g.constI64([2])]);
    states = g.op('Add', [states, types]);
  }
  if (typeof opts.hidden === 'string') {
    // Reshape to [batch, sequence, -1]: onnxruntime cannot infer the width, so it stays symbolic.
    const shape = g.op('Concat', [g.op('Shape', [names[0]!]), g.constI64([-1])], { axis: 0 });
    g.node('Reshape', [states, shape], ['last_hidden_state']);
  } else {
    g.node('Identity', [states], ['last_hidden_state']);
  }
  g.output('last_hidden_state', 'float32', ['batch', 'sequence', opts.hidden]);
  return g.serialize();
}

/** The expected embedding: mean of the table rows of [CLS], the words, [SEP]. */
function expected(text: string, maxLength = Infinity): number[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => Math.max(1, VOCAB.indexOf(w)));
  const ids = [2, ...words.slice(0, maxLength - 2), 3];
  return Array.from({ length: DIM }, (_, j) => ids.reduce((s, id) => s + TABLE[id * DIM + j]!, 0) / ids.length);
}

describe('bindUserModel', () => {
  const f = '/models/m.onnx';
  it('accepts input_ids with optional attention_mask and token_type_ids, preferring sentence_embedding', () => {
    const b = bindUserModel(
      [{ name: 'input_ids' }, { name: 'attention_mask' }],
      [{ name: 'token_embeddings', shape: ['b', 't', 384] }, { name: 'sentence_embedding', shape: ['b', 384] }],
      f,
    );
    expect(b.inputs).toEqual({ ids: 'input_ids', mask: 'attention_mask', typeIds: undefined });
    expect(b.output).toEqual({ name: 'sentence_embedding', pool: false });
    expect(b.dim).toBe(384);
  });

  it('picks pooler_output, then mean-pools last_hidden_state', () => {
    expect(bindUserModel([{ name: 'input_ids' }], [{ name: 'last_hidden_state' }, { name: 'pooler_output' }], f).output.name).toBe('pooler_output');
    const b = bindUserModel([{ name: 'input_ids' }, { name: 'token_type_ids' }], [{ name: 'last_hidden_state', shape: ['b', 't', 'h'] }], f);
    expect(b.output).toEqual({ name: 'last_hidden_state', pool: true });
    expect(b.dim).toBeUndefined();
  });

  it('rejects foreign inputs and unknown outputs with an InputError naming the file', () => {
    const bad = () => bindUserModel([{ name: 'pixel_values' }], [{ name: 'logits' }], f);
    expect(bad).toThrow(InputError);
    expect(bad).toThrow(/^\/models\/m\.onnx: the model's inputs are \[pixel_values\]/);
    expect(() => bindUserModel([{ name: 'input_ids' }], [{ name: 'logits' }], f)).toThrow(/outputs are \[logits\]; expected one of sentence_embedding/);
  });

  it('names encoders after the file, or the model folder for <name>/onnx/model.onnx', () => {
    expect(userModelId('/m/all-MiniLM-L6-v2/onnx/model.onnx')).toBe('onnx-all-MiniLM-L6-v2');
    expect(userModelId('/m/e5 small.onnx')).toBe('onnx-e5_small');
  });
});

describe('user ONNX encoder (tiny generated model)', () => {
  let dir: string;
  let inference: InferenceService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'overlap-user-model-'));
    await mkdir(join(dir, 'fixed', 'onnx'), { recursive: true });
    await writeFile(join(dir, 'fixed', 'onnx', 'model.onnx'), fakeTransformer({ hidden: DIM }));
    await writeFile(join(dir, 'fixed', 'onnx', 'tokenizer.json'), tokenizerJson());
    await writeFile(join(dir, 'symbolic.onnx'), fakeTransformer({ hidden: 'hidden', inputs: ['input_ids', 'attention_mask'] }));
    await writeFile(join(dir, 'short-tokenizer.json'), tokenizerJson(5));
    await writeFile(join(dir, 'vision.onnx'), fakeTransformer({ hidden: DIM, inputs: ['pixel_values'] }));
    await writeFile(join(dir, 'notonnx.onnx'), 'this is not a protobuf');
    await writeFile(join(dir, 'tokenizer.json'), tokenizerJson());
    inference = createLocalInference({ device: 'cpu', threads: 1, batchSize: 2 });
  });
  afterAll(async () => {
    await inference.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('mean-pools last_hidden_state by the attention mask and restores input order across length-sorted batches', async () => {
    const enc = await inference.textEncoder({ kind: 'onnx', path: join(dir, 'fixed', 'onnx', 'model.onnx') });
    expect(enc.id).toBe('onnx-fixed');
    expect(enc.dim).toBe(DIM);
    expect(enc.info.provider).toBe('cpu');
    const texts = ['good movie hello world film bad', 'bad', 'hello world', 'Good Film', 'unknownword movie good'];
    const r = await enc.encodeDetailed(texts);
    texts.forEach((t, i) => {
      const got = Array.from(r.embeddings.data.subarray(i * DIM, (i + 1) * DIM));
      expected(t).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 5));
    });
    expect(r.truncatedRows).toEqual([]);
  });

  it('probes the width when the graph leaves it symbolic, and truncates at the tokenizer limit with a warning', async () => {
    const enc = await inference.textEncoder({ kind: 'onnx', path: join(dir, 'symbolic.onnx'), tokenizer: join(dir, 'short-tokenizer.json') });
    expect(enc.dim).toBe(DIM);
    expect(enc.info.maxTokens).toBe(5);
    const texts = ['hello', 'good movie hello world film bad', '   '];
    const r = await enc.encodeDetailed(texts);
    expect(r.truncatedRows).toEqual([1]);
    expect(r.emptyRows).toEqual([2]);
    expect(Array.from(r.embeddings.data.subarray(2 * DIM))).toEqual([0, 0, 0, 0]);
    expected(texts[1]!, 5).forEach((v, j) => expect(r.embeddings.data[DIM + j]).toBeCloseTo(v, 5));
    expect(r.warnings.map((w) => w.message)).toEqual([
      'onnx-symbolic: 1 text(s) longer than 5 tokens were truncated (first: text 2 of 3)',
      'onnx-symbolic: 1 empty text(s) were encoded as zero vectors (first: text 3 of 3)',
    ]);
  });

  it('rejects a file that is not ONNX, a model with foreign inputs, and a missing tokenizer, naming the file', async () => {
    const notOnnx = join(dir, 'notonnx.onnx');
    await expect(inference.textEncoder({ kind: 'onnx', path: notOnnx })).rejects.toThrow(InputError);
    await expect(inference.textEncoder({ kind: 'onnx', path: notOnnx })).rejects.toThrow(`${notOnnx}: not a loadable ONNX model`);
    const vision = join(dir, 'vision.onnx');
    await expect(inference.textEncoder({ kind: 'onnx', path: vision })).rejects.toThrow(`${vision}: the model's inputs are [pixel_values]`);
    const lonely = join(dir, 'symbolic.onnx');
    await expect(inference.textEncoder({ kind: 'onnx', path: lonely, tokenizer: join(dir, 'nope.json') })).rejects.toThrow(/no tokenizer for this model/);
    await expect(inference.textEncoder({ kind: 'onnx', path: join(dir, 'missing.onnx') })).rejects.toThrow(/missing\.onnx: ONNX model file not found/);
  });
});
