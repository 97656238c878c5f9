// The only module of core/data that touches the file system; the parsers work on strings, bytes and line batches.
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { throwIfAborted } from '../encoder';
import { InputError } from '../errors';
import { DatasetBuilder } from './builder';
import { detectFormat } from './detect';
import { ErrorPolicy } from './errorPolicy';
import { detectFields, getField, type FieldDetection } from './fields';
import { CsvParser, type HeaderDecision } from './formats/csv';
import { parquetColumnNames } from './formats/parquet';
import { LineSplitter } from './lines';
import type { PresetClassNames } from './labels';
import { createRecordParser, keepFieldsInUse, parseParquet, passHeaderDecision, unknownFormatError } from './parse';
import type { Dataset, DatasetFormat, FieldMap, HeaderChoice, ReadOptions } from './types';

/** How much of a file `sniffDataset` and format detection read. */
const HEAD_BYTES = 64 * 1024;
/** Read-stream chunk size: large enough to amortise decoding, small enough to keep memory flat. */
const CHUNK_BYTES = 1024 * 1024;
/** Records parsed from a head to choose the field mapping. */
const SNIFF_RECORDS = 50;

export interface SniffResult {
  format?: DatasetFormat;
  fields: FieldMap;
  /** The head parses as rows of a known format and has a text, label or activation field. */
  looksLikeDataset: boolean;
  /** Why it does not look like a dataset, for a tooltip. */
  reason?: string;
  /** The fields in the head (what a column picker offers), how text and label were chosen, the header decision. */
  available?: string[];
  how?: FieldDetection['how'];
  unusedText?: string[];
  header?: HeaderDecision;
  /** Sample values per field (first rows), for a picker's descriptions. */
  samples?: Record<string, string>;
}

/**
 * Reads a dataset file by streaming it (JSONL, JSON arrays, WRENCH, CSV/TSV and SST line by line; Parquet row group
 * by row group), so memory holds the rows but never the whole file text.
 */
/** Why a file cannot be opened, in words (stat's error code kept in parentheses where it helps). */
export function statErrorWords(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file not found';
    case 'ELOOP':
      return 'a symbolic link that points back to itself (ELOOP)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.code})`;
    default:
      return `cannot read the file (${e.code ?? e.message})`;
  }
}

/** A file a dataset can be read from: not a folder (said by the caller), and not a pipe, socket or device. */
export function notRegularFileError(path: string): InputError {
  return new InputError('not a regular file (a pipe, socket or device): datasets are read from files on disk', { file: path });
}

export async function readDataset(path: string, opts: ReadOptions = {}): Promise<Dataset> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(statErrorWords(e), { file: path });
  });
  if (info.isDirectory()) throw new InputError('this is a folder, not a dataset file', { file: path });
  // A FIFO would block the read until its writer closes it (or read as empty); a device can be endless.
  if (!info.isFile()) throw notRegularFileError(path);
  const size = info.size;
  if (size === 0) throw new InputError('no rows: the file is empty', { file: path });
  const head = opts.format ? undefined : await readHead(path);
  const format = opts.format ?? detectFormat(path, head!);
  if (!format) throw unknownFormatError(path, head);
  throwIfAborted(opts.signal);
  if (format === 'parquet') {
    const handle = await open(path, 'r');
    try {
      return await parseParquet(fileBuffer(handle, size), { ...opts, path });
    } finally {
      await handle.close();
    }
  }

  const policy = new ErrorPolicy(path, opts.lenient ?? false);
  const classNames = await presetClassNames(path, format, opts, policy);
  const builder = new DatasetBuilder(format, policy, {
    path,
    fields: opts.fields,
    ...(classNames ? { classNames } : {}),
    ...(opts.keepFields ? { keepFields: opts.keepFields } : {}),
  });
  const parser = createRecordParser(format, policy, (r) => builder.add(r), false, opts.header);
  keepFieldsInUse(parser, builder);
  const splitter = new LineSplitter(path);
  let done = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES, signal: opts.signal })) {
      throwIfAborted(opts.signal);
      parser.pushLines(splitter.push(chunk as Uint8Array));
      done += (chunk as Uint8Array).length;
      opts.onProgress?.(done / size);
    }
  } catch (e) {
    // The stream rejects with its own AbortError; callers expect the project's CancelledError.
    throwIfAborted(opts.signal);
    throw e;
  }
  parser.pushLines(splitter.end());
  parser.end();
  passHeaderDecision(parser, builder);
  return builder.finish();
}

/** Largest classes.txt / label.json read (a list of class names, not data). */
const CLASS_FILE_BYTES = 1024 * 1024;

/**
 * Class names by id: the option first; then a WRENCH label.json beside a WRENCH file; then a classes.txt beside any
 * dataset file (one name per line, in id order: AG News, DBpedia, Yahoo Answers ship one).
 */
async function presetClassNames(path: string, format: DatasetFormat, opts: ReadOptions, policy: ErrorPolicy): Promise<PresetClassNames | undefined> {
  if (opts.classNames && opts.classNames.length > 0) return { names: opts.classNames, source: 'option' };
  if (format === 'wrench') {
    const names = await readLabelJsonBeside(path, policy);
    if (names) return { names, source: 'label.json', file: join(dirname(path), 'label.json') };
  }
  const classesPath = join(dirname(path), 'classes.txt');
  const names = await readClassesTxt(classesPath, policy);
  return names ? { names, source: 'classes.txt', file: classesPath } : undefined;
}

/** A classes.txt: one class name per line in id order; blank lines at the end are ignored. */
async function readClassesTxt(file: string, policy: ErrorPolicy): Promise<string[] | undefined> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) return undefined;
    if (info.size > CLASS_FILE_BYTES) {
      policy.warn(`ignored ${file}: larger than ${CLASS_FILE_BYTES / 1024} KB, not a list of class names`);
      return undefined;
    }
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const names = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const bad = names.findIndex((n) => n === '');
  if (names.length === 0 || bad >= 0 || new Set(names).size !== names.length) {
    policy.warn(`ignored ${file}: expected one distinct, non-empty class name per line${bad >= 0 ? ` (line ${bad + 1} is empty)` : ''}`);
    return undefined;
  }
  return names;
}

/** A cheap look at a file (its first 64 KB, or a Parquet footer) for listing dataset files. Never throws on content. */
export async function sniffDataset(path: string, opts: Pick<ReadOptions, 'header' | 'fields'> = {}): Promise<SniffResult> {
  const header = opts.header ?? 'auto';
  const info = await stat(path);
  if (info.isDirectory()) return { fields: {}, looksLikeDataset: false, reason: 'a folder, not a file' };
  if (!info.isFile()) return { fields: {}, looksLikeDataset: false, reason: 'not a regular file (a pipe, socket or device)' };
  const size = info.size;
  if (size === 0) return { fields: {}, looksLikeDataset: false, reason: 'the file is empty' };
  const head = await readHead(path);
  const format = detectFormat(path, head);
  if (!format) return { fields: {}, looksLikeDataset: false, reason: 'not a recognised dataset format' };
  const policy = new ErrorPolicy(path, true);
  try {
    const records: HeadRecords = format === 'parquet' ? await parquetHeadRecord(path, size, policy) : headRecords(format, head, size, policy, header);
    if (records.length === 0) {
      return { format, fields: {}, looksLikeDataset: false, reason: policy.warnings[0]?.message ?? 'no rows in the first 64 KB' };
    }
    const detection = detectFields(records, opts.fields);
    const { fields } = detection;
    const useful = fields.text ?? fields.label ?? fields.weakActs ?? fields.strongActs ?? fields.weakLabels;
    const details = {
      available: detection.available,
      how: detection.how,
      unusedText: detection.unusedText,
      samples: sampleValues(records, detection.available),
      ...(records.headerDecision ? { header: records.headerDecision } : {}),
    };
    return useful
      ? { format, fields, looksLikeDataset: true, ...details }
      : { format, fields, looksLikeDataset: false, reason: 'no text, label or activation field', ...details };
  } catch (e) {
    if (e instanceof InputError) return { format, fields: {}, looksLikeDataset: false, reason: e.message };
    throw e;
  }
}

/** The first value of each field, shortened, for a picker. */
function sampleValues(records: Record<string, unknown>[], paths: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const p of paths.slice(0, 200)) {
    const v = records.map((r) => getField(r, p)).find((x) => x !== undefined && x !== null && x !== '');
    if (v === undefined) continue;
    const t = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
    out[p] = t.length > 60 ? `${t.slice(0, 57)}...` : t;
  }
  return out;
}

type HeadRecords = Record<string, unknown>[] & { headerDecision?: HeaderDecision };

function headRecords(format: Exclude<DatasetFormat, 'parquet'>, head: Uint8Array, size: number, policy: ErrorPolicy, header: HeaderChoice): HeadRecords {
  const records: HeadRecords = [];
  const parser = createRecordParser(format, policy, (r) => records.length < SNIFF_RECORDS && records.push(r.fields), true, header);
  const withDecision = (): HeadRecords => {
    if (parser instanceof CsvParser && parser.decision) records.headerDecision = parser.decision;
    return records;
  };
  const splitter = new LineSplitter(policy.file);
  // A head cut mid-file ends in a partial line (maybe mid-character), so only its complete lines are parsed.
  const cut = size > head.length ? head.subarray(0, head.lastIndexOf(0x0a) + 1) : head;
  if (cut.length === 0 && (format === 'json' || format === 'wrench')) {
    // Compact JSON on one long line: the members complete within the head still count. Cut before any
    // multi-byte character and stop at the first error, which is where the head ends mid-member.
    let end = head.length;
    while (end > 0 && head[end - 1] >= 0x80) end--;
    try {
      parser.pushLines(splitter.push(head.subarray(0, end)));
      parser.pushLines(splitter.end());
    } catch {
      // the head ended inside a member
    }
    return withDecision();
  }
  parser.pushLines(splitter.push(cut));
  if (size <= head.length) parser.pushLines(splitter.end());
  parser.end();
  return withDecision();
}

/** Parquet column names stand in for a sample row: field detection by name needs no row data. */
async function parquetHeadRecord(path: string, size: number, policy: ErrorPolicy): Promise<Record<string, unknown>[]> {
  const handle = await open(path, 'r');
  try {
    const names = await parquetColumnNames(fileBuffer(handle, size), policy);
    return [Object.fromEntries(names.map((n) => [n, undefined]))];
  } finally {
    await handle.close();
  }
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * WRENCH keeps class names in a `label.json` beside the split files: `{"0": "ham", "1": "spam"}`. Also read as other
 * tools write it: a list in id order (`["ham", "spam"]`) and the map turned round (`{"ham": 0, "spam": 1}`). Ids must
 * be 0..K-1, each once; names distinct and non-empty. At most CLASS_FILE_BYTES.
 */
async function readLabelJsonBeside(path: string, policy: ErrorPolicy): Promise<string[] | undefined> {
  const labelPath = join(dirname(path), 'label.json');
  let text: string;
  try {
    const info = await stat(labelPath);
    if (!info.isFile()) return undefined;
    if (info.size > CLASS_FILE_BYTES) {
      policy.warn(`ignored ${labelPath}: larger than ${CLASS_FILE_BYTES / 1024} KB, not a list of class names`);
      return undefined;
    }
    text = await readFile(labelPath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return labelJsonNames(JSON.parse(text.replace(/^\uFEFF/, '')) as unknown);
  } catch (e) {
    policy.warn(`ignored ${labelPath}: expected {"0": "name", ...}, ["name", ...] or {"name": 0, ...} (${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  }
}

/** The class names of a parsed label.json (readLabelJsonBeside's three shapes), or an Error saying what is wrong. */
export function labelJsonNames(parsed: unknown): string[] {
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || !parsed.every((n) => typeof n === 'string' && n.trim() !== '')) throw new Error('a list of non-empty names is expected');
    if (new Set(parsed).size !== parsed.length) throw new Error('a name is listed twice');
    return parsed as string[];
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object or a list');
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw new Error('no classes');
  // {"0": "ham"} (ids as keys) or {"ham": 0} (names as keys, ids as values)
  const byId = entries.every(([k, v]) => typeof v === 'string' && /^\s*\d+\s*$/.test(k));
  const turned = !byId && entries.every(([, v]) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)));
  if (!byId && !turned) throw new Error('values must all be names, or all be ids');
  const names: string[] = new Array(entries.length);
  for (const [key, value] of entries) {
    const [idText, name] = byId ? [key, value as string] : [String(value), key];
    const k = Number(idText);
    if (!Number.isInteger(k) || k < 0 || k >= entries.length || !/^\d+$/.test(idText.trim())) throw new Error(`bad entry "${key}": ids must be 0..${entries.length - 1}`);
    if (names[k] !== undefined) throw new Error(`id ${k} is given twice`);
    if (name.trim() === '') throw new Error(`id ${k} has an empty name`);
    names[k] = name;
  }
  if (new Set(names).size !== names.length) throw new Error('a name is given twice');
  return names;
}

/** Random access to an open file for the Parquet reader (it reads the footer, then row groups). */
function fileBuffer(handle: Awaited<ReturnType<typeof open>>, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const out = new Uint8Array(end - start);
      let at = 0;
      while (at < out.length) {
        const { bytesRead } = await handle.read(out, at, out.length - at, start + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return out.buffer;
    },
  };
}
