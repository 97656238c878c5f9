/** Opens the encoder a spec names: a bundled model or a user ONNX file. */
import type { SessionPool } from '../sessions';
import type { EncoderSpec } from '../types';
import { openBundledEncoder, type OpenOptions } from './bundled';
import type { OnnxTextEncoder } from './onnxEncoder';
import { openUserEncoder } from './userModel';

export function openEncoder(spec: EncoderSpec, pool: SessionPool, opts: OpenOptions = {}): Promise<OnnxTextEncoder> {
  return spec.kind === 'bundled' ? openBundledEncoder(spec, pool, opts) : openUserEncoder(spec, pool, opts);
}
