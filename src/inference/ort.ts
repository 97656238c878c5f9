/**
 * The one place that loads onnxruntime-node. It is loaded lazily, on the first inference call, never at import or
 * extension activation: the native binding costs ~100 ms and hundreds of MB and most editor sessions never need it.
 */
export type Ort = typeof import('onnxruntime-node');
export type OrtSession = import('onnxruntime-node').InferenceSession;

let loading: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  loading ??= import('onnxruntime-node').then((m) => {
    // CommonJS interop: vitest gives the named exports, some bundlers only `default`.
    const ort = ('InferenceSession' in m ? m : (m as { default: Ort }).default) as Ort;
    // Provider probing (e.g. CUDA without its libraries) logs errors we already report as fallbacks.
    ort.env.logLevel = 'fatal';
    return ort;
  });
  return loading;
}
