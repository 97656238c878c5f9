/**
 * The .npy round trip: every element type and shape that writeNpy writes reads back bit for bit; the same bytes as a
 * Node Buffer (what readFile returns), at an unaligned offset, in format 2.0, or big-endian read back the same values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readNpy, readNpyMatrix, writeNpy, type NumericArray } from '../../../src/core/activations';
import { checkProperty } from './count';

type Kind = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'b1';
const KINDS: Kind[] = ['f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'b1'];

/** Random values of one element type (floats: any bit pattern, so NaN payloads, -0 and subnormals too). */
function values(kind: Kind, n: number, seed: number): NumericArray {
  const bytes = new Uint8Array(n * size(kind));
  let s = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    bytes[i] = s & 0xff;
  }
  switch (kind) {
    case 'f4': return new Float32Array(bytes.buffer);
    case 'f8': return new Float64Array(bytes.buffer);
    case 'i1': return new Int8Array(bytes.buffer);
    case 'u1': return bytes;
    case 'b1': return bytes.map((b) => b & 1);
    case 'i2': return new Int16Array(bytes.buffer);
    case 'u2': return new Uint16Array(bytes.buffer);
    case 'i4': return new Int32Array(bytes.buffer);
    case 'u4': return new Uint32Array(bytes.buffer);
    case 'i8': return new BigInt64Array(bytes.buffer);
    case 'u8': return new BigUint64Array(bytes.buffer);
  }
}

function size(kind: Kind): number {
  return Number(kind.slice(1));
}

const bytesOf = (a: NumericArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The same array as format 2.0 (4-byte header length, data still 64-byte aligned). */
function toVersion2(v1: Uint8Array): Uint8Array {
  const headerLen = v1[8] | (v1[9] << 8);
  const dict = new TextDecoder('latin1').decode(v1.subarray(10, 10 + headerLen)).trimEnd();
  const pad = (64 - ((12 + dict.length + 1) % 64)) % 64;
  const header = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(12 + header.length + (v1.length - 10 - headerLen));
  out.set(v1.subarray(0, 6));
  out[6] = 2;
  new DataView(out.buffer).setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[12 + i] = header.charCodeAt(i);
  out.set(v1.subarray(10 + headerLen), 12 + header.length);
  return out;
}

/** The same array stored big-endian ('>' in the descr, every element's bytes reversed). */
function toBigEndian(v1: Uint8Array, itemSize: number): Uint8Array {
  const headerLen = v1[8] | (v1[9] << 8);
  const out = v1.slice();
  const at = 10 + v1.subarray(10, 10 + headerLen).indexOf(0x3c); // the '<' of the descr
  if (itemSize > 1) out[at] = 0x3e; // '>'
  for (let i = 10 + headerLen; i < out.length; i += itemSize) out.subarray(i, i + itemSize).reverse();
  return out;
}

const shapes = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });

describe('.npy round trip (fast-check)', () => {
  it('writeNpy -> readNpy gives back shape, dtype and every bit, for every element type', async () => {
    await checkProperty(
      'npy: write/read round trip',
      fc.asyncProperty(fc.constantFrom(...KINDS), shapes, fc.integer(), async (kind, shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = values(kind, n, seed);
        const file = writeNpy(data, shape, kind === 'b1' ? { dtype: '|b1' } : {});
        expect(file.length % 64, 'data starts 64-byte aligned').toBe((data.byteLength) % 64);
        const back = readNpy(file, 'a.npy');
        expect(back.shape).toEqual(shape);
        expect(back.dtype.slice(1)).toBe(kind);
        expect(bytesOf(back.data)).toEqual(bytesOf(data));
      }),
      2000,
    );
  });

  it('reads the same values from a Buffer, at an unaligned offset, in format 2.0 and big-endian', async () => {
    await checkProperty(
      'npy: buffer / unaligned / v2 / big-endian',
      fc.asyncProperty(fc.constantFrom(...KINDS), shapes, fc.integer(), fc.integer({ min: 1, max: 7 }), async (kind, shape, seed, shift) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = values(kind, n, seed);
        const v1 = writeNpy(data, shape, kind === 'b1' ? { dtype: '|b1' } : {});
        const unaligned = new Uint8Array(v1.length + shift).subarray(shift);
        unaligned.set(v1);
        const variants: [string, Uint8Array][] = [
          ['Buffer', Buffer.from(v1)],
          ['unaligned', unaligned],
          ['unaligned Buffer', Buffer.concat([Buffer.alloc(shift), Buffer.from(v1)]).subarray(shift)],
          ['format 2.0', toVersion2(v1)],
          ['big-endian Buffer', Buffer.from(toBigEndian(v1, size(kind)))],
        ];
        for (const [what, bytes] of variants) {
          const before = Buffer.from(bytes);
          const back = readNpy(bytes, 'a.npy');
          expect(back.shape, what).toEqual(shape);
          expect(bytesOf(back.data), what).toEqual(bytesOf(data));
          expect(Buffer.from(bytes).equals(before), `${what}: the input bytes are not modified`).toBe(true);
        }
      }),
      1000,
    );
  });

  it('readNpyMatrix turns finite float data of any 1-D or 2-D shape into the same float32 matrix', async () => {
    await checkProperty(
      'npy: matrix of finite floats',
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(),
        fc.array(fc.double({ min: -1e30, max: 1e30, noNaN: true }), { minLength: 30, maxLength: 30 }),
        async (rows, cols, f64, oneD, pool) => {
          const c = oneD ? 1 : cols;
          const vals = pool.slice(0, rows * c);
          const arr = f64 ? Float64Array.from(vals) : Float32Array.from(vals);
          const m = readNpyMatrix(Buffer.from(writeNpy(arr, oneD ? [rows] : [rows, c])), 'm.npy');
          expect([m.rows, m.cols]).toEqual([rows, c]);
          expect(Array.from(m.data)).toEqual(Array.from(Float32Array.from(arr)));
        },
      ),
      500,
    );
  });
});
