// Activation files (.npy, .safetensors) and the keys under which computed activations are cached.
export { readNpy, readNpyMatrix, readNpyVector, writeNpy, type NpyArray } from './npy';
export { listSafetensors, readSafetensors, readSafetensorsMatrix, type SafetensorsEntry } from './safetensors';
export { tensorToMatrix, tensorToVector, type NumericArray, type Tensor } from './tensor';
export { CHUNKED_READ_BYTES, readActivationFile, readNpyFile, writeFileAtomic, writeNpyFile } from './file';
export { activationCacheKey, contentHash, type ActivationCacheKeyParts } from './cacheKey';
