/**
 * The compute worker thread (bundled to dist/compute-worker.js): core's pure-TypeScript linear algebra off the
 * analysing thread. In process (the CLI) onnxruntime runs on the calling thread, and in the editor that thread is
 * the inference worker's, so a long one-core computation there would hold up the products; here it runs on a core
 * of its own while the analysis goes on (the ridge map's eigendecomposition beside the probes: core/linalg/ridgeGemm.ts,
 * `prepareRidgeGram`). Requests: `{ id, op: 'symmetric-eigen', dim, buffer }` (the matrix, transferred); answers
 * `{ id, values, vectors }` (transferred copies) or `{ id, error }`. The arithmetic is core's, so the results are
 * bitwise those of the same call on the analysing thread. `{ id, op: 'buffer', bytes }` answers `{ id, buffer }`: a
 * fresh ArrayBuffer with one byte of every page written, transferred, so that the page faults of fresh memory are
 * paid on this thread and not where the memory is filled (LinalgKernel.reserve). Transferring moves the memory
 * itself; onnxruntime takes no SharedArrayBuffer as a tensor's data, or that would do.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { symmetricEigen } from '../core/linalg/eigen';
import { eigenToWire, eigenTransfer, type EigenWire } from './eigenWire';

export type ComputeRequest =
  | { id: number; op: 'symmetric-eigen'; dim: number; buffer: ArrayBuffer; tridiagonal?: boolean; accumulate?: boolean }
  | { id: number; op: 'buffer'; bytes: number };

export type ComputeResponse =
  | ({ id: number } & EigenWire)
  | { id: number; buffer: ArrayBuffer }
  | { id: number; error: string };

/** Bytes between two touched bytes: the smallest page size of the systems Node runs on. */
const PAGE_BYTES = 4096;

/** A new zero-filled ArrayBuffer of `bytes` bytes with every page written once (zeros: the contents stay zero). */
export function touchedBuffer(bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  const view = new Uint8Array(buffer);
  for (let i = 0; i < view.length; i += PAGE_BYTES) view[i] = 0;
  return buffer;
}

export const COMPUTE_WORKER_ROLE = 'overlap-compute';

/** Answers one request (exported for tests, which run it without a thread). */
export function compute(req: ComputeRequest): { response: ComputeResponse; transfer: ArrayBuffer[] } {
  try {
    if (req.op === 'buffer') {
      const buffer = touchedBuffer(req.bytes);
      return { response: { id: req.id, buffer }, transfer: [buffer] };
    }
    const a = new Float64Array(req.buffer);
    const wire = eigenToWire(symmetricEigen(a, req.dim, { tridiagonal: req.tridiagonal === true, accumulate: req.accumulate !== false }));
    return { response: { id: req.id, ...wire }, transfer: eigenTransfer(wire) };
  } catch (e) {
    return { response: { id: req.id, error: e instanceof Error ? e.message : String(e) }, transfer: [] };
  }
}

if (!isMainThread && parentPort && (workerData as { role?: string } | undefined)?.role === COMPUTE_WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (req: ComputeRequest) => {
    const { response, transfer } = compute(req);
    port.postMessage(response, transfer);
  });
}
