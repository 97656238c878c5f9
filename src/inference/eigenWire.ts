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
}

/** Copies: the results may be views of the eigendecomposition's WebAssembly memory, which cannot be transferred. */
export function eigenToWire(r: SymmetricEigen): EigenWire {
  const wire: EigenWire = { values: r.values.slice().buffer as ArrayBuffer, vectors: r.vectors.slice().buffer as ArrayBuffer };
  if (r.tridiagonal) {
    wire.diagonal = r.tridiagonal.diagonal.slice().buffer as ArrayBuffer;
    wire.sub = r.tridiagonal.sub.slice().buffer as ArrayBuffer;
  }
  return wire;
}

export function eigenTransfer(wire: EigenWire): ArrayBuffer[] {
  return [wire.values, wire.vectors, ...(wire.diagonal ? [wire.diagonal] : []), ...(wire.sub ? [wire.sub] : [])];
}

/** The answer back as a SymmetricEigen of `dim`, checking the sizes (and that a tridiagonal form came when asked). */
export function eigenFromWire(dim: number, wire: EigenWire, tridiagonal: boolean): SymmetricEigen {
  const values = new Float64Array(wire.values);
  const vectors = new Float64Array(wire.vectors);
  if (values.length !== dim || vectors.length !== dim * dim) throw new Error(`symmetricEigen: the answer is not ${dim} x ${dim}`);
  if (!tridiagonal) return { dim, values, vectors };
  if (!wire.diagonal || !wire.sub) throw new Error('symmetricEigen: no tridiagonal form in the answer');
  const diagonal = new Float64Array(wire.diagonal);
  const sub = new Float64Array(wire.sub);
  if (diagonal.length !== dim || sub.length !== dim) throw new Error(`symmetricEigen: the tridiagonal form is not ${dim} long`);
  return { dim, values, vectors, tridiagonal: { diagonal, sub } };
}
