/** `npm run build:kernels`: kernels.wat -> kernels.wasm.ts (see scripts/kernels.ts). */
import { buildKernels, MODULE_PATH } from './kernels';

buildKernels().then(
  ({ bytes, changed }) => console.log(`${changed ? 'wrote' : 'unchanged:'} ${MODULE_PATH} (${bytes} bytes of WebAssembly)`),
  (e) => {
    console.error(`build:kernels: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
