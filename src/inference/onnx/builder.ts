/**
 * A small typed helper over onnx-proto (`onnx.ModelProto`) for writing ONNX graphs from TypeScript: the bundled
 * encoders (scripts/build-models.ts) and the alignment kernel are built with it.
 *
 * Usage:
 *   const g = new OnnxGraphBuilder({ name: 'glove-mean', opset: 17 });
 *   g.input('input_ids', 'int64', ['batch', 'seq']);          // strings are dynamic (symbolic) dims
 *   const table = g.initializer('table', 'float32', table32, [rows, 100]);
 *   const emb = g.op('Gather', [table, 'input_ids'], { axis: 0 }); // fresh output name
 *   g.node('Identity', [emb], ['out']);                         // explicit output names
 *   g.output('out', 'float32', ['batch', 'seq', 100]);
 *   const bytes = g.serialize();
 *
 * The API is stable: other modules depend on it.
 */
import { onnx } from 'onnx-proto';

/** Element types supported for inputs, outputs and initializers. */
export type OnnxElemType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8' | 'float16';

/** A dimension: a fixed size (number), a symbolic dynamic dim (string, e.g. 'batch'), or unknown (null). */
export type OnnxDim = number | string | null;

/** Typed data accepted for initializers; the array type must match the declared element type. */
export type OnnxTensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array;

/** Explicitly typed attribute values, for when a plain number would be ambiguous (1.0 as a float). */
export interface OnnxAttrTagged {
  readonly kind: 'float' | 'int' | 'floats' | 'ints' | 'string' | 'strings' | 'tensor';
  readonly value: unknown;
}

/**
 * An attribute value. Plain numbers: integers become INT, others FLOAT (wrap with `attrFloat` to force FLOAT, e.g.
 * `alpha: attrFloat(1)`). Plain number arrays: all-integer -> INTS, else FLOATS. Strings -> STRING.
 */
export type OnnxAttrValue = number | string | readonly number[] | readonly string[] | OnnxAttrTagged;
export type OnnxAttrs = Readonly<Record<string, OnnxAttrValue | undefined>>;

export const attrFloat = (value: number): OnnxAttrTagged => ({ kind: 'float', value });
export const attrInt = (value: number): OnnxAttrTagged => ({ kind: 'int', value });
export const attrFloats = (value: readonly number[]): OnnxAttrTagged => ({ kind: 'floats', value });
export const attrInts = (value: readonly number[]): OnnxAttrTagged => ({ kind: 'ints', value });
/** A TENSOR attribute (e.g. for `Constant` or `ConstantOfShape`). */
export const attrTensor = (type: OnnxElemType, data: OnnxTensorData, dims: readonly number[]): OnnxAttrTagged => ({
  kind: 'tensor',
  value: makeTensor('', type, data, dims),
});

export interface OnnxGraphBuilderOptions {
  /** Graph name, also used as a prefix-free identifier in the model. */
  name: string;
  /** Default-domain opset version (e.g. 17). */
  opset: number;
  /** Extra opset imports, e.g. { 'com.microsoft': 1 }. */
  extraOpsets?: Readonly<Record<string, number>>;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** IR version; defaults to 8 (fits opset 13-17 and every onnxruntime >= 1.10). */
  irVersion?: number;
}

const ELEM_TYPE: Record<OnnxElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  float16: onnx.TensorProto.DataType.FLOAT16,
};

const ARRAY_FOR_TYPE: Record<OnnxElemType, string> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int32: 'Int32Array',
  int64: 'BigInt64Array',
  bool: 'Uint8Array',
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  float16: 'Uint16Array',
};

/** Raw little-endian bytes of a typed array (ONNX raw_data is little-endian; so are all Node targets). */
function rawBytes(data: OnnxTensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function makeTensor(name: string, type: OnnxElemType, data: OnnxTensorData, dims: readonly number[]): onnx.TensorProto {
  const expectedCtor = ARRAY_FOR_TYPE[type];
  if (data.constructor.name !== expectedCtor) {
    throw new Error(`ONNX tensor '${name}': element type ${type} needs a ${expectedCtor}, got ${data.constructor.name}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`ONNX tensor '${name}': dims [${dims.join(',')}] hold ${count} values but the data has ${data.length}`);
  }
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: ELEM_TYPE[type], rawData: rawBytes(data) });
}

function valueInfo(name: string, type: OnnxElemType, dims: readonly OnnxDim[] | undefined): onnx.ValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: ELEM_TYPE[type] };
  if (dims) {
    tensorType.shape = {
      dim: dims.map((d) => (d === null ? {} : typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
    };
  }
  return onnx.ValueInfoProto.create({ name, type: { tensorType } });
}

function isTagged(v: OnnxAttrValue): v is OnnxAttrTagged {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v;
}

function makeAttribute(name: string, value: OnnxAttrValue): onnx.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  const enc = (s: string) => new TextEncoder().encode(s);
  if (isTagged(value)) {
    switch (value.kind) {
      case 'float':
        return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value.value as number });
      case 'int':
        return onnx.AttributeProto.create({ name, type: T.INT, i: value.value as number });
      case 'floats':
        return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...(value.value as number[])] });
      case 'ints':
        return onnx.AttributeProto.create({ name, type: T.INTS, ints: [...(value.value as number[])] });
      case 'string':
        return onnx.AttributeProto.create({ name, type: T.STRING, s: enc(value.value as string) });
      case 'strings':
        return onnx.AttributeProto.create({ name, type: T.STRINGS, strings: (value.value as string[]).map(enc) });
      case 'tensor':
        return onnx.AttributeProto.create({ name, type: T.TENSOR, t: value.value as onnx.ITensorProto });
    }
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? onnx.AttributeProto.create({ name, type: T.INT, i: value })
      : onnx.AttributeProto.create({ name, type: T.FLOAT, f: value });
  }
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: enc(value) });
  const arr = value as readonly (number | string)[];
  if (arr.every((x) => typeof x === 'string')) {
    return onnx.AttributeProto.create({ name, type: T.STRINGS, strings: (arr as string[]).map(enc) });
  }
  const nums = arr as readonly number[];
  return nums.every((x) => Number.isInteger(x))
    ? onnx.AttributeProto.create({ name, type: T.INTS, ints: [...nums] })
    : onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...nums] });
}

export class OnnxGraphBuilder {
  private readonly inputs: onnx.ValueInfoProto[] = [];
  private readonly outputs: onnx.ValueInfoProto[] = [];
  private readonly initializers: onnx.TensorProto[] = [];
  private readonly nodes: onnx.NodeProto[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs): used to catch wiring mistakes early. */
  private readonly defined = new Set<string>();
  private counter = 0;

  constructor(private readonly options: OnnxGraphBuilderOptions) {}

  /** Number of nodes added so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** A fresh value name that has not been used in this graph. */
  fresh(hint = 't'): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.defined.has(name));
    return name;
  }

  /** Declares a graph input; `dims` entries that are strings are dynamic (symbolic) dimensions. Returns the name. */
  input(name: string, type: OnnxElemType, dims: readonly OnnxDim[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output (the value must be produced by a node, an input or an initializer). */
  output(name: string, type: OnnxElemType, dims?: readonly OnnxDim[]): string {
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Adds a constant tensor (initializer). Returns its name. */
  initializer(name: string, type: OnnxElemType, data: OnnxTensorData, dims: readonly number[]): string {
    const tensor = makeTensor(name, type, data, dims);
    this.define(name);
    this.initializers.push(tensor);
    return name;
  }

  /** Shorthand: a float32 constant with a generated name (scalar when dims is omitted and there is one value). */
  constF32(values: readonly number[] | Float32Array, dims?: readonly number[], hint = 'c'): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.initializer(this.fresh(hint), 'float32', data, dims ?? (data.length === 1 ? [] : [data.length]));
  }

  /** Shorthand: an int64 constant with a generated name (e.g. axes, shapes); a 1-D tensor unless dims says otherwise. */
  constI64(values: readonly (number | bigint)[], dims?: readonly number[], hint = 'c'): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    return this.initializer(this.fresh(hint), 'int64', data, dims ?? [data.length]);
  }

  /** Adds a node with explicit output names. Empty-string inputs mark omitted optional inputs. Returns `outputs`. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: OnnxAttrs = {}, opts: { name?: string; domain?: string } = {}): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.defined.has(i)) {
        throw new Error(`ONNX graph '${this.options.name}': ${opType} node reads '${i}', which is not defined yet`);
      }
    }
    for (const o of outputs) this.define(o);
    const attribute = Object.entries(attrs)
      .filter((e): e is [string, OnnxAttrValue] => e[1] !== undefined)
      .map(([k, v]) => makeAttribute(k, v));
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        input: [...inputs],
        output: [...outputs],
        name: opts.name ?? `${opType}_${this.nodes.length}`,
        domain: opts.domain ?? '',
        attribute,
      }),
    );
    return [...outputs];
  }

  /** Adds a single-output node and returns its freshly named output. */
  op(opType: string, inputs: readonly string[], attrs: OnnxAttrs = {}, outputName?: string): string {
    return this.node(opType, inputs, [outputName ?? this.fresh(opType.toLowerCase())], attrs)[0]!;
  }

  /** Adds a node with `count` outputs (e.g. Split) and returns their fresh names. */
  opMulti(opType: string, inputs: readonly string[], count: number, attrs: OnnxAttrs = {}): string[] {
    const outs = Array.from({ length: count }, () => this.fresh(opType.toLowerCase()));
    return this.node(opType, inputs, outs, attrs);
  }

  /** The assembled model. Throws if an output is never produced. */
  build(): onnx.ModelProto {
    for (const o of this.outputs) {
      if (!this.defined.has(o.name)) throw new Error(`ONNX graph '${this.options.name}': output '${o.name}' is never produced`);
    }
    const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: this.options.opset }];
    for (const [domain, version] of Object.entries(this.options.extraOpsets ?? {})) opsetImport.push({ domain, version });
    return onnx.ModelProto.create({
      irVersion: this.options.irVersion ?? 8,
      producerName: this.options.producerName ?? 'overlap-density',
      producerVersion: this.options.producerVersion ?? '',
      docString: this.options.docString ?? '',
      opsetImport,
      graph: onnx.GraphProto.create({
        name: this.options.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      }),
    });
  }

  /** The model as ONNX protobuf bytes, ready for `InferenceSession.create(bytes)` or a file. */
  serialize(): Uint8Array {
    return onnx.ModelProto.encode(this.build()).finish();
  }

  private define(name: string): void {
    if (name === '') throw new Error(`ONNX graph '${this.options.name}': empty value name`);
    if (this.defined.has(name)) throw new Error(`ONNX graph '${this.options.name}': value '${name}' is defined twice`);
    this.defined.add(name);
  }
}
