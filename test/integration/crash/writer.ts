/**
 * The writer the crash test kills: writes versions from+1, from+2, ... of a results file with the product's
 * writeResult (writeFileAtomic: temp file, fsync, rename) and prints each version once its write has returned.
 * Usage: node writer.js TARGET FROM [--naive]   (--naive: rewrites the file in place in 64 KB pieces, the control
 * that must tear)
 */
import { open } from 'node:fs/promises';
import { writeResult } from '../../../src/pipeline/results';
import { resultOfVersion } from './content';

async function main(): Promise<void> {
  const [target, from, naive] = process.argv.slice(2);
  process.stdout.write('ready\n');
  for (let v = Number(from) + 1; ; v++) {
    if (naive === '--naive') await writeInPlace(target, JSON.stringify(resultOfVersion(v)));
    else await writeResult(target, resultOfVersion(v));
    process.stdout.write(`${v}\n`);
  }
}

async function writeInPlace(target: string, text: string): Promise<void> {
  const bytes = Buffer.from(text);
  const handle = await open(target, 'w');
  try {
    for (let at = 0; at < bytes.length; at += 65536) await handle.write(bytes, at, Math.min(65536, bytes.length - at));
  } finally {
    await handle.close();
  }
}

void main();
