import { describe, expect, it } from 'vitest';
import { parseDatasetText, readDataset } from '../../../src/core/data';
import type { ReadOptions } from '../../../src/core/data';
import { InputError } from '../../../src/core/errors';
import { useTempDir } from './tempDir';

const tmp = useTempDir('data-errors');
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** Reads `content` from a file called `name` and returns the InputError it must fail with. */
async function failure(name: string, content: string | Uint8Array, opts?: ReadOptions): Promise<InputError> {
  const path = tmp.write(name, content);
  const err = await readDataset(path, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const e = err as InputError;
  expect(e.file).toBe(path);
  expect(e.message.startsWith(path)).toBe(true);
  return e;
}

async function expectFailure(name: string, content: string | Uint8Array, line: number | undefined, text: RegExp) {
  const e = await failure(name, content);
  expect(e.line).toBe(line);
  if (line !== undefined) expect(e.message).toContain(`${name}:${line}: `);
  expect(e.message).toMatch(text);
}

describe('malformed JSON', () => {
  it('names the line of a malformed JSONL row, without JSON.parse positions', async () => {
    const e = await failure('bad.jsonl', '{"text": "ok", "label": 0}\n\n{"text": "oops", "label": 1,,}\n');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/malformed JSON/);
    expect(e.message).not.toMatch(/position/);
  });

  it('points inside a multi-line array element at the offending line', async () => {
    const text = '[\n  {"text": "a", "label": 0},\n  {\n    "text": "b",\n    "label": 1 "x": 2\n  }\n]\n';
    await expectFailure('bad-array.json', text, 5, /malformed JSON/);
  });

  it('explains NaN in JSON, the way Python writes it', async () => {
    const e = await failure('nan.jsonl', '{"text": "a", "weak_acts": [0.1, 0.2]}\n{"text": "b", "weak_acts": [NaN, 0.2]}\n');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/NaN/);
  });

  it('reports a JSON array that is never closed', async () => {
    await expectFailure('open.json', '[\n  {"text": "a", "label": 0},\n  {"text": "b",\n', 3, /not closed/);
  });

  it('reports rows that are not objects', async () => {
    await expectFailure('list.jsonl', '{"text": "a"}\n[1, 2]\n', 2, /JSON object.*an array/);
    await expectFailure('nums.json', '[\n  {"text": "a"},\n  7\n]\n', 3, /row object/);
  });

  it('reports missing commas between WRENCH rows with the line', async () => {
    const text = '{\n  "0": {"label": 0, "data": {"text": "a"}}\n  "1": {"label": 1, "data": {"text": "b"}}\n}\n';
    await expectFailure('train.json', text, 3, /expected ','/);
  });

  it('reports content after the end of the JSON', async () => {
    await expectFailure('trail.json', '[{"text": "a"}]\n{"text": "b"}\n', 2, /after the end/);
  });
});

describe('CSV problems', () => {
  it('names the ragged row and both column counts', async () => {
    await expectFailure('ragged.csv', 'text,label\nfine row,1\ntoo,many,columns\n', 3, /3 columns but the header has 2/);
  });

  it('reports a quoted field that is never closed, at the line it opens', async () => {
    await expectFailure('unclosed.csv', 'text,label\nok,0\n"never closed,1\nmore\n', 3, /never closed/);
  });

  it('reports a duplicated header name', async () => {
    await expectFailure('dup.csv', 'text,text\na,b\n', 1, /twice/);
  });
});

describe('encodings and binary files', () => {
  it('strips a UTF-8 BOM silently', async () => {
    const path = tmp.write('bom.jsonl', bytes([0xef, 0xbb, 0xbf], '{"text": "a", "label": 1}\n'));
    const d = await readDataset(path);
    expect(d.rows[0]).toMatchObject({ line: 1, text: 'a', label: 0 });
    expect(d.classes).toEqual([{ id: 0, value: 1, name: '1', count: 1 }]);
  });

  it('handles CRLF line ends', async () => {
    const path = tmp.write('crlf.tsv', 'label\ttext\r\n1\ta line\r\n0\tanother\r\n');
    const d = await readDataset(path);
    expect(d.rows.map((r) => [r.line, r.text])).toEqual([[2, 'a line'], [3, 'another']]);
  });

  it('refuses a file with NUL bytes as binary, naming the line', async () => {
    await expectFailure('data.jsonl', bytes('{"text": "a"}\n{"text": "b"}\n', [0x00, 0x01, 0x02]), 3, /looks binary/);
  });

  it('names the line of invalid UTF-8', async () => {
    const content = bytes('text,label\nfine,1\ncaf', [0xe9], ',0\n');
    await expectFailure('latin1.csv', content, 3, /invalid UTF-8/);
  });

  it('recognises UTF-16 and says how to fix it', async () => {
    const content = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"text": "a"}\n', 'utf16le')]);
    await expectFailure('wide.jsonl', content, 1, /UTF-16/);
  });
});

describe('empty and huge inputs', () => {
  it('reports an empty file as having no rows', async () => {
    await expectFailure('empty.jsonl', '', undefined, /no rows/);
  });

  it('reports blank or header-only files as having no rows', async () => {
    await expectFailure('blank.jsonl', '\n\n  \n', undefined, /no rows/);
    await expectFailure('header.csv', 'text,label\n', undefined, /no rows/);
    await expectFailure('empty.json', '[]\n', undefined, /no rows/);
  });

  it('reads a 10 MB single line', async () => {
    const text = 'x'.repeat(10 * 1024 * 1024);
    const path = tmp.write('long.jsonl', `{"text": "${text}", "label": 1}\n{"text": "short", "label": 0}\n`);
    const d = await readDataset(path);
    expect(d.rows[0].text).toHaveLength(text.length);
    expect(d.rows[1].line).toBe(2);
  });
});

describe('field values', () => {
  it('rejects text of the wrong type', async () => {
    await expectFailure('types.jsonl', '{"text": "a", "label": 0}\n{"text": 42, "label": 1}\n', 2, /"text" should be a string.*number/);
  });

  it('rejects a label that is an object', async () => {
    await expectFailure('obj-label.jsonl', '{"text": "a", "label": {"id": 1}}\n', 1, /label.*an object/);
  });

  it('rejects non-integral labels (negative integers are class values like any other)', async () => {
    await expectFailure('frac.jsonl', '{"text": "a", "label": 0}\n{"text": "b", "label": 1.5}\n', 2, /not an integer/);
  });

  it('rejects labels that mix ids and names', async () => {
    await expectFailure('mixed.csv', 'text,label\na,1\nb,spam\n', 3, /mix class ids \(line 2\) and class names/);
  });

  it('rejects weak labels that are not class ids', async () => {
    await expectFailure('wl.jsonl', '{"text": "a", "weak_labels": [0, 1]}\n{"text": "b", "weak_labels": [0, 0.5]}\n', 2, /weak_labels/);
  });

  it('rejects non-finite activations in CSV cells', async () => {
    await expectFailure('acts.csv', 'text,weak_acts\na,"[1, 2]"\nb,"[1, nan]"\n', 3, /non-finite value \(NaN\) at position 1/);
  });

  it('rejects ragged activation vectors, naming both rows', async () => {
    const text = '{"text": "a", "strong_acts": [1, 2, 3]}\n{"text": "b", "strong_acts": [1, 2]}\n';
    await expectFailure('ragged.jsonl', text, 2, /"strong_acts" has 2 values but the row at line 1 has 3/);
  });

  it('rejects an unknown split value', async () => {
    await expectFailure('split.jsonl', '{"text": "a", "split": "dev"}\n', 1, /weak-train, w2s-train or test/);
  });

  it('names an explicit field that the data lacks, and lists the fields it has', async () => {
    const path = tmp.write('fields.jsonl', '{"body": "a", "label": 0}\n');
    await expect(readDataset(path, { fields: { text: 'review' } })).rejects.toThrow(/"review" \(for text\) is not in the data; its fields are: body, label/);
  });

  it('reports a malformed SST line', async () => {
    await expectFailure('stsa.bad', '1 good\n0 bad\npositive great\n', 3, /LABEL TEXT/);
  });
});

describe('lenient mode', () => {
  it('skips bad rows with a warning per line and keeps row indices dense', async () => {
    const path = tmp.write('mixed.jsonl', '{"text": "a", "label": 0}\nnot json\n{"text": 3}\n{"text": "b", "label": 1}\n');
    const d = await readDataset(path, { lenient: true });
    expect(d.rows.map((r) => [r.index, r.line, r.text])).toEqual([[0, 1, 'a'], [1, 4, 'b']]);
    expect(d.warnings.map((w) => [w.file, w.line])).toEqual([[path, 2], [path, 3]]);
    expect(d.warnings[0].message).toMatch(/malformed JSON.*row skipped/);
  });

  it('caps the warnings and counts the rest', () => {
    const text = ['{"text": "ok"}', ...Array.from({ length: 150 }, () => 'bad')].join('\n');
    const d = parseDatasetText(text, 'jsonl', { lenient: true });
    expect(d.warnings).toHaveLength(101);
    expect(d.warnings[100].message).toMatch(/50 more warnings/);
  });

  it('still fails when no row survives', async () => {
    const e = await failure('all-bad.jsonl', 'x\ny\n', { lenient: true });
    expect(e.message).toMatch(/no rows.*2 malformed rows were skipped/);
  });
});

describe('unknown formats', () => {
  it('asks for an extension or an explicit format', async () => {
    await expectFailure('notes.txt', 'just some prose\nwithout structure\n', undefined, /cannot tell the dataset format/);
  });

  it('refuses Parquet given as text', () => {
    expect(() => parseDatasetText('PAR1', 'parquet', { path: 'x.parquet' })).toThrow(/x\.parquet: Parquet is binary/);
  });
});

describe('files that are not regular files', () => {
  const special = useTempDir('overlap-special');
  it('a FIFO named like a dataset is refused (it would block the read) and the sniffer says why', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const { sniffDataset } = await import('../../../src/core/data/file');
    const fifo = join(special.dir, 'rows.jsonl');
    execFileSync('mkfifo', [fifo]);
    const err = await readDataset(fifo).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/rows\.jsonl: not a regular file \(a pipe, socket or device\)/);
    expect(await sniffDataset(fifo)).toMatchObject({ looksLikeDataset: false, reason: 'not a regular file (a pipe, socket or device)' });
  });
  it('a symbolic link loop is named as one, not as a missing file', async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const a = join(special.dir, 'a.jsonl');
    const b = join(special.dir, 'b.jsonl');
    symlinkSync(b, a);
    symlinkSync(a, b);
    await expect(readDataset(a)).rejects.toThrow(/a\.jsonl: a symbolic link that points back to itself \(ELOOP\)/);
    await expect(readDataset(join(special.dir, 'none.jsonl'))).rejects.toThrow(/none\.jsonl: file not found/);
  });
});
