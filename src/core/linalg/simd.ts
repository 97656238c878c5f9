/**
 * Optional WebAssembly SIMD row kernels: the same dot and axpy as gemv.ts (Float32 rows against Float64 vectors,
 * Float64 accumulation), two lanes at a time. JavaScript tops out near one multiply-add per nanosecond on these
 * loops; the SIMD versions run several times faster, which is most of a probe fit's time. Two Float64 x Float64
 * kernels (axpy64, rot64) serve the eigendecomposition and the ridge map's n x n products (eigen.ts, ridgeLoo.ts).
 *
 * The module is a few hundred bytes assembled below (no toolchain, no file, no network): WebAssembly is a standard global in
 * Node, Electron and browsers. When it is missing or lacks SIMD, `simdKernels()` returns null and callers keep the
 * JavaScript loops, which compute the same sums in a different order (results agree to rounding).
 *
 * Memory is imported, so a caller sizes one `WebAssembly.Memory` per problem and lets the GC drop it afterwards.
 */

// --- a minimal WebAssembly encoder -------------------------------------------------------------------------
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// instructions
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_AND = [0x71];
const I32_SHL = [0x74];
const I32_LT_U = [0x49];
const F64_ADD = [0xa0];
const F64_MUL = [0xa2];
const F64_PROMOTE_F32 = [0xbb];
const f32load = (offset: number) => [0x2a, 2, ...uleb(offset)];
const f64load = (offset: number) => [0x2b, 3, ...uleb(offset)];
const f64store = (offset: number) => [0x39, 3, ...uleb(offset)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const v128load = (offset: number) => simd(0x00, 4, ...uleb(offset));
const v128store = (offset: number) => simd(0x0b, 4, ...uleb(offset));
const load64zero = (offset: number) => simd(0x5d, 3, ...uleb(offset));
const PROMOTE_LOW = simd(0x5f);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const F64X2_SPLAT = simd(0x14);
const lane = (i: number) => simd(0x21, i);
const V128_ZERO = simd(0x0c, ...new Array(16).fill(0));
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (d: number) => [0x0c, ...uleb(d)];
const brIf = (d: number) => [0x0d, ...uleb(d)];

/** while (ptr < end) { body } as block/loop. */
function whileLess(ptr: number, end: number, body: number[]): number[] {
  return [...BLOCK, ...LOOP, ...get(ptr), ...get(end), ...I32_LT_U, 0x45 /* i32.eqz */, ...brIf(1), ...body, ...br(0), ...END, ...END];
}

/**
 * dot(x: *f32, v: *f64, len: i32) -> f64: sum_j x[j] v[j], eight elements per step in four f64x2 accumulators.
 * Locals: 3 end8 (i32), 4 end (i32), 5..8 acc (v128), 9 s (f64).
 */
function dotBody(): number[] {
  const [X, V, LEN, END8, ENDP, A0, A1, A2, A3, S] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const step = (acc: number, k: number) => [
    ...get(acc), ...get(X), ...load64zero(8 * k), ...PROMOTE_LOW, ...get(V), ...v128load(16 * k), ...F64X2_MUL, ...F64X2_ADD, ...set(acc),
  ];
  const body = [
    ...V128_ZERO, ...set(A0), ...V128_ZERO, ...set(A1), ...V128_ZERO, ...set(A2), ...V128_ZERO, ...set(A3),
    // end8 = x + (len & ~7) * 4
    ...get(X), ...get(LEN), ...i32c(-8), ...I32_AND, ...i32c(2), ...I32_SHL, ...I32_ADD, ...set(END8),
    ...whileLess(X, END8, [
      ...step(A0, 0), ...step(A1, 1), ...step(A2, 2), ...step(A3, 3),
      ...get(X), ...i32c(32), ...I32_ADD, ...set(X), ...get(V), ...i32c(64), ...I32_ADD, ...set(V),
    ]),
    ...get(A0), ...get(A1), ...F64X2_ADD, ...get(A2), ...get(A3), ...F64X2_ADD, ...F64X2_ADD, ...set(A0),
    ...get(A0), ...lane(0), ...get(A0), ...lane(1), ...F64_ADD, ...set(S),
    // tail: end = x + (len & 7) * 4
    ...get(X), ...get(LEN), ...i32c(7), ...I32_AND, ...i32c(2), ...I32_SHL, ...I32_ADD, ...set(ENDP),
    ...whileLess(X, ENDP, [
      ...get(S), ...get(X), ...f32load(0), ...F64_PROMOTE_F32, ...get(V), ...f64load(0), ...F64_MUL, ...F64_ADD, ...set(S),
      ...get(X), ...i32c(4), ...I32_ADD, ...set(X), ...get(V), ...i32c(8), ...I32_ADD, ...set(V),
    ]),
    ...get(S),
  ];
  return [...vec([[2, I32], [4, V128], [1, F64]].map(([c, t]) => [...uleb(c), t])), ...body, ...END];
}

/**
 * axpy(alpha: f64, x: *f32, y: *f64, len: i32): y[j] += alpha x[j], eight elements per step. With f64x, axpy64 over a
 * Float64 x: the same multiply then add per element as the JavaScript loop (WebAssembly SIMD has no fused
 * multiply-add), so its results are bitwise the loop's. Locals: 4 end8 (i32), 5 end (i32), 6 a (v128).
 */
function axpyBody(f64x = false): number[] {
  const [ALPHA, X, Y, LEN, END8, ENDP, A] = [0, 1, 2, 3, 4, 5, 6];
  const xBytes = f64x ? 8 : 4;
  const shift = f64x ? 3 : 2;
  const loadX = (k: number) => (f64x ? v128load(16 * k) : [...load64zero(8 * k), ...PROMOTE_LOW]);
  const step = (k: number) => [
    ...get(Y), ...get(Y), ...v128load(16 * k), ...get(X), ...loadX(k), ...get(A), ...F64X2_MUL,
    ...F64X2_ADD, ...v128store(16 * k),
  ];
  const body = [
    ...get(ALPHA), ...F64X2_SPLAT, ...set(A),
    ...get(X), ...get(LEN), ...i32c(-8), ...I32_AND, ...i32c(shift), ...I32_SHL, ...I32_ADD, ...set(END8),
    ...whileLess(X, END8, [
      ...step(0), ...step(1), ...step(2), ...step(3),
      ...get(X), ...i32c(8 * xBytes), ...I32_ADD, ...set(X), ...get(Y), ...i32c(64), ...I32_ADD, ...set(Y),
    ]),
    ...get(X), ...get(LEN), ...i32c(7), ...I32_AND, ...i32c(shift), ...I32_SHL, ...I32_ADD, ...set(ENDP),
    ...whileLess(X, ENDP, [
      ...get(Y), ...get(Y), ...f64load(0), ...get(X), ...(f64x ? f64load(0) : [...f32load(0), ...F64_PROMOTE_F32]), ...get(ALPHA),
      ...F64_MUL, ...F64_ADD, ...f64store(0),
      ...get(X), ...i32c(xBytes), ...I32_ADD, ...set(X), ...get(Y), ...i32c(8), ...I32_ADD, ...set(Y),
    ]),
  ];
  return [...vec([[2, I32], [1, V128]].map(([c, t]) => [...uleb(c), t])), ...body, ...END];
}

const I32_MUL = [0x6c];
const F32_ADD = [0x92];
const f32store = (offset: number) => [0x38, 2, ...uleb(offset)];
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
const f32lane = (i: number) => simd(0x1f, i);

/**
 * block4x2(q: *f32, k: *f32, pairs: i32, rowBytes: i32, out: *f32): the dot products of 4 query rows (at q, q + rowBytes,
 * ...) with 2 * pairs key rows (at k, k + rowBytes, ...), Float32 accumulation in four lanes like an sgemm;
 * out[8 p + 2 a + b] = q_a . k_{2p+b}. Rows are zero-padded to a multiple of 4 floats (rowBytes % 16 == 0).
 * Locals: 5 q1, 6 q2, 7 q3, 8 k1, 9 o, 10 kEnd (i32); 11..18 acc, 19 kv0, 20 kv1, 21 qv (v128).
 */
function block4x2Body(): number[] {
  const [Q, K, PAIRS, RB, OUT, Q1, Q2, Q3, K1, O, KEND] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const ACC = [11, 12, 13, 14, 15, 16, 17, 18];
  const [KV0, KV1, QV] = [19, 20, 21];
  const at = (base: number) => [...get(base), ...get(O), ...I32_ADD, ...v128load(0)];
  const fma = (acc: number, kv: number) => [...get(acc), ...get(QV), ...get(kv), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)];
  const queryStep = (base: number, a: number) => [...at(base), ...set(QV), ...fma(ACC[2 * a], KV0), ...fma(ACC[2 * a + 1], KV1)];
  const hsum = (acc: number) => [
    ...get(acc), ...f32lane(0), ...get(acc), ...f32lane(1), ...F32_ADD,
    ...get(acc), ...f32lane(2), ...get(acc), ...f32lane(3), ...F32_ADD, ...F32_ADD,
  ];
  const body = [
    ...get(Q), ...get(RB), ...I32_ADD, ...set(Q1),
    ...get(Q1), ...get(RB), ...I32_ADD, ...set(Q2),
    ...get(Q2), ...get(RB), ...I32_ADD, ...set(Q3),
    ...get(K), ...get(PAIRS), ...get(RB), ...I32_MUL, ...i32c(1), ...I32_SHL, ...I32_ADD, ...set(KEND),
    ...whileLess(K, KEND, [
      ...get(K), ...get(RB), ...I32_ADD, ...set(K1),
      ...ACC.flatMap((a) => [...V128_ZERO, ...set(a)]),
      ...i32c(0), ...set(O),
      ...whileLess(O, RB, [
        ...at(K), ...set(KV0), ...at(K1), ...set(KV1),
        ...queryStep(Q, 0), ...queryStep(Q1, 1), ...queryStep(Q2, 2), ...queryStep(Q3, 3),
        ...get(O), ...i32c(16), ...I32_ADD, ...set(O),
      ]),
      ...ACC.flatMap((a, i) => [...get(OUT), ...hsum(a), ...f32store(4 * i)]),
      ...get(OUT), ...i32c(32), ...I32_ADD, ...set(OUT),
      ...get(K1), ...get(RB), ...I32_ADD, ...set(K),
    ]),
  ];
  return [...vec([[6, I32], [11, V128]].map(([c, t]) => [...uleb(c), t])), ...body, ...END];
}

const F64_SUB = [0xa1];
const F64X2_SUB = simd(0xf1);

/**
 * rot64(c: f64, s: f64, r0: *f64, r1: *f64, len: i32): the plane rotation of two Float64 rows of the QL iteration,
 * (r0, r1) <- (c r0 - s r1, s r0 + c r1) elementwise, with the operations of eigen.ts's loop (bitwise equal).
 * Locals: 5 end2, 6 end (i32); 7 cv, 8 sv, 9 t, 10 u (v128); 11 t, 12 u (f64).
 */
function rot64Body(): number[] {
  const [C, S, R0, R1, LEN, END2, ENDP, CV, SV, TV, UV, T, U] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const body = [
    ...get(C), ...F64X2_SPLAT, ...set(CV), ...get(S), ...F64X2_SPLAT, ...set(SV),
    ...get(R0), ...get(LEN), ...i32c(-2), ...I32_AND, ...i32c(3), ...I32_SHL, ...I32_ADD, ...set(END2),
    ...whileLess(R0, END2, [
      ...get(R1), ...v128load(0), ...set(TV), ...get(R0), ...v128load(0), ...set(UV),
      ...get(R1), ...get(SV), ...get(UV), ...F64X2_MUL, ...get(CV), ...get(TV), ...F64X2_MUL, ...F64X2_ADD, ...v128store(0),
      ...get(R0), ...get(CV), ...get(UV), ...F64X2_MUL, ...get(SV), ...get(TV), ...F64X2_MUL, ...F64X2_SUB, ...v128store(0),
      ...get(R0), ...i32c(16), ...I32_ADD, ...set(R0), ...get(R1), ...i32c(16), ...I32_ADD, ...set(R1),
    ]),
    ...get(R0), ...get(LEN), ...i32c(1), ...I32_AND, ...i32c(3), ...I32_SHL, ...I32_ADD, ...set(ENDP),
    ...whileLess(R0, ENDP, [
      ...get(R1), ...f64load(0), ...set(T), ...get(R0), ...f64load(0), ...set(U),
      ...get(R1), ...get(S), ...get(U), ...F64_MUL, ...get(C), ...get(T), ...F64_MUL, ...F64_ADD, ...f64store(0),
      ...get(R0), ...get(C), ...get(U), ...F64_MUL, ...get(S), ...get(T), ...F64_MUL, ...F64_SUB, ...f64store(0),
      ...get(R0), ...i32c(8), ...I32_ADD, ...set(R0), ...get(R1), ...i32c(8), ...I32_ADD, ...set(R1),
    ]),
  ];
  return [...vec([[2, I32], [4, V128], [2, F64]].map(([c, t]) => [...uleb(c), t])), ...body, ...END];
}

function moduleBytes(): Uint8Array {
  const types = section(1, vec([
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F64]])], // dot
    [0x60, ...vec([[F64], [I32], [I32], [I32]]), ...vec([])], // axpy
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])], // block4x2
    [0x60, ...vec([[F64], [F64], [I32], [I32], [I32]]), ...vec([])], // rot64
  ]));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec([uleb(0), uleb(1), uleb(2), uleb(1), uleb(3)])); // axpy64 has axpy's signature
  const exports = section(7, vec([
    [...name('dot'), 0x00, 0], [...name('axpy'), 0x00, 1], [...name('block4x2'), 0x00, 2],
    [...name('axpy64'), 0x00, 3], [...name('rot64'), 0x00, 4],
  ]));
  const code = section(10, vec([dotBody(), axpyBody(), block4x2Body(), axpyBody(true), rot64Body()].map((b) => [...uleb(b.length), ...b])));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

// --- the kernels -------------------------------------------------------------------------------------------

/** A problem's memory: a Float32 matrix region followed by Float64 vector slots. Offsets are in bytes. */
export interface SimdWorkspace {
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** sum_j f32[x/4 + j] * f64[v/8 + j]. */
  dot(x: number, v: number, len: number): number;
  /** f64[y/8 + j] += alpha * f32[x/4 + j]. */
  axpy(alpha: number, x: number, y: number, len: number): void;
  /** Dots of 4 query rows with 2 * pairs key rows into f32 at out (see block4x2Body). */
  block4x2(q: number, k: number, pairs: number, rowBytes: number, out: number): void;
  /** f64[y/8 + j] += alpha * f64[x/8 + j] (Float64 rows; bitwise the JavaScript loop's result). */
  axpy64(alpha: number, x: number, y: number, len: number): void;
  /** The plane rotation of two Float64 rows at r0 and r1 (see rot64Body). */
  rot64(c: number, s: number, r0: number, r1: number, len: number): void;
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
    const bytes = moduleBytes();
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
  const ex = inst.exports as unknown as Pick<SimdWorkspace, 'dot' | 'axpy' | 'block4x2' | 'axpy64' | 'rot64'>;
  return {
    f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer),
    dot: ex.dot, axpy: ex.axpy, block4x2: ex.block4x2, axpy64: ex.axpy64, rot64: ex.rot64,
  };
}

/** Whether this runtime has the SIMD kernels. */
export function simdAvailable(): boolean {
  return !disabled && compile() !== null;
}
