/**
 * The WebAssembly SIMD kernels: the committed bytes (kernels.wasm.ts) are what kernels.wat assembles to, and every
 * kernel computes what its JavaScript loop computes, tails (lengths not a multiple of the unroll) included.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_WASM } from '../../../src/core/linalg/kernels.wasm';
import { dot64 } from '../../../src/core/linalg/eigen';
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

  for (const len of [0, 1, 2, 7, 8, 9, 31, 64, 1023]) {
    it(`dot64, dotAxpy64, rank2_64 at length ${len}: the bits of eigen.ts's loops`, () => {
      const X = 8; // an odd slot: rows of the tridiagonalisation start anywhere
      const D = X + 8 * 2048;
      const E = D + 8 * 2048;
      const F = E + 8 * 2048;
      for (let j = 0; j < len; j++) {
        ws.f64[X / 8 + j] = r() * 1e3;
        ws.f64[D / 8 + j] = r();
        ws.f64[E / 8 + j] = r() / 7;
        ws.f64[F / 8 + j] = r();
      }
      ws.f64[E / 8 + len] = 12345; // a sentinel past the row
      const x = ws.f64.subarray(X / 8, X / 8 + len);
      const d = ws.f64.subarray(D / 8, D / 8 + len);
      const want = dot64(ws.f64, X / 8, ws.f64, D / 8, len);
      // dot64 is a sum in a fixed order: a plain sum agrees to rounding, the kernel to the bit
      let plain = 0;
      for (let j = 0; j < len; j++) plain += x[j]! * d[j]!;
      expect(want).toBeCloseTo(plain, 6);
      expect(ws.dot64(X, D, len)).toBe(want);

      const alpha = r();
      const e0 = Array.from(ws.f64.subarray(E / 8, E / 8 + len));
      expect(ws.dotAxpy64(alpha, X, D, E, len)).toBe(want);
      for (let j = 0; j < len; j++) expect(ws.f64[E / 8 + j]).toBe(e0[j]! + x[j]! * alpha);
      expect(ws.f64[E / 8 + len]).toBe(12345);

      const [f, g] = [r(), r()];
      const y0 = Array.from(ws.f64.subarray(F / 8, F / 8 + len));
      ws.rank2_64(f, g, E, D, F, len);
      for (let j = 0; j < len; j++) expect(ws.f64[F / 8 + j]).toBe(y0[j]! - (f * ws.f64[E / 8 + j]! + g * d[j]!));
    });
  }

  for (const len of [0, 1, 2, 3, 8, 9, 4097]) {
    it(`axpyDot64 at length ${len}: the bits of lbfgs.ts's axpyDot (the update, then the dot in its two partial sums)`, () => {
      const D = 16;
      const X = D + 8 * 4100;
      const W = X + 8 * 4100;
      for (let j = 0; j < len; j++) {
        ws.f64[D / 8 + j] = r() * 1e3;
        ws.f64[X / 8 + j] = r();
        ws.f64[W / 8 + j] = r() * 7;
      }
      ws.f64[D / 8 + len] = 4321; // a sentinel past the vector
      for (const scale of [1, 0.37]) {
        const c = r();
        const d0 = Array.from(ws.f64.subarray(D / 8, D / 8 + len));
        const d = d0.map((v, j) => (v + c * ws.f64[X / 8 + j]!) * scale);
        let s0 = 0;
        let s1 = 0;
        for (let j = 0; j + 1 < len; j += 2) {
          s0 += ws.f64[W / 8 + j]! * d[j]!;
          s1 += ws.f64[W / 8 + j + 1]! * d[j + 1]!;
        }
        if (len % 2 === 1) s0 += ws.f64[W / 8 + len - 1]! * d[len - 1]!;
        expect(ws.axpyDot64(D, c, X, W, scale, len)).toBe(s0 + s1);
        expect(Array.from(ws.f64.subarray(D / 8, D / 8 + len))).toEqual(d);
        expect(ws.f64[D / 8 + len]).toBe(4321);
      }
    });
  }

  for (const [rows, len] of [[2, 8], [5, 13], [9, 1], [33, 64], [17, 0]] as const) {
    it(`rotseq64: a sweep of ${rows - 1} rotations over ${rows} rows of ${len} equals rot64 one rotation at a time`, () => {
      const rowBytes = 8 * len;
      const A = 64; // the sweep's top row; the kernel gets the bottom one
      const B = A + rows * rowBytes + 64; // the same rows, rotated with rot64
      const CS = B + rows * rowBytes + 64;
      for (let t = 0; t < rows * len; t++) ws.f64[A / 8 + t] = ws.f64[B / 8 + t] = r();
      ws.f64[A / 8 + rows * len] = 777; // a sentinel past the last row
      for (let q = 0; q < rows - 1; q++) {
        const angle = r() * 6;
        const [c, s] = [Math.cos(angle), Math.sin(angle)];
        ws.f64.set([c, c, s, s], CS / 8 + 4 * q);
        const i = rows - 2 - q; // rotation q turns rows i and i + 1, bottom up
        ws.rot64(c, s, B + i * rowBytes, B + (i + 1) * rowBytes, len);
      }
      ws.rotseq64(CS, rows - 1, A + (rows - 1) * rowBytes, rowBytes, len);
      expect(Array.from(ws.f64.subarray(A / 8, A / 8 + rows * len))).toEqual(Array.from(ws.f64.subarray(B / 8, B / 8 + rows * len)));
      expect(ws.f64[A / 8 + rows * len]).toBe(777);
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
