import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { createLocalInference } from '../../../src/inference/local';
import type { InferenceService } from '../../../src/inference/types';

/**
 * An ONNX model path (CLI `onnx:PATH`, the extension's model setting) that is a folder is refused as a folder, not
 * as a model without a tokenizer; the message says an .onnx file is expected and names the one the folder holds.
 * The files are never loaded (the check comes first), so their content does not matter.
 */
describe('ONNX model path that is a folder', () => {
  let dir: string;
  let inference: InferenceService;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'overlap-onnx-folder-'));
    await mkdir(join(dir, 'one'));
    await writeFile(join(dir, 'one', 'model.onnx'), 'not loaded');
    await writeFile(join(dir, 'one', 'tokenizer.json'), '{}');
    await mkdir(join(dir, 'hf', 'onnx'), { recursive: true });
    await writeFile(join(dir, 'hf', 'tokenizer.json'), '{}');
    await writeFile(join(dir, 'hf', 'onnx', 'model.onnx'), 'not loaded');
    await mkdir(join(dir, 'two'));
    await writeFile(join(dir, 'two', 'model.onnx'), 'not loaded');
    await writeFile(join(dir, 'two', 'model_quantized.onnx'), 'not loaded');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'model.onnx'), 'not loaded');
    await mkdir(join(dir, 'tok'));
    await writeFile(join(dir, 'tok', 'tokenizer.json'), '{}');
    inference = createLocalInference({ device: 'cpu', threads: 1 });
  });
  afterAll(async () => {
    await inference.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('says it is a folder and names the one .onnx file in it', async () => {
    const folder = join(dir, 'one');
    const open = inference.textEncoder({ kind: 'onnx', path: folder });
    await expect(open).rejects.toThrow(InputError);
    await expect(inference.textEncoder({ kind: 'onnx', path: folder })).rejects.toThrow(
      `${folder}: this is a folder, not a file: an ONNX model is a .onnx file; it holds one: use ${join(folder, 'model.onnx')}`,
    );
    await expect(inference.textEncoder({ kind: 'onnx', path: folder })).rejects.not.toThrow(/no tokenizer/);
  });

  it('finds the model of the usual <name>/onnx/model.onnx layout', async () => {
    const folder = join(dir, 'hf');
    await expect(inference.textEncoder({ kind: 'onnx', path: folder })).rejects.toThrow(`it holds one: use ${join(folder, 'onnx', 'model.onnx')}`);
  });

  it('lists several models, and says when there is none', async () => {
    await expect(inference.textEncoder({ kind: 'onnx', path: join(dir, 'two') })).rejects.toThrow(
      /two: this is a folder, not a file: .*; it holds 2 \((model\.onnx, model_quantized\.onnx|model_quantized\.onnx, model\.onnx)\): give the path of the one to use$/,
    );
    await expect(inference.textEncoder({ kind: 'onnx', path: join(dir, 'empty') })).rejects.toThrow(`${join(dir, 'empty')}: this is a folder, not a file: an ONNX model is a .onnx file; it holds no .onnx file (give the file's path, e.g. ${join(dir, 'empty', 'model.onnx')})`);
  });

  it('says a tokenizer path that is a folder is one, naming its tokenizer.json', async () => {
    const tok = join(dir, 'tok');
    await expect(inference.textEncoder({ kind: 'onnx', path: join(dir, 'model.onnx'), tokenizer: tok })).rejects.toThrow(
      `${tok}: this is a folder, not a file: the model's tokenizer is a .json file; it holds one: use ${join(tok, 'tokenizer.json')}`,
    );
  });
});
