/**
 * The in-process inference backend: sessions run on the calling thread. For the CLI (which has nothing else to do
 * meanwhile) and tests; the extension uses the worker-thread client (client.ts) with the same interface.
 */
import { InferenceEngine } from './engine';
import type { SessionFactory } from './sessions';
import type { EncoderSpec, IndexedAlignmentKernel, InferenceOptions, InferenceService, InferenceTextEncoder, ProviderReport } from './types';

export function createLocalInference(options: InferenceOptions & { sessionFactory?: SessionFactory } = {}): InferenceService {
  const engine = new InferenceEngine(options);
  return {
    textEncoder: (spec: EncoderSpec): Promise<InferenceTextEncoder> => engine.textEncoder(spec),
    alignmentKernel: (): IndexedAlignmentKernel => engine.kernel,
    device: (): string => engine.providerReport().provider ?? 'not started',
    providerReport: (): ProviderReport => engine.providerReport(),
    dispose: () => engine.dispose(),
  };
}
