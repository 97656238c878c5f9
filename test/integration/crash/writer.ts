/**
 * The writer the crash test kills: writes versions from+1, from+2, ... of a results file with the product's
 * writeResult (writeFileAtomic: temp file, fsync, rename) and prints each version once its write has returned.
 * Usage: node writer.js TARGET FROM
 */
import { writeResult } from '../../../src/pipeline/results';
import { resultOfVersion } from './content';

async function main(): Promise<void> {
  const [target, from] = process.argv.slice(2);
  process.stdout.write('ready\n');
  for (let v = Number(from) + 1; ; v++) {
    await writeResult(target, resultOfVersion(v));
    process.stdout.write(`${v}\n`);
  }
}

void main();
