import { describe, expect, it } from 'vitest';
import { listSafetensors, readSafetensors, readSafetensorsMatrix, type NumericArray } from '../../../src/core/activations';

interface TensorSpec {
  dtype: string;
  shape: number[];
  data: NumericArray;
}

/** Builds a safetensors file the way the reference writer does: header padded with spaces to 8 bytes. */
function safetensors(tensors: Record<string, TensorSpec>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  return withHeader(json, Object.values(tensors).map((t) => t.data));
}

function withHeader(json: string, parts: NumericArray[] = []): Uint8Array {
  const head = new TextEncoder().encode(json);
  const size = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(8 + head.length + size);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

describe('readSafetensors', () => {
  const file = safetensors(
    {
      bias: { dtype: 'F32', shape: [3], data: Float32Array.from([1, 2, 3]) },
      acts: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([0, 0.5, 1, 1.5, 2, 2.5]) },
      ids: { dtype: 'I64', shape: [2], data: BigInt64Array.from([7n, -1n]) },
    },
    { format: 'pt' },
  );

  it('lists tensors in header order and skips __metadata__', () => {
    expect(listSafetensors(file, 'a.safetensors').entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([
      ['bias', 'F32', [3]],
      ['acts', 'F32', [2, 3]],
      ['ids', 'I64', [2]],
    ]);
  });

  it('reads a tensor by name', () => {
    const t = readSafetensors(file, 'a.safetensors', 'ids');
    expect([t.name, t.dtype, t.shape, Array.from(t.data as BigInt64Array)]).toEqual(['ids', 'I64', [2], [7n, -1n]]);
  });

  it('picks the first 2-D tensor when none is named, and the only tensor when there is one', () => {
    const m = readSafetensorsMatrix(file, 'a.safetensors');
    expect([m.rows, m.cols, Array.from(m.data)]).toEqual([2, 3, [0, 0.5, 1, 1.5, 2, 2.5]]);
    const single = safetensors({ probs: { dtype: 'F64', shape: [2], data: Float64Array.from([0.25, 0.75]) } });
    expect(readSafetensors(single, 's').name).toBe('probs');
  });

  it('widens F16 and BF16 to float32', () => {
    // 1.0, -2.0, 0.5 in half precision; 1.0, -2.0, 0.5 in bfloat16.
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x3800]);
    const bf16 = Uint16Array.from([0x3f80, 0xc000, 0x3f00]);
    const bytes = safetensors({
      h: { dtype: 'F16', shape: [3], data: f16 },
      b: { dtype: 'BF16', shape: [1, 3], data: bf16 },
    });
    expect(Array.from(readSafetensors(bytes, 'x', 'h').data as Float32Array)).toEqual([1, -2, 0.5]);
    expect(Array.from(readSafetensorsMatrix(bytes, 'x', 'b').data)).toEqual([1, -2, 0.5]);
  });

  it('reads integer and byte tensors', () => {
    for (const [dtype, data] of [
      ['I32', Int32Array.from([-5, 6])],
      ['U8', Uint8Array.from([0, 255])],
      ['I16', Int16Array.from([-1, 2])],
      ['BOOL', Uint8Array.from([1, 0])],
    ] as const) {
      const t = readSafetensors(safetensors({ t: { dtype, shape: [2], data } }), 'x');
      expect(Array.from(t.data as ArrayLike<number>)).toEqual(Array.from(data));
    }
  });
});

describe('safetensors errors name the file', () => {
  const fails = (bytes: Uint8Array, pattern: RegExp, tensor?: string) =>
    expect(() => readSafetensors(bytes, 'model.safetensors', tensor)).toThrow(new RegExp(`^model\\.safetensors: .*${pattern.source}`));

  it('a header length beyond the file', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    fails(bytes, /length field says 1000 bytes but the file has 8/);
    fails(new Uint8Array(3), /too short/);
  });

  it('a header that is not JSON, or not an object', () => {
    fails(withHeader('{"a": '), /not valid UTF-8 JSON/);
    fails(withHeader('[1, 2]'), /expected a JSON object/);
  });

  it('a tensor whose offsets, size or dtype are wrong', () => {
    fails(withHeader('{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'), /"t" has data_offsets \[0, 8\] outside the 0 data bytes/);
    fails(withHeader('{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}', [new Float32Array(2)]), /"t" has 8 bytes but shape \(3,\) of F32 needs 12/);
    fails(withHeader('{"t": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}', [new Uint8Array(1)]), /unsupported dtype F8_E4M3/);
    fails(withHeader('{"t": {"dtype": "F32", "shape": "2"}}'), /"t" has no valid shape/);
  });

  it('an unknown tensor name lists the names there are', () => {
    fails(safetensors({ a: { dtype: 'F32', shape: [1, 1], data: new Float32Array(1) } }), /no tensor named "b"; the file has: a/, 'b');
  });

  it('several tensors, none 2-D', () => {
    const bytes = safetensors({ a: { dtype: 'F32', shape: [1], data: new Float32Array(1) }, b: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    fails(bytes, /none is 2-D; name the one to use \(FILE#NAME\): a, b/);
  });

  it('several 2-D tensors need a name (the first was taken silently); one 2-D tensor among 1-D ones is taken', () => {
    const two = safetensors({ a: { dtype: 'F32', shape: [1, 2], data: new Float32Array(2) }, b: { dtype: 'F32', shape: [2, 1], data: new Float32Array(2) } });
    fails(two, /several 2-D tensors \(a, b\); name the one to use as FILE#NAME/);
    const one = safetensors({ y: { dtype: 'F32', shape: [2], data: new Float32Array(2) }, acts: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } });
    expect(readSafetensorsMatrix(one, 'x.safetensors')).toMatchObject({ rows: 2, cols: 3 });
  });

  it('non-finite activations name the row', () => {
    const bytes = safetensors({ a: { dtype: 'F32', shape: [2, 2], data: Float32Array.from([0, 1, 2, -Infinity]) } });
    expect(() => readSafetensorsMatrix(bytes, 'model.safetensors')).toThrow(/model\.safetensors: row 1 \(0-based\), column 1: the value is -Infinity/);
  });
});
