/**
 * Optional WebAssembly SIMD row kernels: the same dot and axpy as gemv.ts (Float32 rows against Float64 vectors,
 * Float64 accumulation), two lanes at a time. JavaScript tops out near one multiply-add per nanosecond on these
 * loops; the SIMD versions run several times faster, which is most of a probe fit's time. Two Float64 x Float64
 * kernels (axpy64, rot64) serve the eigendecomposition and the ridge map's n x n products (eigen.ts, ridgeLoo.ts).
 *
 * The kernels are written as text in kernels.wat (each with its algorithm in comments) and assembled at development
 * time by `npm run build:kernels` (wabt) into kernels.wasm.ts, about 3 KB that ship in the bundle: no toolchain, file
 * or network at run time. WebAssembly is a standard global in Node, Electron and browsers. When it is missing or lacks
 * SIMD, `simdWorkspace()` returns null and callers keep the JavaScript loops, which compute the same sums in a
 * different order (results agree to rounding).
 *
 * Memory is imported, so a caller sizes one `WebAssembly.Memory` per problem and lets the GC drop it afterwards.
 */
import { KERNELS_WASM } from './kernels.wasm';

// --- the kernels -------------------------------------------------------------------------------------------

/** A problem's memory: a Float32 matrix region followed by Float64 vector slots. Offsets are in bytes. */
export interface SimdWorkspace {
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** sum_j f32[x/4 + j] * f64[v/8 + j]. */
  dot(x: number, v: number, len: number): number;
  /** f64[y/8 + j] += alpha * f32[x/4 + j]. */
  axpy(alpha: number, x: number, y: number, len: number): void;
  /** Dots of 4 query rows with 2 * pairs key rows into f32 at out (see kernels.wat). */
  block4x2(q: number, k: number, pairs: number, rowBytes: number, out: number): void;
  /** f64[y/8 + j] += alpha * f64[x/8 + j] (Float64 rows; bitwise the JavaScript loop's result). */
  axpy64(alpha: number, x: number, y: number, len: number): void;
  /** The plane rotation of two Float64 rows at r0 and r1 (see kernels.wat). */
  rot64(c: number, s: number, r0: number, r1: number, len: number): void;
  /** sum_j f64[x/8 + j] * f64[y/8 + j], in eigen.ts's dot64 order (four two-lane accumulators, then the tail). */
  dot64(x: number, y: number, len: number): number;
  /** dot64(x, d, len), and f64[e/8 + j] += alpha * f64[x/8 + j], in one pass over x. */
  dotAxpy64(alpha: number, x: number, d: number, e: number, len: number): number;
  /** f64[y/8 + j] -= f * f64[e/8 + j] + g * f64[d/8 + j]. */
  rank2_64(f: number, g: number, e: number, d: number, y: number, len: number): void;
  /** One QL sweep of `count` rotations (c, c, s, s per rotation at cs) on Float64 rows rowBytes apart, the last at bottom. */
  rotseq64(cs: number, count: number, bottom: number, rowBytes: number, len: number): void;
  /** f64[d/8 + j] = (f64[d/8 + j] + c f64[x/8 + j]) * scale, then sum_j f64[w/8 + j] f64[d/8 + j] (lbfgs.ts axpyDot, bitwise). */
  axpyDot64(d: number, c: number, x: number, w: number, scale: number, len: number): number;
}

const PAGE = 65536;
/** Above this the copy into WebAssembly memory is not worth its memory (and wasm32 addresses 4 GiB at most). */
export const SIMD_MAX_BYTES = 2 ** 30;

/** The few WebAssembly APIs used here (core compiles without DOM typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => WasmMemory;
}

const wasm: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function compile(): object | null {
  if (compiled !== undefined) return compiled;
  let mod: object | null = null;
  try {
    const bytes = Uint8Array.from(KERNELS_WASM);
    if (wasm && wasm.validate(bytes)) mod = new wasm.Module(bytes);
  } catch {
    mod = null;
  }
  compiled = mod;
  return mod;
}

let disabled = false;

/** Turns the SIMD kernels off (or back on), e.g. to compare with the JavaScript loops. */
export function setSimdEnabled(enabled: boolean): void {
  disabled = !enabled;
}

/** A workspace of at least `bytes` bytes, or null when WebAssembly SIMD is unavailable, disabled or too small. */
export function simdWorkspace(bytes: number): SimdWorkspace | null {
  if (disabled || bytes > SIMD_MAX_BYTES) return null;
  const mod = compile();
  if (!mod) return null;
  let memory: WasmMemory;
  try {
    memory = new wasm!.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  } catch {
    return null; // out of memory for the copy: the JavaScript loops need none
  }
  const inst = new wasm!.Instance(mod, { env: { memory } });
  const ex = inst.exports as unknown as Omit<SimdWorkspace, 'f32' | 'f64'>;
  return {
    f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer),
    dot: ex.dot, axpy: ex.axpy, block4x2: ex.block4x2, axpy64: ex.axpy64, rot64: ex.rot64,
    dot64: ex.dot64, dotAxpy64: ex.dotAxpy64, rank2_64: ex.rank2_64, rotseq64: ex.rotseq64, axpyDot64: ex.axpyDot64,
  };
}

/** Whether this runtime has the SIMD kernels. */
export function simdAvailable(): boolean {
  return !disabled && compile() !== null;
}
