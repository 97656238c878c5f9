;; The WebAssembly SIMD row kernels of src/core/linalg/simd.ts, as text.
;;
;; `npm run build:kernels` assembles this file with wabt into kernels.wasm.ts (the bytes, committed, so core needs no
;; toolchain at run time); test/unit/linalg/kernels.test.ts fails when that file is stale and checks every kernel
;; against the JavaScript loops. Memory is imported: the caller sizes one memory per problem (simd.ts).
;;
;; Conventions: pointers are byte offsets into the memory; Float32 rows (x, q, k) are promoted to Float64 where a
;; kernel accumulates in Float64. WebAssembly SIMD has no fused multiply-add, so every kernel multiplies then adds,
;; element by element, exactly as the JavaScript loop it replaces (the 64-bit kernels are bitwise equal to it).
(module
  (import "env" "memory" (memory 1))

  ;; dot(x: *f32, v: *f64, len) -> f64: sum_j x[j] v[j], eight elements per step in four f64x2 accumulators, then
  ;; the len % 8 tail one by one.
  (func $dot (export "dot") (param $x i32) (param $v i32) (param $len i32) (result f64)
    (local $end8 i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f64)
    (local.set $a0 (v128.const i64x2 0 0))
    (local.set $a1 (v128.const i64x2 0 0))
    (local.set $a2 (v128.const i64x2 0 0))
    (local.set $a3 (v128.const i64x2 0 0))
    ;; end8 = x + (len & ~7) * 4
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end8))))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))) (v128.load (local.get $v)))))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $x))) (v128.load offset=16 (local.get $v)))))
        (local.set $a2 (f64x2.add (local.get $a2)
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $x))) (v128.load offset=32 (local.get $v)))))
        (local.set $a3 (f64x2.add (local.get $a3)
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $x))) (v128.load offset=48 (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $v (i32.add (local.get $v) (i32.const 64)))
        (br $step)))
    ;; (a0 + a1) + (a2 + a3), then its two lanes
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    ;; the tail: end = x + (len & 7) * 4
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const 7)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end))))
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.promote_f32 (f32.load (local.get $x))) (f64.load (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (br $step)))
    (local.get $s))

  ;; axpy(alpha, x: *f32, y: *f64, len): y[j] += alpha x[j], eight elements per step, then the tail.
  (func $axpy (export "axpy") (param $alpha f64) (param $x i32) (param $y i32) (param $len i32)
    (local $end8 i32) (local $end i32) (local $a v128)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end8))))
        (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y))
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))) (local.get $a))))
        (v128.store offset=16 (local.get $y) (f64x2.add (v128.load offset=16 (local.get $y))
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $x))) (local.get $a))))
        (v128.store offset=32 (local.get $y) (f64x2.add (v128.load offset=32 (local.get $y))
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $x))) (local.get $a))))
        (v128.store offset=48 (local.get $y) (f64x2.add (v128.load offset=48 (local.get $y))
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $x))) (local.get $a))))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $y (i32.add (local.get $y) (i32.const 64)))
        (br $step)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const 7)) (i32.const 2))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end))))
        (f64.store (local.get $y) (f64.add (f64.load (local.get $y))
          (f64.mul (f64.promote_f32 (f32.load (local.get $x))) (local.get $alpha))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (br $step))))

  ;; block4x2(q: *f32, k: *f32, pairs, rowBytes, out: *f32): the dot products of 4 query rows (q, q + rowBytes, ...)
  ;; with 2 * pairs key rows (k, k + rowBytes, ...), Float32 accumulation in four lanes like an sgemm;
  ;; out[8 p + 2 a + b] = q_a . k_(2p+b). Rows are zero-padded to a multiple of 4 floats (rowBytes % 16 == 0).
  (func $block4x2 (export "block4x2") (param $q i32) (param $k i32) (param $pairs i32) (param $rowBytes i32) (param $out i32)
    (local $q1 i32) (local $q2 i32) (local $q3 i32) (local $k1 i32) (local $o i32) (local $kEnd i32)
    ;; acc_ab: query a against key b of the pair
    (local $acc00 v128) (local $acc01 v128) (local $acc10 v128) (local $acc11 v128)
    (local $acc20 v128) (local $acc21 v128) (local $acc30 v128) (local $acc31 v128)
    (local $kv0 v128) (local $kv1 v128) (local $qv v128)
    (local.set $q1 (i32.add (local.get $q) (local.get $rowBytes)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $rowBytes)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $rowBytes)))
    (local.set $kEnd (i32.add (local.get $k) (i32.shl (i32.mul (local.get $pairs) (local.get $rowBytes)) (i32.const 1))))
    (block $pairsDone
      (loop $pair
        (br_if $pairsDone (i32.eqz (i32.lt_u (local.get $k) (local.get $kEnd))))
        (local.set $k1 (i32.add (local.get $k) (local.get $rowBytes)))
        (local.set $acc00 (v128.const i64x2 0 0))
        (local.set $acc01 (v128.const i64x2 0 0))
        (local.set $acc10 (v128.const i64x2 0 0))
        (local.set $acc11 (v128.const i64x2 0 0))
        (local.set $acc20 (v128.const i64x2 0 0))
        (local.set $acc21 (v128.const i64x2 0 0))
        (local.set $acc30 (v128.const i64x2 0 0))
        (local.set $acc31 (v128.const i64x2 0 0))
        (local.set $o (i32.const 0))
        (block $rowDone
          (loop $col
            (br_if $rowDone (i32.eqz (i32.lt_u (local.get $o) (local.get $rowBytes))))
            (local.set $kv0 (v128.load (i32.add (local.get $k) (local.get $o))))
            (local.set $kv1 (v128.load (i32.add (local.get $k1) (local.get $o))))
            (local.set $qv (v128.load (i32.add (local.get $q) (local.get $o))))
            (local.set $acc00 (f32x4.add (local.get $acc00) (f32x4.mul (local.get $qv) (local.get $kv0))))
            (local.set $acc01 (f32x4.add (local.get $acc01) (f32x4.mul (local.get $qv) (local.get $kv1))))
            (local.set $qv (v128.load (i32.add (local.get $q1) (local.get $o))))
            (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $qv) (local.get $kv0))))
            (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $qv) (local.get $kv1))))
            (local.set $qv (v128.load (i32.add (local.get $q2) (local.get $o))))
            (local.set $acc20 (f32x4.add (local.get $acc20) (f32x4.mul (local.get $qv) (local.get $kv0))))
            (local.set $acc21 (f32x4.add (local.get $acc21) (f32x4.mul (local.get $qv) (local.get $kv1))))
            (local.set $qv (v128.load (i32.add (local.get $q3) (local.get $o))))
            (local.set $acc30 (f32x4.add (local.get $acc30) (f32x4.mul (local.get $qv) (local.get $kv0))))
            (local.set $acc31 (f32x4.add (local.get $acc31) (f32x4.mul (local.get $qv) (local.get $kv1))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $col)))
        ;; each accumulator's four lanes summed as (l0 + l1) + (l2 + l3) into out[0..7]
        (f32.store (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc00)) (f32x4.extract_lane 1 (local.get $acc00)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc00)) (f32x4.extract_lane 3 (local.get $acc00)))))
        (f32.store offset=4 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc01)) (f32x4.extract_lane 1 (local.get $acc01)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc01)) (f32x4.extract_lane 3 (local.get $acc01)))))
        (f32.store offset=8 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc10)) (f32x4.extract_lane 1 (local.get $acc10)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc10)) (f32x4.extract_lane 3 (local.get $acc10)))))
        (f32.store offset=12 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc11)) (f32x4.extract_lane 1 (local.get $acc11)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc11)) (f32x4.extract_lane 3 (local.get $acc11)))))
        (f32.store offset=16 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc20)) (f32x4.extract_lane 1 (local.get $acc20)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc20)) (f32x4.extract_lane 3 (local.get $acc20)))))
        (f32.store offset=20 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc21)) (f32x4.extract_lane 1 (local.get $acc21)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc21)) (f32x4.extract_lane 3 (local.get $acc21)))))
        (f32.store offset=24 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc30)) (f32x4.extract_lane 1 (local.get $acc30)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc30)) (f32x4.extract_lane 3 (local.get $acc30)))))
        (f32.store offset=28 (local.get $out) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc31)) (f32x4.extract_lane 1 (local.get $acc31)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc31)) (f32x4.extract_lane 3 (local.get $acc31)))))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $k (i32.add (local.get $k1) (local.get $rowBytes)))
        (br $pair))))

  ;; axpy64(alpha, x: *f64, y: *f64, len): y[j] += alpha x[j] over Float64 rows (the eigendecomposition's and the
  ;; ridge map's n x n products), eight elements per step, then the tail.
  (func $axpy64 (export "axpy64") (param $alpha f64) (param $x i32) (param $y i32) (param $len i32)
    (local $end8 i32) (local $end i32) (local $a v128)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end8))))
        (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y))
          (f64x2.mul (v128.load (local.get $x)) (local.get $a))))
        (v128.store offset=16 (local.get $y) (f64x2.add (v128.load offset=16 (local.get $y))
          (f64x2.mul (v128.load offset=16 (local.get $x)) (local.get $a))))
        (v128.store offset=32 (local.get $y) (f64x2.add (v128.load offset=32 (local.get $y))
          (f64x2.mul (v128.load offset=32 (local.get $x)) (local.get $a))))
        (v128.store offset=48 (local.get $y) (f64x2.add (v128.load offset=48 (local.get $y))
          (f64x2.mul (v128.load offset=48 (local.get $x)) (local.get $a))))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $y (i32.add (local.get $y) (i32.const 64)))
        (br $step)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const 7)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end))))
        (f64.store (local.get $y) (f64.add (f64.load (local.get $y)) (f64.mul (f64.load (local.get $x)) (local.get $alpha))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (br $step))))

  ;; rot64(c, s, r0: *f64, r1: *f64, len): the plane rotation of two Float64 rows of the QL iteration,
  ;; (r0, r1) <- (c r0 - s r1, s r0 + c r1) elementwise, with the operations of eigen.ts's loop (bitwise equal).
  (func $rot64 (export "rot64") (param $c f64) (param $s f64) (param $r0 i32) (param $r1 i32) (param $len i32)
    (local $end2 i32) (local $end i32)
    (local $cv v128) (local $sv v128) (local $tv v128) (local $uv v128)
    (local $t f64) (local $u f64)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end2 (i32.add (local.get $r0) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $r0) (local.get $end2))))
        (local.set $tv (v128.load (local.get $r1)))
        (local.set $uv (v128.load (local.get $r0)))
        (v128.store (local.get $r1) (f64x2.add (f64x2.mul (local.get $sv) (local.get $uv)) (f64x2.mul (local.get $cv) (local.get $tv))))
        (v128.store (local.get $r0) (f64x2.sub (f64x2.mul (local.get $cv) (local.get $uv)) (f64x2.mul (local.get $sv) (local.get $tv))))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
        (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
        (br $step)))
    (local.set $end (i32.add (local.get $r0) (i32.shl (i32.and (local.get $len) (i32.const 1)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $r0) (local.get $end))))
        (local.set $t (f64.load (local.get $r1)))
        (local.set $u (f64.load (local.get $r0)))
        (f64.store (local.get $r1) (f64.add (f64.mul (local.get $s) (local.get $u)) (f64.mul (local.get $c) (local.get $t))))
        (f64.store (local.get $r0) (f64.sub (f64.mul (local.get $c) (local.get $u)) (f64.mul (local.get $s) (local.get $t))))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
        (local.set $r1 (i32.add (local.get $r1) (i32.const 8)))
        (br $step))))

  ;; dot64(x: *f64, y: *f64, len) -> f64: sum_j x[j] y[j] over Float64 rows, eight elements per step in four f64x2
  ;; accumulators, then the len % 8 tail one by one (the order of eigen.ts's dot64, so both give the same bits).
  (func $dot64 (export "dot64") (param $x i32) (param $y i32) (param $len i32) (result f64)
    (local $end8 i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f64)
    (local.set $a0 (v128.const i64x2 0 0))
    (local.set $a1 (v128.const i64x2 0 0))
    (local.set $a2 (v128.const i64x2 0 0))
    (local.set $a3 (v128.const i64x2 0 0))
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end8))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load (local.get $x)) (v128.load (local.get $y)))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $x)) (v128.load offset=16 (local.get $y)))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $x)) (v128.load offset=32 (local.get $y)))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $x)) (v128.load offset=48 (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $y (i32.add (local.get $y) (i32.const 64)))
        (br $step)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const 7)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end))))
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $x)) (f64.load (local.get $y)))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (br $step)))
    (local.get $s))

  ;; dotAxpy64(alpha, x: *f64, d: *f64, e: *f64, len) -> f64: one pass over the row x that returns sum_j x[j] d[j]
  ;; (dot64's order) and does e[j] += x[j] alpha (axpy64's operations): the tridiagonalisation's product of the
  ;; lower triangle with a vector, which reads each stored row once for both halves of the symmetric product.
  (func $dotAxpy64 (export "dotAxpy64") (param $alpha f64) (param $x i32) (param $d i32) (param $e i32) (param $len i32) (result f64)
    (local $end8 i32) (local $end i32) (local $al v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $s f64) (local $xs f64)
    (local.set $al (f64x2.splat (local.get $alpha)))
    (local.set $a0 (v128.const i64x2 0 0))
    (local.set $a1 (v128.const i64x2 0 0))
    (local.set $a2 (v128.const i64x2 0 0))
    (local.set $a3 (v128.const i64x2 0 0))
    (local.set $end8 (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end8))))
        (local.set $x0 (v128.load (local.get $x)))
        (local.set $x1 (v128.load offset=16 (local.get $x)))
        (local.set $x2 (v128.load offset=32 (local.get $x)))
        (local.set $x3 (v128.load offset=48 (local.get $x)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $x0) (v128.load (local.get $d)))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $x1) (v128.load offset=16 (local.get $d)))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $x2) (v128.load offset=32 (local.get $d)))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $x3) (v128.load offset=48 (local.get $d)))))
        (v128.store (local.get $e) (f64x2.add (v128.load (local.get $e)) (f64x2.mul (local.get $x0) (local.get $al))))
        (v128.store offset=16 (local.get $e) (f64x2.add (v128.load offset=16 (local.get $e)) (f64x2.mul (local.get $x1) (local.get $al))))
        (v128.store offset=32 (local.get $e) (f64x2.add (v128.load offset=32 (local.get $e)) (f64x2.mul (local.get $x2) (local.get $al))))
        (v128.store offset=48 (local.get $e) (f64x2.add (v128.load offset=48 (local.get $e)) (f64x2.mul (local.get $x3) (local.get $al))))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (local.set $d (i32.add (local.get $d) (i32.const 64)))
        (local.set $e (i32.add (local.get $e) (i32.const 64)))
        (br $step)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $len) (i32.const 7)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $x) (local.get $end))))
        (local.set $xs (f64.load (local.get $x)))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $xs) (f64.load (local.get $d)))))
        (f64.store (local.get $e) (f64.add (f64.load (local.get $e)) (f64.mul (local.get $xs) (local.get $alpha))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $d (i32.add (local.get $d) (i32.const 8)))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (br $step)))
    (local.get $s))

  ;; rank2_64(f, g, e: *f64, d: *f64, y: *f64, len): y[j] = y[j] - (f e[j] + g d[j]), the tridiagonalisation's
  ;; rank-2 update of one stored row (eigen.ts's loop, elementwise, so bitwise equal to it).
  (func $rank2_64 (export "rank2_64") (param $f f64) (param $g f64) (param $e i32) (param $d i32) (param $y i32) (param $len i32)
    (local $end2 i32) (local $end i32) (local $fv v128) (local $gv v128)
    (local.set $fv (f64x2.splat (local.get $f)))
    (local.set $gv (f64x2.splat (local.get $g)))
    (local.set $end2 (i32.add (local.get $y) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $y) (local.get $end2))))
        (v128.store (local.get $y) (f64x2.sub (v128.load (local.get $y))
          (f64x2.add (f64x2.mul (local.get $fv) (v128.load (local.get $e))) (f64x2.mul (local.get $gv) (v128.load (local.get $d))))))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $step)))
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $len) (i32.const 1)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $y) (local.get $end))))
        (f64.store (local.get $y) (f64.sub (f64.load (local.get $y))
          (f64.add (f64.mul (local.get $f) (f64.load (local.get $e))) (f64.mul (local.get $g) (f64.load (local.get $d))))))
        (local.set $e (i32.add (local.get $e) (i32.const 8)))
        (local.set $d (i32.add (local.get $d) (i32.const 8)))
        (local.set $y (i32.add (local.get $y) (i32.const 8)))
        (br $step))))

  ;; rotseq64(cs: *f64, count, bottom: *f64, rowBytes, len): one QL sweep's plane rotations, applied in order to the
  ;; Float64 rows it touches. Rotation r (r = 0 .. count - 1) turns rows i = m - 1 - r and i + 1 of the matrix whose row
  ;; m starts at `bottom` (rows rowBytes apart), with (c, s) stored splatted as cs[4r .. 4r + 3] = c, c, s, s; each
  ;; is rot64's (r_i, r_i+1) <- (c r_i - s r_i+1, s r_i + c r_i+1). Rotation r's new row i is rotation r + 1's row
  ;; i + 1, so a walk down eight columns carries it in registers: every row is read and written once per sweep instead
  ;; of twice per rotation. Elementwise the same operations in the same order as rot64 one rotation at a time.
  (func $rotseq64 (export "rotseq64") (param $cs i32) (param $count i32) (param $bottom i32) (param $rowBytes i32) (param $len i32)
    (local $col i32) (local $end8 i32) (local $endAll i32) (local $p i32) (local $q i32) (local $qEnd i32)
    (local $c v128) (local $s v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $cf f64) (local $sf f64) (local $tf f64) (local $uf f64)
    (local.set $qEnd (i32.add (local.get $cs) (i32.shl (local.get $count) (i32.const 5))))
    (local.set $col (local.get $bottom))
    (local.set $end8 (i32.add (local.get $bottom) (i32.shl (i32.and (local.get $len) (i32.const -8)) (i32.const 3))))
    (local.set $endAll (i32.add (local.get $bottom) (i32.shl (local.get $len) (i32.const 3))))
    ;; eight columns at a time: t = the carried row (row m first), u = the row above it
    (block $cols
      (loop $colStep
        (br_if $cols (i32.eqz (i32.lt_u (local.get $col) (local.get $end8))))
        (local.set $p (local.get $col))
        (local.set $t0 (v128.load (local.get $p)))
        (local.set $t1 (v128.load offset=16 (local.get $p)))
        (local.set $t2 (v128.load offset=32 (local.get $p)))
        (local.set $t3 (v128.load offset=48 (local.get $p)))
        (local.set $q (local.get $cs))
        (block $rows
          (loop $rowStep
            (br_if $rows (i32.eqz (i32.lt_u (local.get $q) (local.get $qEnd))))
            (local.set $c (v128.load (local.get $q)))
            (local.set $s (v128.load offset=16 (local.get $q)))
            (local.set $p (i32.sub (local.get $p) (local.get $rowBytes)))
            (local.set $u0 (v128.load (local.get $p)))
            (local.set $u1 (v128.load offset=16 (local.get $p)))
            (local.set $u2 (v128.load offset=32 (local.get $p)))
            (local.set $u3 (v128.load offset=48 (local.get $p)))
            (v128.store (i32.add (local.get $p) (local.get $rowBytes))
              (f64x2.add (f64x2.mul (local.get $s) (local.get $u0)) (f64x2.mul (local.get $c) (local.get $t0))))
            (v128.store offset=16 (i32.add (local.get $p) (local.get $rowBytes))
              (f64x2.add (f64x2.mul (local.get $s) (local.get $u1)) (f64x2.mul (local.get $c) (local.get $t1))))
            (v128.store offset=32 (i32.add (local.get $p) (local.get $rowBytes))
              (f64x2.add (f64x2.mul (local.get $s) (local.get $u2)) (f64x2.mul (local.get $c) (local.get $t2))))
            (v128.store offset=48 (i32.add (local.get $p) (local.get $rowBytes))
              (f64x2.add (f64x2.mul (local.get $s) (local.get $u3)) (f64x2.mul (local.get $c) (local.get $t3))))
            (local.set $t0 (f64x2.sub (f64x2.mul (local.get $c) (local.get $u0)) (f64x2.mul (local.get $s) (local.get $t0))))
            (local.set $t1 (f64x2.sub (f64x2.mul (local.get $c) (local.get $u1)) (f64x2.mul (local.get $s) (local.get $t1))))
            (local.set $t2 (f64x2.sub (f64x2.mul (local.get $c) (local.get $u2)) (f64x2.mul (local.get $s) (local.get $t2))))
            (local.set $t3 (f64x2.sub (f64x2.mul (local.get $c) (local.get $u3)) (f64x2.mul (local.get $s) (local.get $t3))))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $rowStep)))
        (v128.store (local.get $p) (local.get $t0))
        (v128.store offset=16 (local.get $p) (local.get $t1))
        (v128.store offset=32 (local.get $p) (local.get $t2))
        (v128.store offset=48 (local.get $p) (local.get $t3))
        (local.set $col (i32.add (local.get $col) (i32.const 64)))
        (br $colStep)))
    ;; the len % 8 columns one at a time
    (block $cols
      (loop $colStep
        (br_if $cols (i32.eqz (i32.lt_u (local.get $col) (local.get $endAll))))
        (local.set $p (local.get $col))
        (local.set $tf (f64.load (local.get $p)))
        (local.set $q (local.get $cs))
        (block $rows
          (loop $rowStep
            (br_if $rows (i32.eqz (i32.lt_u (local.get $q) (local.get $qEnd))))
            (local.set $cf (f64.load (local.get $q)))
            (local.set $sf (f64.load offset=16 (local.get $q)))
            (local.set $p (i32.sub (local.get $p) (local.get $rowBytes)))
            (local.set $uf (f64.load (local.get $p)))
            (f64.store (i32.add (local.get $p) (local.get $rowBytes))
              (f64.add (f64.mul (local.get $sf) (local.get $uf)) (f64.mul (local.get $cf) (local.get $tf))))
            (local.set $tf (f64.sub (f64.mul (local.get $cf) (local.get $uf)) (f64.mul (local.get $sf) (local.get $tf))))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $rowStep)))
        (f64.store (local.get $p) (local.get $tf))
        (local.set $col (i32.add (local.get $col) (i32.const 8)))
        (br $colStep))))

  ;; axpyDot64(d: *f64, c, x: *f64, w: *f64, scale, len) -> f64: d[j] = (d[j] + c x[j]) * scale for every j, then
  ;; sum_j w[j] d[j] in gemv.ts's `dot` order: one f64x2 accumulator whose lanes are its two alternating partial sums
  ;; (even j, odd j), an odd last element added to the even one, the two added last. The L-BFGS two-loop
  ;; recursion's pass (lbfgs.ts axpyDot), bitwise.
  (func $axpyDot64 (export "axpyDot64") (param $d i32) (param $c f64) (param $x i32) (param $w i32) (param $scale f64) (param $len i32) (result f64)
    (local $end2 i32) (local $cv v128) (local $sv v128) (local $acc v128) (local $v v128) (local $s0 f64) (local $t f64)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $sv (f64x2.splat (local.get $scale)))
    (local.set $acc (v128.const i64x2 0 0))
    (local.set $end2 (i32.add (local.get $d) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $step
        (br_if $done (i32.eqz (i32.lt_u (local.get $d) (local.get $end2))))
        (local.set $v (f64x2.mul (f64x2.add (v128.load (local.get $d)) (f64x2.mul (local.get $cv) (v128.load (local.get $x)))) (local.get $sv)))
        (v128.store (local.get $d) (local.get $v))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (v128.load (local.get $w)) (local.get $v))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (br $step)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then
        (local.set $t (f64.mul (f64.add (f64.load (local.get $d)) (f64.mul (local.get $c) (f64.load (local.get $x)))) (local.get $scale)))
        (f64.store (local.get $d) (local.get $t))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $w)) (local.get $t))))))
    (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc))))
)
