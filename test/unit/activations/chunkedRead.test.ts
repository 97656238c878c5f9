/**
 * Large activation files are read in chunks straight into the Float32 matrix (readActivationFile above
 * CHUNKED_READ_BYTES: Node reads at most 2 GiB at once, and a 10^6 x 1,024 float32 array is 4 GB). The chunked reader
 * must be the whole-file reader again: the same matrix, or the same error, for every file of the bad-input corpus and
 * for every dtype, whatever the chunk size (a value's row and column in errors counted across chunks).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNKED_READ_BYTES, readActivationFile, writeNpy } from '../../../src/core/activations';
import { InputError } from '../../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'overlap-chunked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bad = join(__dirname, '..', '..', 'fixtures', 'bad');

type Outcome = { rows: number; cols: number; data: number[] } | { error: string };

async function outcome(file: string, opts: Parameters<typeof readActivationFile>[1] = {}): Promise<Outcome> {
  try {
    const m = await readActivationFile(file, opts);
    expect(m.data).toBeInstanceOf(Float32Array);
    return { rows: m.rows, cols: m.cols, data: Array.from(m.data) };
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return { error: (e as Error).message };
  }
}

/** The whole-file reader's outcome equals the chunked reader's at several chunk sizes. */
async function expectSameOutcome(file: string, opts: { tensor?: string } = {}): Promise<Outcome> {
  const whole = await outcome(file, { ...opts, chunkedFrom: Infinity });
  for (const chunkBytes of [8, 24, 4096]) {
    expect(await outcome(file, { ...opts, chunkedFrom: 0, chunkBytes }), `${file}, chunks of ${chunkBytes} bytes`).toEqual(whole);
  }
  return whole;
}

/** A safetensors file of one or more tensors (dtype names as the format spells them), little-endian. */
function safetensors(tensors: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[]): Uint8Array {
  let at = 0;
  const header: Record<string, unknown> = {};
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes.length] };
    at += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return new Uint8Array(Buffer.concat([len, json, ...tensors.map((t) => t.bytes)]));
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('the chunked activations reader', () => {
  it('starts at a size well below what Node reads at once', () => {
    expect(CHUNKED_READ_BYTES).toBeLessThan(2 ** 31);
  });

  it('gives what the whole-file reader gives for every file of the bad-input corpus', async () => {
    const files = [
      ...readdirSync(join(bad, 'npy')).filter((f) => f.endsWith('.npy')).map((f) => join(bad, 'npy', f)),
      ...readdirSync(join(bad, 'safetensors')).map((f) => join(bad, 'safetensors', f)),
    ];
    expect(files.length).toBeGreaterThan(20);
    const seen = { ok: 0, error: 0 };
    for (const file of files) {
      const o = await expectSameOutcome(file);
      seen['error' in o ? 'error' : 'ok']++;
    }
    // both kinds were compared
    expect(seen.ok).toBeGreaterThan(3);
    expect(seen.error).toBeGreaterThan(15);
  });

  it('reads every dtype alike, big-endian and half floats included, values past a chunk in their places', async () => {
    const rows = 7;
    const cols = 5;
    const values = Array.from({ length: rows * cols }, (_, i) => (i % 11) - 5 + (i % 3) * 0.25);
    const cases: [string, ArrayBufferView & { length: number }][] = [
      ['f4', Float32Array.from(values)],
      ['f8', Float64Array.from(values)],
      ['i2', Int16Array.from(values.map(Math.round))],
      ['i4', Int32Array.from(values.map(Math.round))],
      ['i8', BigInt64Array.from(values.map((v) => BigInt(Math.round(v))))],
      ['u1', Uint8Array.from(values.map((v) => Math.abs(Math.round(v))))],
    ];
    for (const [name, array] of cases) {
      const file = join(dir, `${name}.npy`);
      writeFileSync(file, writeNpy(array as never, [rows, cols]));
      const o = await expectSameOutcome(file);
      expect('rows' in o && o.rows === rows && o.cols === cols).toBe(true);
    }
    // big-endian float32 and float64, and float16, written by hand (writeNpy writes little-endian only)
    const npyWith = (descr: string, data: Uint8Array) => {
      const little = writeNpy(new Uint8Array(data.length), [data.length]);
      const text = new TextDecoder('latin1').decode(little.subarray(10, 10 + new DataView(little.buffer).getUint16(8, true)));
      const header = text.replace("'|u1'", `'${descr}'`).replace(`(${data.length},)`, `(${rows}, ${cols})`);
      const padded = header.trimEnd().padEnd(text.length - 1, ' ') + '\n';
      const out = new Uint8Array(10 + padded.length + data.length);
      out.set(little.subarray(0, 8));
      new DataView(out.buffer).setUint16(8, padded.length, true);
      for (let i = 0; i < padded.length; i++) out[10 + i] = padded.charCodeAt(i);
      out.set(data, 10 + padded.length);
      return out;
    };
    const swapped = (a: Float32Array | Float64Array) => {
      const b = new Uint8Array(bytesOf(a));
      const size = a.BYTES_PER_ELEMENT;
      for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
      return b;
    };
    const half = Uint16Array.from(values, (v) => {
      // exact in half precision: sign, exponent, 10-bit fraction
      if (v === 0) return 0;
      const sign = v < 0 ? 0x8000 : 0;
      const a = Math.abs(v);
      const e = Math.floor(Math.log2(a));
      return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
    });
    for (const [name, descr, data] of [
      ['be4', '>f4', swapped(Float32Array.from(values))],
      ['be8', '>f8', swapped(Float64Array.from(values))],
      ['f2', '<f2', bytesOf(half)],
    ] as const) {
      const file = join(dir, `${name}.npy`);
      writeFileSync(file, npyWith(descr, data));
      const o = await expectSameOutcome(file);
      expect(o).toEqual({ rows, cols, data: values });
    }
    // safetensors: F16, BF16, F64, and a file of several tensors read by name
    const bf16 = Uint16Array.from(Float32Array.from(values), (_, i) => new Uint32Array(Float32Array.from(values).buffer)[i] >>> 16);
    const st = join(dir, 'several.safetensors');
    writeFileSync(st, safetensors([
      { name: 'half', dtype: 'F16', shape: [rows, cols], bytes: bytesOf(half) },
      { name: 'brain', dtype: 'BF16', shape: [rows, cols], bytes: bytesOf(bf16) },
      { name: 'double', dtype: 'F64', shape: [rows, cols], bytes: bytesOf(Float64Array.from(values)) },
    ]));
    for (const tensor of ['half', 'brain', 'double']) {
      const o = await expectSameOutcome(st, { tensor });
      expect('rows' in o && o.rows === rows).toBe(true);
    }
    expect(await expectSameOutcome(st)).toMatchObject({ error: expect.stringMatching(/several 2-D tensors/) });
    expect(await expectSameOutcome(st, { tensor: 'nope' })).toMatchObject({ error: expect.stringMatching(/no tensor named "nope"/) });
  });

  it('reads a 2-D array in Fortran order (column after column) in row order, a bad value named where it is', async () => {
    const rows = 9;
    const cols = 4;
    const values = Array.from({ length: rows * cols }, (_, i) => i * 0.5 - 3);
    const columnMajor = (v: number[]) => Array.from({ length: rows * cols }, (_, k) => v[(k % rows) * cols + Math.floor(k / rows)]);
    const fortran = (name: string, v: number[], f8 = false) => {
      const file = join(dir, name);
      const data = f8 ? Float64Array.from(columnMajor(v)) : Float32Array.from(columnMajor(v));
      const bytes = writeNpy(data, [rows, cols]);
      const text = new TextDecoder('latin1').decode(bytes);
      const at = text.indexOf("'fortran_order': False");
      const patched = new Uint8Array(bytes);
      const replaced = "'fortran_order': True, ";
      // same header length: 'False' -> 'True' plus the space the padding gives back
      for (let i = 0; i < replaced.length; i++) patched[at + i] = replaced.charCodeAt(i);
      const rest = text.slice(at + "'fortran_order': False, ".length, text.indexOf('\n', at));
      for (let i = 0; i < rest.length; i++) patched[at + replaced.length + i] = rest.charCodeAt(i);
      patched[at + replaced.length + rest.length] = 0x20;
      writeFileSync(file, patched);
      return file;
    };
    expect(await expectSameOutcome(fortran('fortran.npy', values))).toEqual({ rows, cols, data: values });
    expect(await expectSameOutcome(fortran('fortran8.npy', values, true))).toEqual({ rows, cols, data: values });
    const bad = [...values];
    bad[6 * cols + 1] = NaN;
    bad[2 * cols + 3] = 1e300; // the first in row order: row 2, column 3, as the file holds it
    expect(await expectSameOutcome(fortran('fortran-bad.npy', bad, true))).toMatchObject({
      error: expect.stringMatching(/row 2 \(0-based\), column 3: 1e\+300 is too large for float32/),
    });
  });

  it('names the row and column of a bad value far into the file, past many chunks', async () => {
    const rows = 300;
    const cols = 7;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => i / 100);
    data[251 * cols + 4] = NaN;
    const f4 = join(dir, 'late-nan.npy');
    writeFileSync(f4, writeNpy(data, [rows, cols]));
    expect(await expectSameOutcome(f4)).toEqual({ error: `${f4}: row 251 (0-based), column 4: the value is NaN; activations must be finite numbers (check the encoder's output for that row)` });
    const f8 = Float64Array.from(data);
    f8[251 * cols + 4] = 0;
    f8[199 * cols + 6] = 1e300;
    const file8 = join(dir, 'late-overflow.npy');
    writeFileSync(file8, writeNpy(f8, [rows, cols]));
    expect(await expectSameOutcome(file8)).toMatchObject({ error: expect.stringMatching(/row 199 \(0-based\), column 6: 1e\+300 is too large for float32/) });
  });

  it('refuses a .npy header of implausible size before reading it', async () => {
    const file = join(dir, 'huge-header.npy');
    const bytes = new Uint8Array(32 * 2 ** 20);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, bytes.length - 12, true);
    writeFileSync(file, bytes);
    await expect(readActivationFile(file, { chunkedFrom: 0 })).rejects.toThrow(/implausibly large/);
  });

  it('leaves a missing file and a folder to the whole-file reader\'s messages', async () => {
    expect(await outcome(join(dir, 'missing.npy'), { chunkedFrom: 0 })).toMatchObject({ error: expect.stringMatching(/file not found/) });
    const folder = join(dir, 'folder.npy');
    require('node:fs').mkdirSync(folder);
    expect(await outcome(folder, { chunkedFrom: 0 })).toMatchObject({ error: expect.stringMatching(/this is a folder, not a file/) });
  });
});

describe('what to do about an array that is not activations', () => {
  const write = (name: string, shape: number[]) => {
    const file = join(dir, name);
    writeFileSync(file, writeNpy(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
    return file;
  };

  it('a singleton axis: squeeze it; tokens: pool them; more axes: flatten', async () => {
    await expect(readActivationFile(write('kept-axis.npy', [4, 1, 6]))).rejects.toThrow(
      /got shape \(4, 1, 6\); its axis 1 has size 1: save numpy\.squeeze\(a, axis=1\) \(one row of 6 values per example\)/,
    );
    await expect(readActivationFile(write('last-axis.npy', [4, 6, 1]))).rejects.toThrow(/its axis 2 has size 1: save numpy\.squeeze\(a, axis=2\)/);
    await expect(readActivationFile(write('both.npy', [4, 1, 1]))).rejects.toThrow(/its axes 1, 2 have size 1: save numpy\.squeeze\(a, axis=\(1, 2\)\) \(one value per example\)/);
    await expect(readActivationFile(write('tokens.npy', [4, 3, 6]))).rejects.toThrow(
      /looks like 3 vectors \(tokens\?\) of 6 values per example; pool them before saving \(the mean over tokens, or the last token: a\[:, -1, :\]\)/,
    );
    await expect(readActivationFile(write('four.npy', [2, 3, 4, 5]))).rejects.toThrow(/got shape \(2, 3, 4, 5\); save one row of values per example/);
  });

  it('a .npz archive, a PyTorch file: how to save one array', async () => {
    for (const [name, hint] of [['acts.npz', /several arrays: save the one to use with numpy\.save/], ['acts.pt', /PyTorch file is a pickle/], ['acts.bin', /PyTorch/]] as const) {
      const file = join(dir, name);
      writeFileSync(file, 'x');
      await expect(readActivationFile(file)).rejects.toThrow(hint);
    }
  });
});
