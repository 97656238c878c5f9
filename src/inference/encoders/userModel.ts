/**
 * A user-supplied ONNX text encoder (e.g. a sentence-transformers or HuggingFace feature-extraction export) with its
 * HuggingFace `tokenizer.json`. The session's inputs and outputs decide how it is fed and read.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { sha256File } from '../../core/activations/file';
import { InputError } from '../../core/errors';
import { firstLine } from '../providers';
import type { OpenedSession, SessionPool } from '../sessions';
import { loadHfTokenizer } from '../tokenize/huggingface';
import type { EncoderSpec } from '../types';
import type { OpenOptions } from './bundled';
import { DEFAULT_BATCH_SIZE, OnnxTextEncoder, type InputBinding, type OutputBinding } from './onnxEncoder';

type OnnxSpec = Extract<EncoderSpec, { kind: 'onnx' }>;

/** Token limit for user models (the brief's 128; lower when the tokenizer or the graph says so). */
export const USER_MODEL_MAX_TOKENS = 128;

const ACCEPTED_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
/** Outputs in order of preference; token states are mean-pooled by the attention mask. */
const OUTPUT_PREFERENCE: readonly OutputBinding[] = [
  { name: 'sentence_embedding', pool: false },
  { name: 'pooler_output', pool: false },
  { name: 'last_hidden_state', pool: true },
  { name: 'token_embeddings', pool: true },
];

/** Tensor metadata as onnxruntime reports it (shape entries: numbers, or strings for symbolic dimensions). */
export interface IoMeta {
  name: string;
  shape?: readonly (number | string)[];
}

export interface UserModelBinding {
  inputs: InputBinding;
  output: OutputBinding;
  /** Embedding size from the graph, when it is a fixed number. */
  dim?: number;
  /** A fixed sequence length declared by the graph, if any. */
  fixedSeqLen?: number;
}

/** How to feed and read a model, from its inputs and outputs; an InputError naming `file` when it cannot be used. */
export function bindUserModel(inputs: readonly IoMeta[], outputs: readonly IoMeta[], file: string): UserModelBinding {
  const names = inputs.map((i) => i.name);
  const unknown = names.filter((n) => !(ACCEPTED_INPUTS as readonly string[]).includes(n));
  if (!names.includes('input_ids') || unknown.length > 0) {
    throw new InputError(
      `the model's inputs are [${names.join(', ')}]; a text encoder needs input_ids and may take attention_mask and ` +
        `token_type_ids${unknown.length > 0 ? ` (unsupported: ${unknown.join(', ')})` : ''}. Export it as a ` +
        `feature-extraction model (e.g. optimum-cli export onnx --task feature-extraction)`,
      { file },
    );
  }
  const output = OUTPUT_PREFERENCE.find((o) => outputs.some((m) => m.name === o.name));
  if (!output) {
    throw new InputError(
      `the model's outputs are [${outputs.map((o) => o.name).join(', ')}]; expected one of ` +
        `${OUTPUT_PREFERENCE.map((o) => o.name).join(', ')}`,
      { file },
    );
  }
  const outShape = outputs.find((m) => m.name === output.name)!.shape ?? [];
  const last = outShape[outShape.length - 1];
  const seq = inputs.find((i) => i.name === 'input_ids')!.shape?.[1];
  return {
    inputs: {
      ids: 'input_ids',
      mask: names.includes('attention_mask') ? 'attention_mask' : undefined,
      typeIds: names.includes('token_type_ids') ? 'token_type_ids' : undefined,
    },
    output,
    dim: typeof last === 'number' && last > 0 ? last : undefined,
    fixedSeqLen: typeof seq === 'number' && seq > 0 ? seq : undefined,
  };
}

/** A readable encoder id: the file name, or its folder for the usual `<name>/onnx/model.onnx` layout. */
export function userModelId(path: string): string {
  let name = basename(path).replace(/\.onnx$/i, '');
  let dir = dirname(resolve(path));
  if (name === 'model' || name === 'model_optimized' || name.startsWith('model_')) {
    if (basename(dir) === 'onnx') dir = dirname(dir);
    name = basename(dir) || name;
  }
  return `onnx-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

function metaOf(session: OpenedSession['session'], kind: 'input' | 'output'): IoMeta[] {
  const list = kind === 'input' ? session.inputMetadata : session.outputMetadata;
  return list.map((m) => ({ name: m.name, shape: m.isTensor ? m.shape : undefined }));
}

export async function openUserEncoder(spec: OnnxSpec, pool: SessionPool, opts: OpenOptions = {}): Promise<OnnxTextEncoder> {
  const file = resolve(spec.path);
  if (!existsSync(file)) throw new InputError('ONNX model file not found', { file });
  if (isFolder(file)) throw folderGiven(file, 'an ONNX model', '.onnx', 'model.onnx');
  const tokenizerFile = resolve(spec.tokenizer ?? join(dirname(file), 'tokenizer.json'));
  if (!existsSync(tokenizerFile)) {
    throw new InputError(
      `no tokenizer for this model: ${tokenizerFile} does not exist (set the model's tokenizer to its HuggingFace tokenizer.json)`,
      { file },
    );
  }
  if (isFolder(tokenizerFile)) throw folderGiven(tokenizerFile, "the model's tokenizer", '.json', 'tokenizer.json');
  let opened: OpenedSession;
  try {
    opened = await pool.open({ file });
  } catch (e) {
    throw new InputError(`not a loadable ONNX model (${firstLine(e)})`, { file });
  }
  const binding = bindUserModel(metaOf(opened.session, 'input'), metaOf(opened.session, 'output'), file);
  let tokenizer;
  try {
    tokenizer = loadHfTokenizer(await readFile(tokenizerFile, 'utf8'), { source: tokenizerFile });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot use this tokenizer: ${firstLine(e)}`, { file: tokenizerFile });
  }
  const maxTokens = Math.min(USER_MODEL_MAX_TOKENS, tokenizer.maxLength, binding.fixedSeqLen ?? Infinity);
  const id = userModelId(file);
  const [modelHash, tokenizerHash] = await Promise.all([sha256File(file), sha256File(tokenizerFile)]);
  const cacheIdentity = JSON.stringify({ encoder: id, model: modelHash, tokenizer: tokenizerHash, maxTokens, output: binding.output.name });
  const base = {
    id,
    cacheIdentity,
    maxTokens,
    batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
    opened,
    tokenizer,
    inputs: binding.inputs,
    output: binding.output,
    notes: tokenizer.warnings,
  };
  let dim = binding.dim;
  if (dim === undefined) {
    // The embedding size is symbolic in the graph: one tiny run tells it.
    dim = await new OnnxTextEncoder({ ...base, dim: 0 }).probeDim('hello');
  }
  return new OnnxTextEncoder({ ...base, dim });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A folder where a file is expected (a model's folder given as its path): says so, and what to give instead. The
 * candidates are the folder's files with the expected extension (and those of its `onnx/` subfolder, the usual
 * HuggingFace export layout); one is named as the path to use, several are listed.
 */
function folderGiven(folder: string, what: string, ext: string, example: string): InputError {
  const found: string[] = [];
  for (const dir of [folder, join(folder, 'onnx')]) {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isFile() && e.name.toLowerCase().endsWith(ext)) found.push(join(dir, e.name));
      }
    } catch {
      // an unreadable or missing subfolder offers no candidates
    }
  }
  // A tokenizer folder holds other JSON files (config.json, vocab.json): only the usual name is a candidate.
  const candidates = ext === '.json' ? found.filter((f) => basename(f) === example) : found;
  let advice: string;
  if (candidates.length === 1) advice = `it holds one: use ${candidates[0]}`;
  else if (candidates.length > 1) {
    const shown = candidates.slice(0, 5).map((f) => relative(folder, f));
    advice = `it holds ${candidates.length} (${shown.join(', ')}${candidates.length > 5 ? ', ...' : ''}): give the path of the one to use`;
  } else advice = `it holds no ${ext === '.json' ? example : `${ext} file`} (give the file's path, e.g. ${join(folder, example)})`;
  return new InputError(`this is a folder, not a file: ${what} is a ${ext} file; ${advice}`, { file: folder });
}
