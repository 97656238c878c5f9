/**
 * Regression tests for the bad-input bugs the corpus found (docs/robustness.md lists them), and lenient reading:
 * where a row is bad but the file is sound, the other rows are kept and the bad one is a warning with its line.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../src/cli/errors';
import { readActivationFile, readNpyFile, writeFileAtomic } from '../../../src/core/activations/file';
import { readNpy, writeNpy } from '../../../src/core/activations/npy';
import { readSafetensorsMatrix } from '../../../src/core/activations/safetensors';
import { readDataset, sniffDataset } from '../../../src/core/data';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { mixingCurve } from '../../../src/core/experiment/mixing';
import { InputError } from '../../../src/core/errors';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { refuseOutputsOverOwnFiles } from '../../../src/pipeline/outputs';
import { run as runCheckCli } from '../../../src/cli/check';

const BAD = resolve(__dirname, '../../fixtures/bad');
const dir = mkdtempSync(join(tmpdir(), 'overlap-bad-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('activation files read from disk (Node Buffers)', () => {
  it('a tensor at an unaligned offset of a .safetensors file is read from its own bytes', async () => {
    // nan.safetensors: a 57-byte header, so the F32 data starts at byte 65 (not 4-aligned), values [1, NaN, 3, 4].
    const err = await failure(readActivationFile(join(BAD, 'safetensors/nan.safetensors')));
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/row 0 \(0-based\), column 1: the value is NaN/);
    const bytes = readFileSync(join(BAD, 'safetensors/nan.safetensors'));
    const finite = Buffer.from(bytes);
    finite.writeFloatLE(2, finite.length - 12);
    expect(Array.from(readSafetensorsMatrix(finite, 'x.safetensors').data)).toEqual([1, 2, 3, 4]);
  });

  it('a big-endian .npy read from a file gives its values and leaves the bytes untouched', async () => {
    const file = join(dir, 'be.npy');
    const le = writeNpy(Float64Array.from([1.5, -2, 1e-300, 7]), [2, 2]);
    const be = Buffer.from(le);
    be[10 + be.subarray(10).indexOf(0x3c)] = 0x3e; // '<f8' -> '>f8'
    for (let i = le.length - 32; i < le.length; i += 8) be.subarray(i, i + 8).reverse();
    writeFileSync(file, be);
    expect(Array.from((await readNpyFile(file)).data as Float64Array)).toEqual([1.5, -2, 1e-300, 7]);
    const copy = Buffer.from(be);
    readNpy(be, 'be.npy');
    expect(be.equals(copy)).toBe(true);
  });

  it('a missing file or a folder is an InputError naming it, not ENOENT/EISDIR', async () => {
    for (const [p, why] of [[join(dir, 'nope.npy'), /file not found/], [dir, /this is a folder, not a file/]] as const) {
      for (const read of [readNpyFile, readActivationFile]) {
        const err = await failure(read(p));
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).file).toBe(p);
        expect((err as Error).message).toMatch(why);
      }
    }
  });
});

describe('dataset files', () => {
  it('a missing file or a folder given to readDataset is an InputError naming it', async () => {
    const missing = await failure(readDataset(join(dir, 'nope.jsonl')));
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toMatch(/nope\.jsonl: file not found/);
    mkdirSync(join(dir, 'folder.jsonl'));
    const folder = await failure(readDataset(join(dir, 'folder.jsonl')));
    expect(folder).toBeInstanceOf(InputError);
    expect((folder as Error).message).toMatch(/folder\.jsonl: this is a folder, not a dataset file/);
  });

  it('sniffDataset says a folder is not a dataset instead of throwing EISDIR', async () => {
    mkdirSync(join(dir, 'listed.jsonl'));
    expect(await sniffDataset(join(dir, 'listed.jsonl'))).toMatchObject({ looksLikeDataset: false, reason: 'a folder, not a file' });
  });

  it('a binary file without newlines is reported as binary at once, not buffered as one huge line', async () => {
    const file = join(dir, 'blob.jsonl');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 0));
    let chunks = 0;
    const err = await failure(readDataset(file, { onProgress: () => chunks++ }));
    expect((err as Error).message).toMatch(/blob\.jsonl:1: the file looks binary \(NUL byte at line 1\)/);
    expect(chunks, 'chunks read before the error').toBe(0);
  });

  it('activation columns of a CSV (JSON text in cells) feed the field: model specs', async () => {
    const out = join(dir, 'csv-out', 'result.json');
    const { result } = await analyzeDatasetFile(join(BAD, 'data/bom-crlf.csv'), {
      weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' }, outFile: out,
    });
    expect(result.dataset.rows).toBe(30);
    expect(result.encoders.strong.dim).toBe(4);
  });
});

describe('lenient reading keeps the sound rows', () => {
  const cases: [string, number, number, RegExp][] = [
    ['data/malformed-json.jsonl', 3, 3, /malformed JSON/],
    ['data/not-an-object.jsonl', 2, 2, /one JSON object per line/],
    ['data/ragged-acts.jsonl', 3, 3, /has 2 values but the row at line 1 has 3/],
    ['data/ragged.csv', 2, 3, /row has 4 columns/],
    ['data/label-fraction.jsonl', 3, 4, /is not an integer class id/],
    ['data/inf-overflow.jsonl', 2, 3, /non-finite value \(Infinity\)/],
    ['data/bad-split.jsonl', 1, 2, /field "split"/],
  ];
  for (const [file, rows, line, why] of cases) {
    it(`${file}: ${rows} rows kept, line ${line} a warning`, async () => {
      const ds = await readDataset(join(BAD, file), { lenient: true });
      expect(ds.rows.length).toBe(rows);
      expect(ds.warnings).toHaveLength(1);
      expect(ds.warnings[0].line).toBe(line);
      expect(ds.warnings[0].message).toMatch(why);
      expect(ds.warnings[0].message).toMatch(/row skipped/);
    });
  }

  it('structural damage stays fatal in lenient mode (binary, bad encoding, unclosed containers)', async () => {
    for (const file of ['data/nul-byte.jsonl', 'data/latin1.csv', 'data/unclosed-array.json', 'data/unclosed-quote.csv']) {
      expect(await failure(readDataset(join(BAD, file), { lenient: true })), file).toBeInstanceOf(InputError);
    }
  });
});

describe('tiny analyses warn instead of failing', () => {
  it('a mixing experiment with a single overlap or non-overlap row has no curve (every draw would be empty)', async () => {
    const strongW2s = { rows: 3, cols: 1, data: Float32Array.from([1, -1, 0.5]) };
    const curve = await mixingCurve({
      strongW2s, targets: Float64Array.from([0, 1, 1, 0, 0, 1]), numClasses: 2,
      overlap: Int32Array.from([0]), nonOverlap: Int32Array.from([1, 2]),
      strongTest: strongW2s, testLabels: Int32Array.from([1, 0, 1]), l2: 1e-3, seeds: [0],
    });
    expect(curve).toBeNull();
  });

  it('runAnalysis on 4 rows completes with warnings about the fallbacks and the empty curve', async () => {
    const acts = { rows: 4, cols: 2, data: Float32Array.from([1, 0, -1, 0, 1, 1, -1, -1]) };
    const r = await runAnalysis({
      weak: { kind: 'activations', acts }, strong: acts, labels: Int32Array.from([1, 0, 1, 0]), numClasses: 2,
      encoders: { weak: { id: 'w', kind: 'activations', dim: 2 }, strong: { id: 's', kind: 'activations', dim: 2 } },
    });
    expect(r.warnings.join('\n')).toMatch(/W2S-train rows: change points fall back to the median/);
    expect(r.detection.counts.easy + r.detection.counts.hard + r.detection.counts.overlap).toBe(r.dataset.splits.w2sTrain);
  });
});

describe('a strong side that tells no row from another', () => {
  const n = 300;
  const weak = { rows: n, cols: 3, data: Float32Array.from({ length: n * 3 }, (_, k) => Math.sin(k * 1.7)) };
  const labels = Int32Array.from({ length: n }, (_, i) => (weak.data[i * 3] > 0 ? 1 : 0));
  const same = { rows: n, cols: 4, data: Float32Array.from({ length: n * 4 }, (_, k) => [0.5, -1, 2, 0][k % 4]) };
  const encoders = { weak: { id: 'w', kind: 'activations', dim: 3, source: 'W.npy' }, strong: { id: 's', kind: 'activations', dim: 4, source: 'Ssame.npy' } };
  it('is refused naming its arrays file (a constant export); on a handful of rows it is a warning', async () => {
    const err = await runAnalysis({
      weak: { kind: 'activations', acts: weak }, strong: same, labels, numClasses: 2, encoders, dataset: { path: 'y.npy', format: 'npy' },
    } as never).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/every one of the 100 W2S-train rows has the same strong activations: .*a constant or broken export/);
    expect((err as InputError).file).toBe('Ssame.npy (strong activations)');
    // a weak side that is the constant one names the weak file, not the labels
    const werr = await runAnalysis({
      weak: { kind: 'activations', acts: { rows: n, cols: 3, data: new Float32Array(n * 3).fill(1) } }, strong: weak, labels, numClasses: 2, encoders: { ...encoders, strong: { ...encoders.strong, dim: 3 } }, dataset: { path: 'y.npy', format: 'npy' },
    } as never).then(() => undefined, (e: unknown) => e);
    expect((werr as InputError).file).toBe('W.npy (weak activations)');
    const few = { rows: 6, cols: 4, data: same.data.subarray(0, 24) };
    const ok = await runAnalysis({
      weak: { kind: 'activations', acts: { rows: 6, cols: 3, data: weak.data.subarray(0, 18) } }, strong: few, labels: Int32Array.from([0, 1, 0, 1, 1, 0]), numClasses: 2, encoders,
    } as never, { seeds: 1 });
    expect(ok.warnings.join('\n')).toMatch(/same strong activations/);
  });
});

describe('a weak side that tells no row from another', () => {
  const n = 300;
  const acts = { rows: n, cols: 3, data: Float32Array.from({ length: n * 3 }, (_, k) => Math.sin(k * 1.7)) };
  const labels = Int32Array.from({ length: n }, (_, i) => (acts.data[i * 3] > 0 ? 1 : 0));
  const encoders = { weak: { id: 'w', kind: 'votes', dim: 2 }, strong: { id: 's', kind: 'activations', dim: 3 } };
  it('is refused naming the file, whether its probabilities are uniform (every vote abstains) or hard 0/1 labels', async () => {
    const uniform = new Float64Array(2 * n).fill(0.5);
    const hard = Float64Array.from({ length: 2 * n }, (_, k) => ((k % 2) === labels[k >> 1] ? 1 : 0));
    for (const probs of [uniform, hard]) {
      const err = await runAnalysis({
        weak: { kind: 'probabilities', probs }, strong: acts, labels, numClasses: 2, encoders, dataset: { path: 'votes/train.json', format: 'wrench' },
      } as never).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/every one of the 100 W2S-train rows gets the same weak confidence \((0\.000|1\.000)\): the weak side tells no row from another/);
      expect((err as InputError).file).toBe('votes/train.json');
    }
    // a few rows that differ are enough to analyse
    const almost = new Float64Array(2 * n).fill(0.5);
    for (let i = 0; i < n; i += 10) almost.set(labels[i] ? [0.2, 0.8] : [0.8, 0.2], 2 * i);
    const ok = await runAnalysis({ weak: { kind: 'probabilities', probs: almost }, strong: acts, labels, numClasses: 2, encoders } as never, { seeds: 1 });
    expect(ok.dataset.rows).toBe(n);
  });
});

describe('CLI errors', () => {
  it('a file-system error on a path the user gave is exit 2 with one line, not an internal error', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const e = Object.assign(new Error("EEXIST: file already exists, mkdir '/dev/full'"), { code: 'EEXIST', path: '/dev/full' });
      expect(reportError(e)).toBe(2);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(
        'overlap-density: error: /dev/full: a file is in the way of a folder of that name (a .overlap that is a file?): move or remove it, or write elsewhere (analyze: --out and --cache-dir; check and curate: --results-dir; synth: another --out folder) (EEXIST)\n',
      );
      write.mockClear();
      // a code without words keeps the system's text
      expect(reportError(Object.assign(new Error('ELOOP: too many symbolic links'), { code: 'ELOOP', path: '/x' }))).toBe(2);
      expect(String(write.mock.calls[0][0])).toBe('overlap-density: error: /x: ELOOP: too many symbolic links\n');
      write.mockClear();
      // mkdir failing with ENOENT under a folder that exists (a read-only bind mount does this): what it means
      const made = mkdtempSync(join(tmpdir(), 'od-ro-'));
      expect(reportError(Object.assign(new Error('ENOENT: no such file or directory, mkdir'), { code: 'ENOENT', syscall: 'mkdir', path: join(made, '.overlap') }))).toBe(2);
      expect(String(write.mock.calls[0][0])).toBe(`overlap-density: error: ${join(made, '.overlap')}: this folder cannot be created in ${made} (a read-only or unwritable folder): give --out and --cache-dir (curate, check: --results-dir) in a folder you can write (ENOENT)\n`);
      rmSync(made, { recursive: true, force: true });
      write.mockClear();
      expect(reportError(new TypeError('x is undefined'))).toBe(1);
      expect(String(write.mock.calls[0][0])).toMatch(/^overlap-density: internal error: x is undefined\n$/);
    } finally {
      write.mockRestore();
    }
  });
});

describe('a new user\'s files (the CLI sweep of 2026-12-05)', () => {
  it('a .json file holding one object says what a dataset may be, on line 1, and suggests no option that does not exist', async () => {
    const f = join(dir, 'wrapped.json');
    writeFileSync(f, JSON.stringify({ data: [{ text: 'a', label: 0 }, { text: 'b', label: 1 }] }));
    const err = await failure(readDataset(f));
    expect(err).toBeInstanceOf(InputError);
    const m = (err as InputError).message;
    expect(m).toMatch(/wrapped\.json:1: cannot read this \.json file as a dataset: it is one object/);
    expect(m).toMatch(/Put the records in a top-level array/);
    expect(m).not.toMatch(/choose the format/);
    const prose = join(dir, 'prose.dat');
    writeFileSync(prose, 'just some prose\nwithout structure\n');
    expect(((await failure(readDataset(prose))) as Error).message).toMatch(/cannot tell the dataset format; a dataset is JSON Lines/);
  });

  it('a semicolon-separated .csv gets a hint about the separator with its located error', async () => {
    const f = join(dir, 'semi.csv');
    writeFileSync(f, 'text;label\na film , a good one;1\nnot good;0\n');
    expect(((await failure(readDataset(f))) as Error).message).toMatch(/semi\.csv:2: row has 2 columns but the (header|first row) has 1; the first line holds semicolons/);
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'text,label\na,1\nb,0,extra\n');
    expect(((await failure(readDataset(plain))) as Error).message).not.toMatch(/semicolons/);
  });

  it('a WRENCH file on one line (Python\'s json.dump) names the bad record by its key, not only line 1', async () => {
    const rows = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [String(i), { data: { text: `t${i}` }, label: i % 2, weak_labels: i === 30 ? [1] : [i % 2, -1, 1] }]));
    const f = join(dir, 'oneline-wrench.json');
    writeFileSync(f, JSON.stringify(rows));
    const m = ((await failure(readDataset(f))) as Error).message;
    expect(m).toMatch(/oneline-wrench\.json:1: record "30": field "weak_labels" has 1 values but record "0" \(line 1\) has 3/);
  });

  it('a class the class names list but no row carries is a warning', async () => {
    const f = join(dir, 'two-classes.jsonl');
    writeFileSync(f, Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join('\n'));
    const ds = await readDataset(f, { classNames: ['ham', 'spam', 'eggs'] });
    expect(ds.numClasses).toBe(3);
    expect(ds.warnings.map((w) => w.message).join('\n')).toMatch(/class eggs \[2\] has no labelled row here but is kept as a class \(the class names option names it\)/);
    const plain = await readDataset(f);
    expect(plain.warnings.map((w) => w.message).join('\n')).not.toMatch(/no labelled row/);
  });

  it('--out naming a folder and --cache-dir naming a file are refused before any work, naming the path', async () => {
    const data = join(dir, 'small.jsonl');
    writeFileSync(data, Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2, weak_acts: [i % 2, 1], strong_acts: [i % 2, 0.5, 1] })).join('\n'));
    const folder = join(dir, 'out-folder');
    mkdirSync(folder, { recursive: true });
    const weak = { kind: 'field' as const, field: 'weak_acts' };
    const strong = { kind: 'field' as const, field: 'strong_acts' };
    const out = await failure(analyzeDatasetFile(data, { weak, strong, outFile: folder }));
    expect((out as Error).message).toMatch(/out-folder: --out is a folder; give a file path for it/);
    expect(readdirSync(folder)).toEqual([]);
    const cache = await failure(analyzeDatasetFile(data, { weak, strong, outFile: join(dir, 'r.json'), cacheDir: data }));
    expect((cache as Error).message).toMatch(/small\.jsonl: --cache-dir is a file, not a folder/);
  });
});

describe('outputs never land on the tool\'s own files, activations too large to analyse (the second sweep)', () => {
  it('check --out inside a dataset\'s .overlap folder (its baseline, its cached result) is refused before any work', async () => {
    const data = join(dir, 'checked.jsonl');
    writeFileSync(data, Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join('\n'));
    for (const name of ['checked.jsonl.baseline.json', 'checked.jsonl.result.json', 'anything.json']) {
      const err = await failure(runCheckCli([data, '--out', join(dir, '.overlap', name), '--quiet']));
      expect((err as Error).message, name).toMatch(/--out is inside the \.overlap folder of checked\.jsonl/);
    }
    const baseline = join(dir, 'b.json');
    const err = await failure(runCheckCli([data, '--baseline', baseline, '--out', baseline, '--quiet']));
    expect((err as Error).message).toMatch(/--out is the --baseline/);
  });

  it('an output on a path the command itself writes (curate\'s results) is refused, whether or not it exists yet', () => {
    const reserved = [{ path: join(dir, 'res', 'x.result.json'), role: 'where the input\'s analysis is written (--results-dir)' }];
    expect(() => refuseOutputsOverOwnFiles([{ path: join(dir, 'res', 'x.result.json'), role: 'the curated file' }], [join(dir, 'x.jsonl')], reserved))
      .toThrow(/the curated file is where the input's analysis is written/);
    expect(() => refuseOutputsOverOwnFiles([{ path: join(dir, 'res', 'y.jsonl'), role: 'the curated file' }], [join(dir, 'x.jsonl')], reserved)).not.toThrow();
  });

  it('a class missing from a split is a warning that says what it costs', async () => {
    const n = 60;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const acts = { rows: n, cols: 2, data: Float32Array.from({ length: 2 * n }, (_, k) => ((k >> 1) % 3) + 0.1 * (k % 2)) };
    // class 2 only in weak-train and W2S-train, never in test
    const split = Uint8Array.from(labels, (y, i) => (y === 2 ? Math.floor(i / 3) % 2 : Math.floor(i / 3) % 3));
    const r = await runAnalysis({
      weak: { kind: 'activations', acts }, strong: acts, labels, numClasses: 3, split,
      encoders: { weak: { id: 'w', kind: 'activations', dim: 2 }, strong: { id: 's', kind: 'activations', dim: 2 } },
    }, { seeds: 1 });
    expect(r.warnings.join('\n')).toMatch(/class 2 has no row in the test split: the accuracies never test it/);
    expect(r.warnings.join('\n')).not.toMatch(/weak-train split/);
  });

  it('activations beyond 1e15 are refused naming the array, its row and column (float32 products would overflow)', async () => {
    const strong = { rows: 6, cols: 2, data: Float32Array.from([1, 2, 3, 4, 5, 1e20, 1, 2, 3, 4, 5, 6]) };
    const weak = { rows: 6, cols: 1, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const input = {
      weak: { kind: 'activations' as const, acts: weak }, strong, labels: Int32Array.from([0, 1, 0, 1, 0, 1]), numClasses: 2,
      encoders: { weak: { id: 'w', kind: 'activations' as const, dim: 1, source: '/d/w.npy' }, strong: { id: 's', kind: 'activations' as const, dim: 2, source: '/d/s.npy' } },
      dataset: { path: '/d/y.npy', format: 'npy' },
    };
    const err = await failure(runAnalysis(input));
    expect((err as Error).message).toMatch(/^\/d\/s\.npy \(strong activations\): value 1\.00e\+20 at row 2, column 1 is too large/);
    strong.data[5] = 1e15;
    expect(((await failure(runAnalysis(input))) as Error | undefined)?.message ?? '').not.toMatch(/too large/);
  });
});

describe('writeFileAtomic failures', () => {
  it('a write that cannot be renamed into place leaves no temporary file and the target as it was', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'child'), { recursive: true });
    const err = await failure(writeFileAtomic(target, 'new contents'));
    expect(err).toBeDefined();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(target)).toEqual(['child']);
  });
});
