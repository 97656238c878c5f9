/**
 * Reads the weights of a TF.js graph model (model.json + binary shards) into typed arrays by name.
 * TF.js layout: concatenate the shards in manifest order, then each manifest entry takes prod(shape) values of its
 * dtype (float32 or int32, 4 bytes each) in order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TfjsWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

interface ManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

export function readTfjsWeights(modelJsonPath: string): Map<string, TfjsWeight> {
  const dir = path.dirname(modelJsonPath);
  const model = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')) as { weightsManifest: ManifestGroup[] };
  const out = new Map<string, TfjsWeight>();
  for (const group of model.weightsManifest) {
    const shards = group.paths.map((p) => fs.readFileSync(path.join(dir, p)));
    const all = Buffer.concat(shards);
    // Copy into an aligned buffer so typed-array views need no alignment care.
    const bytes = new Uint8Array(all.length);
    bytes.set(all);
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new Error(`${modelJsonPath}: weight ${w.name} is quantized; not supported`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      const byteLength = count * 4;
      if (offset + byteLength > bytes.length) throw new Error(`${modelJsonPath}: shards end before weight ${w.name}`);
      const slice = bytes.slice(offset, offset + byteLength);
      let data: Float32Array | Int32Array;
      if (w.dtype === 'float32') data = new Float32Array(slice.buffer);
      else if (w.dtype === 'int32') data = new Int32Array(slice.buffer);
      else throw new Error(`${modelJsonPath}: weight ${w.name} has dtype ${w.dtype}; only float32/int32 are supported`);
      out.set(w.name, { shape: w.shape, data });
      offset += byteLength;
    }
    if (offset !== bytes.length) throw new Error(`${modelJsonPath}: ${bytes.length - offset} unread bytes after the last weight`);
  }
  return out;
}
