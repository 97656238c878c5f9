/**
 * The symmetric eigendecomposition's answer between threads (the compute worker, the inference worker, the extension
 * host): transferable buffers, checked on arrival.
 */
import type { SymmetricEigen } from '../core/linalg/eigen';

/**
 * An eigendecomposition as transferable buffers: eigenvalues, the rows (eigenvectors, or the tridiagonal form's basis),
 * and for the tridiagonal form its diagonal and subdiagonal (eigen.ts SymmetricEigen.tridiagonal).
 */
export interface EigenWire {
  values: ArrayBuffer;
  vectors: ArrayBuffer;
  diagonal?: ArrayBuffer;
  sub?: ArrayBuffer;
  /** The reflectors' h when `vectors` holds them unaccumulated (SymmetricEigen.householder). */
  householder?: ArrayBuffer;
}

/** Copies: the results may be views of the eigendecomposition's WebAssembly memory, which cannot be transferred. */
export function eigenToWire(r: SymmetricEigen): EigenWire {
  const wire: EigenWire = { values: r.values.slice().buffer as ArrayBuffer, vectors: r.vectors.slice().buffer as ArrayBuffer };
  if (r.tridiagonal) {
    wire.diagonal = r.tridiagonal.diagonal.slice().buffer as ArrayBuffer;
    wire.sub = r.tridiagonal.sub.slice().buffer as ArrayBuffer;
  }
  if (r.householder) wire.householder = r.householder.slice().buffer as ArrayBuffer;
  return wire;
}

export function eigenTransfer(wire: EigenWire): ArrayBuffer[] {
  return [wire.values, wire.vectors, ...[wire.diagonal, wire.sub, wire.householder].filter((b): b is ArrayBuffer => b !== undefined)];
}

/**
 * The answer back as a SymmetricEigen of `dim`, checking the sizes (and that a tridiagonal form came when asked, with
 * its reflectors' h when they were asked for unaccumulated).
 */
export function eigenFromWire(dim: number, wire: EigenWire, tridiagonal: boolean, unaccumulated = false): SymmetricEigen {
  const values = new Float64Array(wire.values);
  const vectors = new Float64Array(wire.vectors);
  if (values.length !== dim || vectors.length !== dim * dim) throw new Error(`symmetricEigen: the answer is not ${dim} x ${dim}`);
  if (!tridiagonal) return { dim, values, vectors };
  if (!wire.diagonal || !wire.sub) throw new Error('symmetricEigen: no tridiagonal form in the answer');
  const diagonal = new Float64Array(wire.diagonal);
  const sub = new Float64Array(wire.sub);
  if (diagonal.length !== dim || sub.length !== dim) throw new Error(`symmetricEigen: the tridiagonal form is not ${dim} long`);
  if (!unaccumulated) return { dim, values, vectors, tridiagonal: { diagonal, sub } };
  const householder = wire.householder ? new Float64Array(wire.householder) : undefined;
  if (householder?.length !== dim) throw new Error(`symmetricEigen: no ${dim} reflector h values in the answer`);
  return { dim, values, vectors, tridiagonal: { diagonal, sub }, householder };
}
