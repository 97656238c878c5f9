/**
 * One text encoder over one onnxruntime session: tokenize, batch by length, run, pool if needed, restore input
 * order. The bundled encoders and user ONNX models differ only in their tokenizer and input/output binding.
 */
import { CancelledError } from '../../core/encoder';
import type { Matrix } from '../../core/linalg/matrix';
import { encodeWarnings, isBlankText } from '../encodeWarnings';
import { meanPoolByMask } from '../pooling';
import { maskToInt64, padBatch, shapeStableBatches, type TokenBatch } from '../tokenize/batch';
import { loadOrt, type Ort } from '../ort';
import type { OpenedSession } from '../sessions';
import type { Encoding, TextTokenizer } from '../tokenize/types';
import type { EncodeOptions, EncodeResult, EncoderInfo, InferenceTextEncoder } from '../types';

/** Session input names; `mask` and `typeIds` are optional in user models. */
export interface InputBinding {
  ids: string;
  mask?: string;
  typeIds?: string;
}

/** Session output to read; `pool` means [B,T,dim] token states to mean-pool by the mask. */
export interface OutputBinding {
  name: string;
  pool: boolean;
}

export interface OnnxEncoderConfig {
  id: string;
  dim: number;
  cacheIdentity: string;
  maxTokens: number;
  batchSize: number;
  opened: OpenedSession;
  tokenizer: TextTokenizer;
  inputs: InputBinding;
  output: OutputBinding;
  /** Caveats repeated with every result (e.g. a tokenizer that only approximates the original). */
  notes?: readonly string[];
}

export const DEFAULT_BATCH_SIZE = 64;

/**
 * A one-row batch gets a filler row: onnxruntime (CPU) runs a batch of one on another code path whose float sums
 * differ in the last bits from those of larger batches. From two rows on, with the padded length fixed by the
 * text's own length (shapeStableBatches), a text's vector has the same bits whatever the other rows (measured on
 * both bundled models, 1 and 2 threads), so the edited rows of an incremental encode (cache.ts) get the bits a
 * full encode gives them.
 */
const MIN_BATCH_ROWS = 2;

/** The batching's name in the cache identity (shapeStableBatches' buckets and MIN_BATCH_ROWS). */
const BATCHING = 'length-buckets-4-8-16,min-2';

function countKept(ids: Int32Array, ignoreId: number | undefined): number {
  if (ignoreId === undefined) return ids.length;
  let n = 0;
  for (let t = 0; t < ids.length; t++) if (ids[t] !== ignoreId) n++;
  return n;
}

type InputTensorType = 'int64' | 'int32' | 'float32';

/** The element type a session input expects (the bundled models take a float mask, HF exports int64). */
function inputType(opened: OpenedSession, name: string): InputTensorType {
  const meta = opened.session.inputMetadata.find((m) => m.name === name);
  const type = meta && meta.isTensor ? meta.type : 'int64';
  return type === 'int32' || type === 'float32' ? type : 'int64';
}

function idsTensor(ort: Ort, type: InputTensorType, ids: BigInt64Array, dims: readonly number[]) {
  if (type === 'int64') return new ort.Tensor('int64', ids, dims);
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(ids, Number), dims);
  return new ort.Tensor('float32', Float32Array.from(ids, Number), dims);
}

function maskTensor(ort: Ort, type: InputTensorType, mask: Float32Array, dims: readonly number[]) {
  if (type === 'float32') return new ort.Tensor('float32', mask, dims);
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(mask), dims);
  return new ort.Tensor('int64', maskToInt64(mask), dims);
}

export class OnnxTextEncoder implements InferenceTextEncoder {
  readonly id: string;
  readonly dim: number;
  readonly info: EncoderInfo;

  constructor(private readonly config: OnnxEncoderConfig) {
    this.id = config.id;
    this.dim = config.dim;
    this.info = {
      id: config.id,
      dim: config.dim,
      // Batch shapes change the last bits of the vectors: entries cached under another batching are not reused.
      cacheIdentity: `${config.cacheIdentity}|batches:${BATCHING}`,
      maxTokens: config.maxTokens,
      provider: config.opened.provider,
      fallbacks: config.opened.fallbacks,
      ...(config.notes?.length ? { notes: config.notes } : {}),
    };
  }

  async encode(texts: readonly string[], opts?: EncodeOptions): Promise<Matrix<Float32Array>> {
    return (await this.encodeDetailed(texts, opts)).embeddings;
  }

  async encodeDetailed(texts: readonly string[], opts: EncodeOptions = {}): Promise<EncodeResult> {
    const { signal, progress } = opts;
    const { tokenizer, maxTokens, batchSize, dim } = this.config;
    const out = new Float32Array(texts.length * dim);
    const encodings: Encoding[] = new Array(texts.length);
    const truncatedRows: number[] = [];
    const emptyRows: number[] = [];
    /** Texts whose every token is ignored (e.g. no word in GloVe's first K): a zero vector too. */
    const unknownRows: number[] = [];
    const toRun: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      if ((i & 1023) === 0 && signal?.aborted) throw new CancelledError();
      const text = texts[i];
      if (isBlankText(text)) {
        emptyRows.push(i);
        continue;
      }
      const encoding = tokenizer.encode(text, maxTokens);
      encodings[i] = encoding;
      const { ids, truncated } = encoding;
      if (truncated) truncatedRows.push(i);
      if (countKept(ids, tokenizer.ignoreId) === 0) unknownRows.push(i);
      else toRun.push(i);
    }
    const lengths = toRun.map((i) => encodings[i]!.ids.length);
    // Shapes that depend on each text alone (tokenize/batch.ts): the same text gets the same bits in any file.
    const batches = shapeStableBatches(lengths, batchSize, maxTokens).map((b) => ({ seqLen: b.seqLen, rows: b.rows.map((j) => toRun[j]!) }));
    const padOptions = { padId: tokenizer.padId, ignoreId: tokenizer.ignoreId };
    const ort = await loadOrt();
    progress?.(`encode ${this.id}`, 0, `${texts.length} texts`);
    let done = 0;
    for (let b = 0; b < batches.length; b++) {
      // Checked before every batch: cancellation takes effect within one batch.
      if (signal?.aborted) throw new CancelledError();
      const { rows, seqLen } = batches[b]!;
      const batch = padBatch(rows.map((r) => encodings[r]!), padOptions, { seqLen, minRows: MIN_BATCH_ROWS });
      const vectors = await this.runBatch(ort, batch);
      for (let r = 0; r < rows.length; r++) out.set(vectors.subarray(r * dim, (r + 1) * dim), rows[r]! * dim);
      done += rows.length;
      progress?.(`encode ${this.id}`, (b + 1) / batches.length, `${done}/${toRun.length} texts`);
    }
    if (signal?.aborted) throw new CancelledError();
    const warnings = encodeWarnings(this.id, maxTokens, this.config.notes ?? [], { truncated: truncatedRows, empty: emptyRows, unknown: unknownRows }, texts.length);
    const zeroRows = [...emptyRows, ...unknownRows].sort((a, b) => a - b);
    return { embeddings: { rows: texts.length, cols: dim, data: out }, truncatedRows, emptyRows: zeroRows, warnings };
  }

  /** The session's feeds for one padded batch, in the element types the model declares. */
  private feeds(ort: Ort, batch: TokenBatch): Record<string, import('onnxruntime-node').Tensor> {
    const { opened, inputs } = this.config;
    const dims = [batch.batch, batch.seqLen];
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {
      [inputs.ids]: idsTensor(ort, inputType(opened, inputs.ids), batch.inputIds, dims),
    };
    if (inputs.mask) feeds[inputs.mask] = maskTensor(ort, inputType(opened, inputs.mask), batch.mask, dims);
    if (inputs.typeIds) {
      feeds[inputs.typeIds] = idsTensor(ort, inputType(opened, inputs.typeIds), new BigInt64Array(batch.inputIds.length), dims);
    }
    return feeds;
  }

  /** The output width for one text: for models whose graph leaves the embedding size symbolic. */
  async probeDim(text: string): Promise<number> {
    const ort = await loadOrt();
    const { tokenizer, maxTokens, opened, output } = this.config;
    const batch = padBatch([tokenizer.encode(text, maxTokens)], { padId: tokenizer.padId, ignoreId: tokenizer.ignoreId });
    const result = await opened.session.run(this.feeds(ort, batch), [output.name]);
    const dims = result[output.name]!.dims;
    return dims[dims.length - 1]!;
  }

  /** One session run; returns [rows x dim] in the batch's row order. */
  async runBatch(ort: Ort, batch: TokenBatch): Promise<Float32Array> {
    const { opened, output, dim } = this.config;
    const result = await opened.session.run(this.feeds(ort, batch), [output.name]);
    const tensor = result[output.name]!;
    const data = tensor.data;
    if (!(data instanceof Float32Array)) {
      throw new Error(`${this.id}: output '${output.name}' is ${tensor.type}, expected float32`);
    }
    if (output.pool) {
      if (data.length !== batch.batch * batch.seqLen * dim) {
        throw new Error(`${this.id}: output '${output.name}' has shape [${tensor.dims.join(',')}], expected [${batch.batch},${batch.seqLen},${dim}]`);
      }
      return meanPoolByMask(data, batch.mask, batch.batch, batch.seqLen, dim);
    }
    if (data.length !== batch.batch * dim) {
      throw new Error(`${this.id}: output '${output.name}' has shape [${tensor.dims.join(',')}], expected [${batch.batch},${dim}]`);
    }
    return data;
  }
}
