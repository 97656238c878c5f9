/** A compressed dataset is named for what it is: renaming it (the generic advice) cannot help, unpacking does. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/core/data';

describe('compressed datasets', () => {
  it('says gzip and how to unpack, for a .csv.gz and for a gzip file under another name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-packed-'));
    try {
      const gz = gzipSync(Buffer.from('text,label\na,0\nb,1\n'));
      for (const name of ['data.csv.gz', 'data.bin']) {
        fs.writeFileSync(path.join(dir, name), gz);
        await expect(readDataset(path.join(dir, name))).rejects.toThrow(/this is a gzip-compressed file, not a dataset file; decompress it \(gunzip -k FILE\)/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
