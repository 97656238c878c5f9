/**
 * The inference worker thread (bundled to dist/worker.js). onnxruntime-node runs sessions synchronously on the
 * calling thread (MODELS.md), so the extension host hands all inference to this thread and never blocks.
 * Protocol: protocol.ts. Between batches and kernel blocks the event loop turns, so a `cancel` message is seen
 * within one batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceEngine } from './engine';
import { symmetricEigen } from '../core/linalg/eigen';
import { eigenToWire, eigenTransfer } from './eigenWire';
import { MAP_PCA, pca2 } from '../core/linalg/pca';
import type {
  AlignReply, EigenReply, EncodeReply, FreshBufferReply, MapReply, WireError, WireMatrix, WireMatrix64, WireResident, WorkerConfig, WorkerRequest, WorkerResponse,
} from './protocol';
import type { GemmOperand } from '../core/linalg/gemm';
import type { Matrix } from '../core/linalg/matrix';

function toWireError(e: unknown): WireError {
  if (e instanceof Error) {
    const { file, line } = e as { file?: string; line?: number };
    return { name: e.name, message: e.message, file, line };
  }
  return { name: 'Error', message: String(e) };
}

function fromWire(m: WireMatrix): Matrix<Float32Array> {
  return { rows: m.rows, cols: m.cols, data: new Float32Array(m.buffer) };
}

function fromWire64(m: WireMatrix64): Matrix<Float64Array> {
  return { rows: m.rows, cols: m.cols, data: new Float64Array(m.buffer) };
}

/** A gemm operand: sent with the request, or uploaded earlier and held by the engine's kernel (named as is). */
function operand(m: WireMatrix | WireMatrix64 | WireResident): GemmOperand {
  if ('resident' in m) return m;
  return m.dtype === 'float32' ? fromWire(m) : fromWire64(m);
}

/** Serves requests from `port` with `engine` (exported so tests can drive it over a MessageChannel). */
export function serve(port: NonNullable<typeof parentPort>, engine: InferenceEngine): void {
  const running = new Map<number, AbortController>();
  const post = (msg: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  const reply = (id: number, value: Extract<WorkerResponse, { type: 'result' }>['value'], transfer: ArrayBuffer[] = []) =>
    post({ type: 'result', id, value, report: engine.providerReport() }, transfer);

  async function handle(req: Exclude<WorkerRequest, { type: 'cancel' }>, signal: AbortSignal): Promise<void> {
    const progress = (stage: string, fraction: number, detail?: string) => post({ type: 'progress', id: req.id, stage, fraction, detail });
    switch (req.type) {
      case 'open-encoder': {
        const encoder = await engine.textEncoder(req.spec);
        reply(req.id, encoder.info);
        return;
      }
      case 'encode': {
        const encoder = await engine.textEncoder(req.spec);
        const r = await encoder.encodeDetailed(req.texts, { signal, progress });
        const data = r.embeddings.data;
        // A fresh, whole buffer can be transferred as is.
        const buffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : data.slice().buffer;
        const value: EncodeReply = {
          embeddings: { rows: r.embeddings.rows, cols: r.embeddings.cols, dtype: 'float32', buffer: buffer as ArrayBuffer },
          truncatedRows: r.truncatedRows,
          emptyRows: r.emptyRows,
          warnings: r.warnings.map((w) => ({ message: w.message })),
          info: encoder.info,
        };
        reply(req.id, value, [value.embeddings.buffer]);
        return;
      }
      case 'align': {
        const r = await engine.kernel.maxAlignmentWithIndex(fromWire(req.query), fromWire(req.keys), req.mode, signal, (f) =>
          progress('align', f),
        );
        const value: AlignReply = { max: r.max.buffer as ArrayBuffer, argmax: r.argmax.buffer as ArrayBuffer };
        reply(req.id, value, [value.max, value.argmax]);
        return;
      }
      case 'gemm': {
        const r = await engine.kernel.linalg.gemm(operand(req.a), operand(req.b), {
          transA: req.transA, transB: req.transB, alpha: req.alpha, beta: req.beta,
          c: req.c ? fromWire64(req.c) : undefined, float32: req.float32 === true, signal,
        });
        // A copy in a buffer of our own: onnxruntime's output buffer may not be transferable.
        const data = r.data.slice();
        const value: WireMatrix64 = { rows: r.rows, cols: r.cols, dtype: 'float64', buffer: data.buffer as ArrayBuffer };
        reply(req.id, value, [value.buffer]);
        return;
      }
      case 'upload': {
        const h = req.m.dtype === 'float32'
          ? await engine.kernel.linalg.upload(fromWire(req.m), signal, undefined, true)
          : await engine.kernel.linalg.upload(fromWire64(req.m), signal);
        const value: WireResident = { resident: h.resident, rows: h.rows, cols: h.cols, float32: h.float32 === true };
        reply(req.id, value);
        return;
      }
      case 'buffer': {
        // on the compute thread when its bundle is here: this thread keeps serving products meanwhile
        const value: FreshBufferReply = { buffer: await engine.kernel.linalg.freshBuffer(req.bytes) };
        reply(req.id, value, [value.buffer]);
        return;
      }
      case 'release':
        await engine.kernel.linalg.release({ resident: req.resident, rows: 0, cols: 0 });
        reply(req.id, null);
        return;
      case 'pca-map': {
        // here, off the extension host's thread (the host asks once the mixing fits' products are over)
        const r = pca2(fromWire(req.m), MAP_PCA);
        const value: MapReply = { x: r.x.slice().buffer as ArrayBuffer, y: r.y.slice().buffer as ArrayBuffer };
        reply(req.id, value, [value.x, value.y]);
        return;
      }
      case 'eigen': {
        // on the compute thread when its bundle is here, so this thread keeps serving products meanwhile
        const m = fromWire64(req.m);
        const eig = engine.kernel.linalg.symmetricEigen;
        const tridiagonal = req.tridiagonal === true;
        const r = eig ? await eig(m, signal, { tridiagonal }) : symmetricEigen(m.data, m.rows, { tridiagonal });
        const value: EigenReply = eigenToWire(r);
        reply(req.id, value, eigenTransfer(value));
        return;
      }
      case 'report':
        reply(req.id, engine.providerReport());
        return;
      case 'dispose':
        for (const ac of running.values()) ac.abort();
        await engine.dispose();
        reply(req.id, null);
        return;
    }
  }

  port.on('message', (req: WorkerRequest) => {
    if (req.type === 'cancel') {
      running.get(req.target)?.abort();
      return;
    }
    const ac = new AbortController();
    running.set(req.id, ac);
    handle(req, ac.signal)
      .catch((e: unknown) => post({ type: 'error', id: req.id, error: toWireError(e) }))
      .finally(() => running.delete(req.id));
  });
}

const config = workerData as WorkerConfig | undefined;
if (parentPort && config?.role === 'overlap-inference') {
  serve(parentPort, new InferenceEngine(config));
}
