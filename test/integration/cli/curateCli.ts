/**
 * The built CLI's `curate` command in a temporary folder, for the curate integration tests: the folder and the bundle
 * are made before the file's own beforeAll hooks (call this first) and removed after its tests.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildCli } from '../bad-input/cli';

export interface CurateCli {
  /** The temporary folder (set once the hooks ran); commands run in it. */
  dir: string;
  /** The bundled CLI file (set once the hooks ran). */
  file: string;
  run: (...args: string[]) => SpawnSyncReturns<string>;
}

export function useCurateCli(prefix: string): CurateCli {
  let dispose: (() => void) | undefined;
  const h: CurateCli = {
    dir: '',
    file: '',
    run: (...args) => spawnSync(process.execPath, [h.file, 'curate', ...args], { encoding: 'utf8', cwd: h.dir }),
  };
  beforeAll(async () => {
    h.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    const cli = await buildCli();
    h.file = cli.file;
    dispose = cli.dispose;
  });
  afterAll(() => {
    dispose?.();
    if (h.dir) fs.rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}
