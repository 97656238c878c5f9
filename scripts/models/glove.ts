/**
 * GloVe-mean as an ONNX graph: an embedding table whose row 0 is zeros (padding / out of vocabulary) and row i+1 is
 * the vector of the i-th most frequent word; the sentence embedding is the masked mean of the token vectors.
 */
import { OnnxGraphBuilder } from '../../src/inference/onnx/builder';

export const GLOVE_DIM = 100;

export interface GloveTable {
  /** The first `rows - 1` words in frequency order (word i has table row i + 1). */
  readonly words: readonly string[];
  /** [(words.length + 1) x dim] row-major; row 0 is zeros. */
  readonly table: Float32Array;
  readonly dim: number;
}

/** Slices the wink JSON (`words` frequency-ordered, `vectors[word]` = dim floats + 2 bookkeeping numbers). */
export function gloveTableFromWink(
  wink: { dimensions: number; words: readonly string[]; vectors: Readonly<Record<string, readonly number[]>> },
  maxWords: number,
): GloveTable {
  const dim = wink.dimensions;
  const words = wink.words.slice(0, maxWords);
  const table = new Float32Array((words.length + 1) * dim);
  words.forEach((word, i) => {
    const v = wink.vectors[word];
    if (!v || v.length < dim) throw new Error(`wink-embeddings: word '${word}' has no ${dim}-d vector`);
    for (let j = 0; j < dim; j++) table[(i + 1) * dim + j] = v[j]!;
  });
  return { words, table, dim };
}

export function buildGloveMeanOnnx(glove: GloveTable, producerVersion: string): Uint8Array {
  const g = new OnnxGraphBuilder({
    name: 'glove_mean',
    opset: 17,
    producerVersion,
    docString: `GloVe 6B ${glove.dim}-d mean (PDDL-1.0, Pennington, Socher, Manning 2014), ${glove.words.length} words`,
  });
  g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.input('mask', 'float32', ['batch', 'sequence']);
  const table = g.initializer('embeddings', 'float32', glove.table, [glove.words.length + 1, glove.dim]);
  const vectors = g.op('Gather', [table, 'input_ids'], { axis: 0 }); // [B,T,dim]
  const masked = g.op('Mul', [vectors, g.op('Unsqueeze', ['mask', g.constI64([-1])])]);
  const axisT = g.constI64([1]);
  const sum = g.op('ReduceSum', [masked, axisT], { keepdims: 0 }); // [B,dim]
  const count = g.op('Add', [g.op('ReduceSum', ['mask', axisT], { keepdims: 1 }), g.constF32([1e-9])]); // [B,1]
  g.op('Div', [sum, count], {}, 'sentence_embedding');
  g.output('sentence_embedding', 'float32', ['batch', glove.dim]);
  return g.serialize();
}
