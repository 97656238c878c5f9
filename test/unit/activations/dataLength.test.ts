import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSafetensors, readActivationFile, readNpy, readNpyFile, readSafetensors, writeNpy } from '../../../src/core/activations';
import { InputError } from '../../../src/core/errors';

/** The data section of an activation file must be exactly what its header declares: no byte short, no byte over. */

const dir = mkdtempSync(join(tmpdir(), 'overlap-data-length-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function caught(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('.npy data length', () => {
  const good = writeNpy(Float32Array.from({ length: 6 }, (_, i) => i), [2, 3]); // 128-byte header + 24 data bytes

  it('refuses bytes after the data, naming the file, the shape, the bytes expected and found', () => {
    const e = caught(() => readNpy(concat(good, new Uint8Array([1, 2, 3, 4])), 'acts.npy'));
    expect(e.file).toBe('acts.npy');
    expect(e.message).toBe(
      'acts.npy: extra bytes after the data: shape (2, 3) of <f4 needs 24 bytes, the file has 28 after its 128-byte header ' +
        '(4 more); the header does not describe the whole file (several arrays saved into one file, or bytes appended?); ' +
        'save one array per file with numpy.save',
    );
  });

  it('refuses two arrays saved into one file (numpy.save twice on one handle)', () => {
    expect(() => readNpy(concat(good, good), 'two.npy')).toThrow(/two\.npy: extra bytes after the data: shape \(2, 3\) of <f4 needs 24 bytes, the file has 176/);
  });

  it('says a cut-off file the same way', () => {
    const e = caught(() => readNpy(good.subarray(0, good.length - 4), 'acts.npy'));
    expect(e.message).toBe(
      'acts.npy: truncated data: shape (2, 3) of <f4 needs 24 bytes, the file has 20 after its 128-byte header (4 missing; was the file cut off while copying?)',
    );
  });

  it('reads an exact file, an empty array, and big-endian data', () => {
    expect(Array.from(readNpy(good, 'ok.npy').data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(readNpy(writeNpy(new Float32Array(0), [0, 3]), 'empty.npy').shape).toEqual([0, 3]);
    // an empty array with a trailing byte is refused too
    expect(() => readNpy(concat(writeNpy(new Float32Array(0), [0, 3]), new Uint8Array(1)), 'e.npy')).toThrow(/needs 0 bytes, the file has 1/);
  });

  it('is refused through every file reader (readNpyFile, readActivationFile)', async () => {
    const file = join(dir, 'appended.npy');
    writeFileSync(file, concat(good, new Uint8Array(8)));
    await expect(readNpyFile(file)).rejects.toThrow(`${file}: extra bytes after the data: shape (2, 3) of <f4 needs 24 bytes, the file has 32`);
    await expect(readActivationFile(file)).rejects.toThrow(InputError);
    await expect(readActivationFile(file)).rejects.toThrow(/\(8 more\)/);
  });
});

describe('.safetensors data coverage', () => {
  /** A file with the given header (tensors' entries) and data bytes. */
  function file(tensors: Record<string, [begin: number, end: number, shape: number[]]>, dataBytes: number): Uint8Array {
    const header = Object.fromEntries(
      Object.entries(tensors).map(([name, [begin, end, shape]]) => [name, { dtype: 'F32', shape, data_offsets: [begin, end] }]),
    );
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  }

  it('refuses bytes after the last tensor, naming the file, the tensor and the sizes', () => {
    const bytes = file({ acts: [0, 16, [2, 2]] }, 20);
    const headerBytes = bytes.length - 20;
    const e = caught(() => readSafetensors(bytes, 'acts.safetensors'));
    expect(e.file).toBe('acts.safetensors');
    expect(e.message).toBe(
      `acts.safetensors: bad .safetensors file: extra bytes after the data: the last tensor, "acts", ends at data offset 16 ` +
        `but the file has 20 data bytes after its ${headerBytes}-byte header (4 more); the header does not describe the whole file (bytes appended?)`,
    );
    // listing the tensors checks it too (the CLI's FILE#NAME choice)
    expect(() => listSafetensors(bytes, 'acts.safetensors')).toThrow(/extra bytes after the data/);
  });

  it('refuses data that belongs to no tensor (a gap) and tensors that overlap', () => {
    expect(() => readSafetensors(file({ a: [0, 8, [2]], b: [12, 20, [2]] }, 20), 'gap.safetensors')).toThrow(
      'gap.safetensors: bad .safetensors file: data bytes [8, 12) belong to no tensor: tensor "a" ends at 8 but tensor "b" has data_offsets [12, 20]',
    );
    expect(() => readSafetensors(file({ a: [4, 12, [2]] }, 12), 'lead.safetensors')).toThrow(
      'data bytes [0, 4) belong to no tensor: the data starts at 0 but tensor "a" has data_offsets [4, 12]',
    );
    expect(() => readSafetensors(file({ a: [0, 8, [2]], b: [4, 12, [2]] }, 12), 'overlap.safetensors')).toThrow(
      'overlap.safetensors: bad .safetensors file: tensor "b" (data_offsets [4, 12]) overlaps tensor "a" (data_offsets [0, 8])',
    );
  });

  it('refuses bytes when the file holds no tensor data at all', () => {
    expect(() => listSafetensors(file({}, 4), 'none.safetensors')).toThrow(/extra bytes after the data: its tensors hold no data but the file has 4 data bytes/);
  });

  it('still refuses offsets past the end (a cut-off file) as before', () => {
    expect(() => readSafetensors(file({ a: [0, 16, [4]] }, 12), 'cut.safetensors')).toThrow(/"a" has data_offsets \[0, 16\] outside the 12 data bytes \(truncated file\?\)/);
  });

  it('reads files whose tensors tile the data in any header order, with empty tensors anywhere', () => {
    const bytes = file({ b: [8, 16, [2]], a: [0, 8, [2]], empty: [8, 8, [0, 3]] }, 16);
    expect(listSafetensors(bytes, 'ok.safetensors').entries.map((e) => e.name)).toEqual(['b', 'a', 'empty']);
    expect(readSafetensors(bytes, 'ok.safetensors', 'a').shape).toEqual([2]);
    expect(readSafetensors(file({ z: [0, 0, [5, 0]] }, 0), 'zero.safetensors').shape).toEqual([5, 0]);
  });

  it('is refused through readActivationFile', async () => {
    const path = join(dir, 'appended.safetensors');
    writeFileSync(path, file({ acts: [0, 16, [2, 2]] }, 24));
    await expect(readActivationFile(path)).rejects.toThrow(`${path}: bad .safetensors file: extra bytes after the data`);
  });
});
