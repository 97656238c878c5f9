import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { attrFloat, OnnxGraphBuilder } from '../../../src/inference/onnx/builder';

describe('OnnxGraphBuilder', () => {
  it('builds a graph with dynamic dims, initializers and attributes that onnxruntime runs correctly', async () => {
    const g = new OnnxGraphBuilder({ name: 'tiny', opset: 17 });
    g.input('x', 'float32', ['batch', 3]);
    g.input('ids', 'int64', ['batch']);
    const w = g.initializer('w', 'float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    const table = g.initializer('table', 'float32', Float32Array.from([10, 20, 30]), [3]);
    const mm = g.op('MatMul', ['x', w]);
    const lr = g.op('LeakyRelu', [mm], { alpha: attrFloat(1) });
    g.node('ReduceSum', [lr, g.constI64([1])], ['rowsum'], { keepdims: 0 });
    g.node('Gather', [table, 'ids'], ['picked'], { axis: 0 });
    g.output('rowsum', 'float32', ['batch']);
    g.output('picked', 'float32', ['batch']);
    const session = await ort.InferenceSession.create(g.serialize());
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, -1]), [2, 3]),
      ids: new ort.Tensor('int64', BigInt64Array.from([2n, 0n]), [2]),
    });
    expect(Array.from(out.rowsum!.data as Float32Array)).toEqual([3, -4]);
    expect(Array.from(out.picked!.data as Float32Array)).toEqual([30, 10]);
  });

  it('rejects wiring mistakes and mismatched data at build time', () => {
    const g = new OnnxGraphBuilder({ name: 'bad', opset: 17 });
    expect(() => g.op('Relu', ['nope'])).toThrow(/'nope', which is not defined/);
    expect(() => g.initializer('w', 'int64', new Float32Array(2), [2])).toThrow(/BigInt64Array/);
    expect(() => g.initializer('w', 'float32', new Float32Array(2), [3])).toThrow(/hold 3 values/);
    g.output('y', 'float32');
    expect(() => g.serialize()).toThrow(/'y' is never produced/);
  });
});
