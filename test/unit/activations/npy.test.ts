import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy, readNpyMatrix, readNpyVector, writeNpy, type NumericArray } from '../../../src/core/activations';
import { InputError } from '../../../src/core/errors';

const NPY = resolve(__dirname, '../../fixtures/data/npy');
const numpyFile = (name: string) => new Uint8Array(readFileSync(join(NPY, name)));

/** One array of each supported element type, with values at the edges of its range. */
const SAMPLES: [string, NumericArray][] = [
  ['<f4', Float32Array.from([1.5, -2.25, 0, 3.4e38, -1e-30, 7])],
  ['<f8', Float64Array.from([Math.PI, -1e300, 0, 5e-324, 2, 3])],
  ['|i1', Int8Array.from([-128, 127, 0, 1, -1, 5])],
  ['|u1', Uint8Array.from([0, 255, 1, 2, 3, 4])],
  ['<i2', Int16Array.from([-32768, 32767, 0, 1, -1, 9])],
  ['<u2', Uint16Array.from([0, 65535, 1, 2, 3, 4])],
  ['<i4', Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, 1, -1, 8])],
  ['<u4', Uint32Array.from([0, 2 ** 32 - 1, 1, 2, 3, 4])],
  ['<i8', BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n, 6n])],
  ['<u8', BigUint64Array.from([0n, 2n ** 64n - 1n, 1n, 2n, 3n, 4n])],
];

describe('writeNpy / readNpy round trips', () => {
  for (const [dtype, data] of SAMPLES) {
    it(`${dtype} as 1-D and 2-D`, () => {
      for (const shape of [[6], [2, 3], [6, 1]]) {
        const back = readNpy(writeNpy(data, shape), 'x.npy');
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(back.data.constructor).toBe(data.constructor);
        expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(data as ArrayLike<number | bigint>));
      }
    });
  }

  it('bool (|b1) when asked for', () => {
    const back = readNpy(writeNpy(Uint8Array.from([1, 0, 1]), [3], { dtype: '|b1' }), 'b.npy');
    expect(back.dtype).toBe('|b1');
    expect(Array.from(back.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('empty arrays', () => {
    const back = readNpy(writeNpy(new Float32Array(0), [0, 4]), 'e.npy');
    expect(back.shape).toEqual([0, 4]);
    expect(back.data.length).toBe(0);
  });

  it('writes the same bytes as numpy.save', () => {
    const data = Float32Array.from([0, 1, 2, 3, 4, 5], (x) => x / 4);
    expect(writeNpy(data, [2, 3])).toEqual(numpyFile('f4_2x3.npy'));
    expect(writeNpy(BigInt64Array.from([-3n, 0n, 2n ** 40n]), [3])).toEqual(numpyFile('i8_1d.npy'));
  });

  it('keeps the data offset 64-byte aligned', () => {
    for (const shape of [[1], [12345, 678], [2, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = writeNpy(new Uint8Array(n), shape);
      expect((bytes.length - n) % 64).toBe(0);
    }
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, the array has 5/);
  });
});

describe('readNpy on files written by numpy', () => {
  it('reads float32 2-D, int64, bool, float16, big-endian and format 2.0', () => {
    expect(readNpy(numpyFile('f4_2x3.npy'), 'f')).toMatchObject({ shape: [2, 3], dtype: '<f4' });
    expect(Array.from(readNpy(numpyFile('f4_2x3.npy'), 'f').data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(Array.from(readNpy(numpyFile('i8_1d.npy'), 'i').data as BigInt64Array)).toEqual([-3n, 0n, 2n ** 40n]);
    const bool = readNpy(numpyFile('bool_1d.npy'), 'b');
    expect([bool.dtype, Array.from(bool.data as Uint8Array)]).toEqual(['|b1', [1, 0, 1]]);
    const half = readNpy(numpyFile('f2_1d.npy'), 'h');
    expect([half.dtype, Array.from(half.data as Float32Array)]).toEqual(['<f2', [1, -0.5, 65504]]);
    expect(Array.from(readNpy(numpyFile('big_endian.npy'), 'be').data as Float64Array)).toEqual([1.5, -2]);
    const v2 = readNpy(numpyFile('v2_u2.npy'), 'v2');
    expect([v2.shape, Array.from(v2.data as Uint16Array)]).toEqual([[2, 2], [1, 2, 3, 65535]]);
  });

  it('reads data that sits at an unaligned offset in its buffer (copies instead of viewing)', () => {
    const file = numpyFile('f4_2x3.npy');
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    expect(Array.from(readNpy(shifted.subarray(1), 'f').data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('reads format 3.0 headers', () => {
    const v1 = writeNpy(Float64Array.from([1, 2]), [2]);
    const headerLen = v1[8] | (v1[9] << 8);
    const v3 = new Uint8Array(v1.length + 2);
    v3.set(v1.subarray(0, 6));
    v3[6] = 3;
    new DataView(v3.buffer).setUint32(8, headerLen, true);
    v3.set(v1.subarray(10), 12);
    expect(Array.from(readNpy(v3, 'v3.npy').data as Float64Array)).toEqual([1, 2]);
  });
});

describe('readNpy errors name the file', () => {
  const error = (bytes: Uint8Array, name = 'acts.npy') => {
    try {
      readNpy(bytes, name);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).file).toBe(name);
      return (e as InputError).message;
    }
    throw new Error('expected readNpy to fail');
  };

  it('Fortran order: a 2-D array (numpy saved column after column) is read in row order; more axes are refused', () => {
    const t = readNpy(numpyFile('fortran.npy'), 'acts.npy');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float64Array)).toEqual([0, 1, 2, 3, 4, 5]);
    const header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2, 2), }";
    const three = writeNpy(new Float32Array(8), [2, 2, 2]);
    const text = new TextDecoder('latin1').decode(three.subarray(10, 10 + new DataView(three.buffer).getUint16(8, true)));
    const padded = header.padEnd(text.length - 1, ' ') + '\n';
    const bytes = new Uint8Array(three);
    for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
    expect(error(bytes)).toMatch(/^acts\.npy: .*Fortran order.*C order/);
  });

  it('bad magic', () => {
    expect(error(new TextEncoder().encode('{"not": "npy"}'))).toMatch(/acts\.npy: not a \.npy file/);
  });

  it('truncated data and truncated header', () => {
    const full = writeNpy(new Float32Array(6), [2, 3]);
    expect(error(full.subarray(0, full.length - 4))).toMatch(/truncated data: shape \(2, 3\) of <f4 needs 24 bytes, the file has 20/);
    expect(error(full.subarray(0, 40))).toMatch(/truncated \.npy file/);
  });

  it('a header without a shape, a structured dtype, an unsupported dtype', () => {
    const withHeader = (header: string) => {
      const bytes = writeNpy(new Float32Array(1), [1]);
      const h = header.padEnd(bytes[8] - 1, ' ') + '\n';
      for (let i = 0; i < h.length; i++) bytes[10 + i] = h.charCodeAt(i);
      return bytes;
    };
    expect(error(withHeader("{'descr': '<f4', 'fortran_order': False, }"))).toMatch(/bad \.npy header/);
    expect(error(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"))).toMatch(/structured/);
    expect(error(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"))).toMatch(/unsupported dtype '<c8'/);
  });
});

describe('readNpyMatrix and readNpyVector', () => {
  it('casts to float32 and turns 1-D into one column', () => {
    const m = readNpyMatrix(writeNpy(Int32Array.from([1, 2, 3]), [3]), 'v.npy');
    expect(m.rows).toBe(3);
    expect(m.cols).toBe(1);
    expect(m.data).toEqual(Float32Array.from([1, 2, 3]));
    const big = readNpyMatrix(writeNpy(BigInt64Array.from([5n, 6n]), [1, 2]), 'b.npy');
    expect([big.rows, big.cols, Array.from(big.data)]).toEqual([1, 2, [5, 6]]);
  });

  it('keeps float32 data without copying', () => {
    const bytes = writeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    expect(readNpyMatrix(bytes, 'a.npy').data.buffer).toBe(bytes.buffer);
  });

  it('names the first row with a non-finite value', () => {
    const data = Float64Array.from([0, 1, 2, 3, NaN, 5, Infinity, 7]);
    expect(() => readNpyMatrix(writeNpy(data, [4, 2]), 'w.npy')).toThrow(/^w\.npy: row 2 \(0-based\), column 0: the value is NaN/);
    expect(() => readNpyMatrix(writeNpy(Float64Array.from([1, 1e300]), [2]), 'w.npy')).toThrow(/row 1 .*too large for float32/);
  });

  it('refuses more than two dimensions', () => {
    expect(() => readNpyMatrix(writeNpy(new Float32Array(8), [2, 2, 2]), 'c.npy')).toThrow(/c\.npy: expected a 1-D or 2-D array.*\(2, 2, 2\)/);
  });

  it('reads vectors as float64, accepting n x 1', () => {
    expect(readNpyVector(writeNpy(Float32Array.from([0.5, 1]), [2, 1]), 'p.npy')).toEqual(Float64Array.from([0.5, 1]));
    expect(() => readNpyVector(writeNpy(new Float32Array(4), [2, 2]), 'p.npy')).toThrow(/p\.npy: expected a 1-D array/);
    expect(() => readNpyVector(writeNpy(Float64Array.from([1, NaN]), [2]), 'p.npy')).toThrow(/row 1/);
  });
});
