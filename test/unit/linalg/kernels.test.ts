/**
 * The WebAssembly SIMD kernels: the committed bytes (kernels.wasm.ts) are what kernels.wat assembles to, and every
 * kernel computes what its JavaScript loop computes, tails (lengths not a multiple of the unroll) included.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_WASM } from '../../../src/core/linalg/kernels.wasm';
import { simdWorkspace } from '../../../src/core/linalg/simd';
import { assembleKernels, kernelsModuleSource, MODULE_PATH, WAT_PATH } from '../../../scripts/kernels';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('kernels.wat', () => {
  it('assembles to the committed module (run `npm run build:kernels` after editing it)', async () => {
    const wat = fs.readFileSync(WAT_PATH, 'utf8');
    const bytes = await assembleKernels(wat);
    expect(Array.from(bytes)).toEqual(KERNELS_WASM);
    expect(fs.readFileSync(MODULE_PATH, 'utf8')).toBe(kernelsModuleSource(bytes, wat));
  });

  it('fails to assemble a kernel that does not type-check (the build stops instead of shipping it)', async () => {
    const wat = fs.readFileSync(WAT_PATH, 'utf8').replace('(local.get $s))', '(local.get $x))');
    await expect(assembleKernels(wat)).rejects.toThrow();
  });
});

describe('the kernels against their JavaScript loops', () => {
  const r = rng(7);
  const ws = simdWorkspace(1 << 20)!;
  it('are available here', () => expect(ws).not.toBeNull());

  for (const len of [0, 1, 7, 8, 9, 31, 64, 1023]) {
    it(`dot, axpy, axpy64, rot64 at length ${len}`, () => {
      const X = 0; // f32 row
      const V = 16384; // f64 slots (byte offsets)
      const Y = V + 8 * 2048;
      const Z = Y + 8 * 2048;
      for (let j = 0; j < len; j++) {
        ws.f32[X / 4 + j] = Math.fround(r());
        ws.f64[V / 8 + j] = r();
        ws.f64[Y / 8 + j] = r();
        ws.f64[Z / 8 + j] = r();
      }
      // dot: four interleaved f64 accumulators over 8-blocks, then the tail in order
      const acc = [0, 0, 0, 0, 0, 0, 0, 0];
      const n8 = len & ~7;
      for (let j = 0; j < n8; j += 8) for (let t = 0; t < 8; t++) acc[t] += ws.f32[X / 4 + j + t]! * ws.f64[V / 8 + j + t]!;
      let want = (acc[0]! + acc[2]! + (acc[4]! + acc[6]!)) + (acc[1]! + acc[3]! + (acc[5]! + acc[7]!));
      for (let j = n8; j < len; j++) want += ws.f32[X / 4 + j]! * ws.f64[V / 8 + j]!;
      expect(ws.dot(X, V, len)).toBeCloseTo(want, 12);

      const alpha = r();
      const y0 = Array.from(ws.f64.subarray(Y / 8, Y / 8 + len));
      ws.axpy(alpha, X, Y, len);
      for (let j = 0; j < len; j++) expect(ws.f64[Y / 8 + j]).toBe(y0[j]! + alpha * ws.f32[X / 4 + j]!);

      const z0 = Array.from(ws.f64.subarray(Z / 8, Z / 8 + len));
      ws.axpy64(alpha, V, Z, len);
      for (let j = 0; j < len; j++) expect(ws.f64[Z / 8 + j]).toBe(z0[j]! + alpha * ws.f64[V / 8 + j]!);

      const [c, s] = [Math.cos(0.3), Math.sin(0.3)];
      const u0 = Array.from(ws.f64.subarray(Y / 8, Y / 8 + len));
      const t0 = Array.from(ws.f64.subarray(Z / 8, Z / 8 + len));
      ws.rot64(c, s, Y, Z, len);
      for (let j = 0; j < len; j++) {
        expect(ws.f64[Z / 8 + j]).toBe(s * u0[j]! + c * t0[j]!);
        expect(ws.f64[Y / 8 + j]).toBe(c * u0[j]! - s * t0[j]!);
      }
    });
  }

  it('block4x2: 4 query rows against 2 * pairs key rows, zero-padded rows', () => {
    const dim = 10;
    const rowFloats = 12; // padded to a multiple of 4
    const rowBytes = rowFloats * 4;
    const pairs = 3;
    const Q = 0;
    const K = Q + 4 * rowBytes;
    const OUT = K + 2 * pairs * rowBytes;
    ws.f32.fill(0, 0, OUT / 4 + 8 * pairs);
    for (let a = 0; a < 4; a++) for (let j = 0; j < dim; j++) ws.f32[Q / 4 + a * rowFloats + j] = Math.fround(r());
    for (let b = 0; b < 2 * pairs; b++) for (let j = 0; j < dim; j++) ws.f32[K / 4 + b * rowFloats + j] = Math.fround(r());
    ws.block4x2(Q, K, pairs, rowBytes, OUT);
    for (let p = 0; p < pairs; p++) {
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 2; b++) {
          let want = 0;
          for (let j = 0; j < dim; j++) want += ws.f32[Q / 4 + a * rowFloats + j]! * ws.f32[K / 4 + (2 * p + b) * rowFloats + j]!;
          expect(ws.f32[OUT / 4 + 8 * p + 2 * a + b]).toBeCloseTo(want, 5);
        }
      }
    }
  });
});
