import type { AsyncBuffer } from 'hyparquet';
import { InputError } from '../errors';
import { throwIfAborted } from '../encoder';
import { DatasetBuilder, type BuilderOptions } from './builder';
import { detectFormat } from './detect';
import { ErrorPolicy } from './errorPolicy';
import { CsvParser } from './formats/csv';
import { JsonContainerParser } from './formats/jsonContainer';
import { JsonlParser } from './formats/jsonl';
import { readParquetRecords } from './formats/parquet';
import { SstParser } from './formats/sst';
import { splitByteLines, splitTextLines, type LineBatch } from './lines';
import type { RecordParser, RecordSink } from './records';
import type { Dataset, DatasetFormat, HeaderChoice, ReadOptions } from './types';

/** Options for parsing a dataset already in memory. */
export interface ParseOptions extends ReadOptions {
  /** Named in messages and stored on the dataset; `<input>` when absent. */
  path?: string;
  /** Class names by id when they come from outside the rows (a WRENCH label.json). */
  labelNames?: string[];
}

/** A CSV/TSV parser keeps, in a wide file, only the columns the builder uses. */
export function keepFieldsInUse(parser: RecordParser, builder: DatasetBuilder): void {
  if (parser instanceof CsvParser) builder.onFieldsChosen = (names) => parser.keepOnly(names);
}

/** Tells the builder what a CSV/TSV parser decided about the first row. */
export function passHeaderDecision(parser: RecordParser, builder: DatasetBuilder): void {
  if (parser instanceof CsvParser && parser.decision) builder.header = parser.decision;
}

export type LineFormat = Exclude<DatasetFormat, 'parquet'>;

/** The parser for a line-based format. `truncatedOk` is for sniffing a file's head, which may end mid-row. */
export function createRecordParser(
  format: LineFormat,
  policy: ErrorPolicy,
  sink: RecordSink,
  truncatedOk = false,
  header: HeaderChoice = 'auto',
): RecordParser {
  switch (format) {
    case 'jsonl':
      return new JsonlParser(policy, sink);
    case 'json':
      return new JsonContainerParser('array', policy, sink, truncatedOk);
    case 'wrench':
      return new JsonContainerParser('object', policy, sink, truncatedOk);
    case 'csv':
      return new CsvParser(',', policy, sink, truncatedOk, header);
    case 'tsv':
      return new CsvParser('\t', policy, sink, truncatedOk, header);
    case 'sst':
      return new SstParser(policy, sink);
  }
}

/** Parses a small in-memory dataset (an open editor document, a test fixture). Parquet needs `parseDatasetBytes`. */
export function parseDatasetText(text: string, format: DatasetFormat, opts: ParseOptions = {}): Dataset {
  const file = opts.path ?? '<input>';
  if (format === 'parquet') throw new InputError('Parquet is binary; read it with readDataset or parseDatasetBytes', { file });
  throwIfAborted(opts.signal);
  return parseLines(splitTextLines(text, file), format, opts);
}

/** Parses an in-memory file of any format; the format is detected from `opts.path` and the content when not given. */
export async function parseDatasetBytes(bytes: Uint8Array, opts: ParseOptions = {}): Promise<Dataset> {
  const file = opts.path ?? '<input>';
  const format = opts.format ?? detectFormat(file, bytes.subarray(0, 64 * 1024));
  if (!format) throw unknownFormatError(file, bytes.subarray(0, 64 * 1024));
  throwIfAborted(opts.signal);
  if (format === 'parquet') {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const asyncBuffer: AsyncBuffer = { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
    return parseParquet(asyncBuffer, opts);
  }
  return parseLines(splitByteLines(bytes, file), format, opts);
}

/** Reads a Parquet file through an AsyncBuffer (in memory or a file handle). */
export async function parseParquet(file: AsyncBuffer, opts: ParseOptions = {}): Promise<Dataset> {
  const policy = new ErrorPolicy(opts.path ?? '<input>', opts.lenient ?? false);
  const builder = new DatasetBuilder('parquet', policy, builderOptions(opts));
  await readParquetRecords(file, policy, (r) => builder.add(r), opts);
  return builder.finish();
}

/** A compressed file or an archive by its magic bytes: what it is and how to get the file out. */
function packedKind(b: Uint8Array): { what: string; fix: string } | undefined {
  if (b[0] === 0x1f && b[1] === 0x8b) return { what: 'a gzip-compressed file', fix: 'decompress it (gunzip -k FILE)' };
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return { what: 'a zip archive', fix: 'unzip it' };
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return { what: 'a zstd-compressed file', fix: 'decompress it (zstd -d FILE)' };
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return { what: 'a bzip2-compressed file', fix: 'decompress it (bunzip2 -k FILE)' };
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58) return { what: 'an xz-compressed file', fix: 'decompress it (unxz -k FILE)' };
  return undefined;
}

export function unknownFormatError(file: string, head?: Uint8Array): InputError {
  const start = head ? new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart() : '';
  const known =
    'a dataset is JSON Lines (.jsonl, one record per line), a .json array of records, WRENCH records keyed by id ' +
    '({"0": {"data": {"text": ...}, "label": ...}, ...}), CSV or TSV, SST lines ("LABEL TEXT") or Parquet';
  // compressed or archived files: renaming cannot help, unpacking does
  const packed = head && head.length >= 4 ? packedKind(head) : undefined;
  if (packed) return new InputError(`this is ${packed.what}, not a dataset file; ${packed.fix}, then give the file inside`, { file });
  if (/\.json$/i.test(file) && start.startsWith('{')) {
    return new InputError(
      `cannot read this .json file as a dataset: it is one object, not an array of records or WRENCH records; ${known}. ` +
        'Put the records in a top-level array, or one per line in a .jsonl file',
      { file, line: 1 },
    );
  }
  return new InputError(`cannot tell the dataset format; ${known}. Give the file the extension of its format`, { file });
}

function parseLines(batch: LineBatch, format: LineFormat, opts: ParseOptions): Dataset {
  const policy = new ErrorPolicy(opts.path ?? '<input>', opts.lenient ?? false);
  const builder = new DatasetBuilder(format, policy, builderOptions(opts));
  const parser = createRecordParser(format, policy, (r) => builder.add(r), false, opts.header);
  keepFieldsInUse(parser, builder);
  parser.pushLines(batch);
  parser.end();
  passHeaderDecision(parser, builder);
  return builder.finish();
}

/** Class names given in memory (an option or a test) are preset names; `labelNames` is the older spelling. */
function builderOptions(opts: ParseOptions): BuilderOptions {
  const names = opts.classNames ?? opts.labelNames;
  return {
    path: opts.path,
    fields: opts.fields,
    ...(opts.keepFields ? { keepFields: opts.keepFields } : {}),
    ...(names ? { classNames: { names, source: opts.classNames ? 'option' : 'label.json' } } : {}),
  };
}
