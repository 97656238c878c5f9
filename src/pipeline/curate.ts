/**
 * Writes a curated dataset file (issue 17, part 3): chosen rows of an analysed dataset in the input's own format,
 * each row's source text copied byte for byte (CRLF, quoting, multi-line CSV fields, a missing final newline, a BOM
 * and a CSV/TSV header line included). JSON arrays and WRENCH objects keep each member's exact value text inside a
 * new container (WRENCH keys written as JSON strings, identical for its plain numeric keys). Parquet and arrays
 * cannot be copied byte for byte and are refused. The written bytes are read back with the analysis's read options
 * before they are written, and must give exactly the chosen rows.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { curationPlan, type CurationBudget, type CurationPlan } from '../core/curate';
import { parseDatasetBytes, sniffDataset, type Dataset, type DatasetRow } from '../core/data';
import { ErrorPolicy } from '../core/data/errorPolicy';
import { TopLevelJsonScanner, type JsonElement } from '../core/data/jsonScanner';
import { splitTextLines } from '../core/data/lines';
import { LineTable } from '../core/data/structure';
import { InputError } from '../core/errors';
import type { AnalysisResult } from '../core/result/schema';
import { analyzeDatasetFile, modelSpecInputs, resolveInputs } from './analyzeFile';
import { writeFileAtomic } from './results';
import { refuseOutputsOverInputs, refuseOutputsOverOwnFiles } from './outputs';
import { rereadOptions } from './rowTexts';
import type { PipelineHooks, PipelineOptions, PipelineOutcome } from './types';

/** Formats whose rows can be copied byte for byte. */
const COPYABLE = new Set(['jsonl', 'csv', 'tsv', 'sst', 'json', 'wrench']);

export interface RowsFileOptions {
  /** Replace an existing output file (never an input). */
  force?: boolean;
  /** Other files the run reads, which the output must not replace (a test file). */
  inputs?: readonly string[];
}

export interface RowsFileOutcome {
  file: string;
  rows: number;
  bytes: number;
  format: string;
}

/** `<dir>/<name>.curated.<ext>` beside the input (`stsa.binary.train` -> `stsa.binary.curated.train`). */
export function curatedPathFor(datasetPath: string, tag = 'curated'): string {
  const dir = path.dirname(datasetPath);
  const base = path.basename(datasetPath);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? path.join(dir, `${base.slice(0, dot)}.${tag}${base.slice(dot)}`) : path.join(dir, `${base}.${tag}`);
}

/** Why a format cannot be curated byte for byte, or undefined when it can. */
export function uncopyableReason(format: string | undefined): string | undefined {
  if (format && COPYABLE.has(format)) return undefined;
  if (format === 'parquet') return 'Parquet is a binary, column-wise format: its rows cannot be copied byte for byte; convert it to JSONL or CSV and analyse that file';
  return `rows of this input (${format ?? 'unknown format'}) cannot be copied byte for byte; curation needs a JSONL, JSON, CSV/TSV, SST or WRENCH file`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads the analysed dataset again (same read options as the analysis) and checks that it is the analysed file:
 * its sha256 when the result recorded one, and every result row's line.
 */
export async function readAnalysedDataset(file: string, result: AnalysisResult): Promise<{ bytes: Uint8Array; dataset: Dataset }> {
  const reason = uncopyableReason(result.dataset.format);
  if (reason) throw new InputError(reason, { file });
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new InputError(`cannot read the dataset (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
  }
  if (result.dataset.contentHash && result.dataset.contentHash !== sha256(bytes)) {
    throw new InputError('the file changed since it was analysed (its sha256 differs); analyse it again before curating', { file });
  }
  const dataset = await parseDatasetBytes(bytes, { ...rereadOptions(result), path: file });
  const byIndex = new Map<number, DatasetRow>(dataset.rows.map((r) => [r.index, r]));
  for (const r of result.rows) {
    if (r.line === undefined) continue;
    const d = byIndex.get(r.index);
    if (!d || d.line !== r.line) {
      throw new InputError(`row ${r.index + 1} of the analysis is not at line ${r.line} of the file as read again; analyse it again before curating`, { file });
    }
  }
  return { bytes, dataset };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * How each row of one file is copied: for one-row-per-line and CSV/TSV files the row's exact lines (and the file's
 * prefix before its first data row: BOM, header line); for JSON arrays and WRENCH objects each member's exact value
 * text with its indentation and key, to go into a new container.
 */
export type RowPieces =
  | { kind: 'lines'; file: string; format: string; prefix: Uint8Array; eol: string; row: (r: DatasetRow) => Uint8Array }
  | { kind: 'json'; file: string; format: string; container: 'array' | 'object'; bom: string; eol: string; member: (r: DatasetRow) => { indent: string; key: string; value: string } };

/** The line ending a file uses (its first line's), "\n" when it has a single line. */
function firstEol(bytes: Uint8Array): string {
  const i = bytes.indexOf(0x0a);
  return i > 0 && bytes[i - 1] === 0x0d ? '\r\n' : '\n';
}

/** One-row-per-line and CSV/TSV files: everything before the first data row (BOM, header), then each row's lines. */
function linePieces(bytes: Uint8Array, dataset: Dataset, file: string): RowPieces {
  // Byte offset where a 1-based line starts (line 1 after a BOM; the end of the file past the last line).
  const lines = new LineTable(bytes);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const at = (line: number) => Math.max(bom, lines.startOf(line));
  const first = dataset.rows[0];
  return {
    kind: 'lines', file, format: dataset.format, eol: firstEol(bytes),
    prefix: first ? bytes.subarray(0, at(first.line)) : bytes.subarray(0, 0),
    row: (r) => bytes.subarray(at(r.line), at(r.endLine + 1)),
  };
}

/** A JSON member's exact source text: the scanner joins its lines with "\n"; each line's own ending is put back. */
function exactElementText(el: JsonElement, eols: string[]): string {
  const parts = el.text.split('\n');
  const first = el.endLine - parts.length + 1;
  return parts.map((p, k) => (k < parts.length - 1 ? p + eols[first + k]! : p)).join('');
}

/** JSON arrays and WRENCH objects: each member's exact text, matched to the rows by their lines. */
function jsonPieces(bytes: Uint8Array, dataset: Dataset, file: string): RowPieces {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  const batch = splitTextLines(text, file);
  const eols: string[] = [''];
  const rawLines = text.split('\n');
  for (let k = 0; k < batch.lines.length; k++) eols.push(rawLines[k]!.endsWith('\r') ? '\r\n' : '\n');
  const eol = eols[1] ?? '\n';
  const container = dataset.format === 'wrench' ? 'object' : 'array';
  const elements: JsonElement[] = [];
  const scanner = new TopLevelJsonScanner(container, new ErrorPolicy(file, true), (el) => elements.push(el));
  scanner.pushLines(batch);
  scanner.end();
  // Elements that are not row objects were skipped by the reader; match the rows to the elements by their lines.
  const rowElement = new Map<number, JsonElement>();
  const sameSpan = (el: JsonElement, r: DatasetRow) => el.line === r.line && el.endLine === r.endLine;
  let k = 0;
  for (const r of dataset.rows) {
    while (k < elements.length && !sameSpan(elements[k]!, r)) k++;
    if (k >= elements.length) throw new InputError(`row ${r.index + 1} (line ${r.line}) was not found again in the file`, { file, line: r.line });
    if (dataset.read.skipped > 0 && k + 1 < elements.length && sameSpan(elements[k + 1]!, r)) {
      throw new InputError('several members share these lines and some were skipped as malformed, so rows cannot be matched to members; fix the malformed members first', { file, line: r.line });
    }
    rowElement.set(r.index, elements[k]!);
    k++;
  }
  const rawLine = (line: number) => (rawLines[line - 1] ?? '').replace(/^\uFEFF/, '');
  return {
    kind: 'json', file, format: dataset.format, container, eol,
    bom: text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '',
    member: (r) => {
      const el = rowElement.get(r.index);
      if (!el) throw new InputError(`row ${r.index + 1} is not a member of the file`, { file, line: r.line });
      return { indent: /^[ \t]*/.exec(rawLine(el.line))![0], key: el.key ?? String(r.index), value: exactElementText(el, eols) };
    },
  };
}

/** How the rows of `dataset` (read from `bytes`) are copied byte for byte. */
export function rowPieces(bytes: Uint8Array, dataset: Dataset, file: string): RowPieces {
  return dataset.format === 'json' || dataset.format === 'wrench' ? jsonPieces(bytes, dataset, file) : linePieces(bytes, dataset, file);
}

/**
 * The bytes of a file of `rows` (each with the pieces of its own file), in the order given. Line formats: the first
 * file's prefix (BOM, header line), then each row's exact lines; a row without a final newline (a file's last line)
 * gets its file's line ending when more rows follow. JSON: a new container of the first file's kind, BOM and line
 * ending, one member per line. WRENCH keys are kept unless two rows share one (rows of different files), in which case
 * every key is renumbered "0", "1", ... in output order and `notes` says so. All pieces must be of one format.
 */
export function joinRowPieces(rows: readonly { pieces: RowPieces; row: DatasetRow }[]): { bytes: Uint8Array; notes: string[] } {
  if (rows.length === 0) throw new InputError('no rows were chosen: nothing to write');
  const first = rows[0]!.pieces;
  for (const { pieces } of rows) {
    if (pieces.format !== first.format) throw new InputError(`rows of ${pieces.format} and ${first.format} files cannot go into one file`, { file: pieces.file });
  }
  if (first.kind === 'lines') {
    const parts: Uint8Array[] = [first.prefix];
    const eol = new TextEncoder().encode(first.eol);
    // Rows of a file with other line endings end with the first file's instead, so that the file written has one
    // kind (the bytes inside a row, such as a quoted field's line break, stay as they are).
    const others = new Set<string>();
    rows.forEach(({ pieces, row }, k) => {
      if (pieces.kind !== 'lines') throw new Error('internal error: mixed pieces');
      const b = pieces.row(row);
      const last = k === rows.length - 1;
      if (pieces !== first && pieces.eol !== first.eol) {
        others.add(pieces.file);
        const cut = b.length > 0 && b[b.length - 1] === 0x0a ? (b.length > 1 && b[b.length - 2] === 0x0d ? 2 : 1) : 0;
        if (cut > 0) {
          parts.push(b.subarray(0, b.length - cut), eol);
          return;
        }
      }
      parts.push(b);
      if (!last && b.length > 0 && b[b.length - 1] !== 0x0a) parts.push(eol);
    });
    const name = (eolText: string) => (eolText === '\r\n' ? 'CRLF' : 'LF');
    const notes = others.size > 0
      ? [`the sources end their lines differently: rows of ${[...others].map((f) => path.basename(f)).join(', ')} end with ${name(first.eol)}, as ${path.basename(first.file)} does (${name(first.eol === '\n' ? '\r\n' : '\n')} in theirs), so the file has one kind of line ending`]
      : [];
    return { bytes: concat(parts), notes };
  }
  const members = rows.map(({ pieces, row }) => {
    if (pieces.kind !== 'json') throw new Error('internal error: mixed pieces');
    return pieces.member(row);
  });
  const notes: string[] = [];
  let keys = members.map((m) => m.key);
  if (first.container === 'object' && new Set(keys).size < keys.length) {
    keys = keys.map((_, k) => String(k));
    notes.push('the sources share WRENCH keys (row ids), so the keys were renumbered 0, 1, ... in output order; each member\'s value is copied byte for byte');
  }
  const eol = first.eol;
  const texts = members.map((m, k) => (first.container === 'object' ? `${m.indent}${JSON.stringify(keys[k])}: ${m.value}` : `${m.indent}${m.value}`));
  const [open, close] = first.container === 'object' ? ['{', '}'] : ['[', ']'];
  return { bytes: new TextEncoder().encode(`${first.bom}${open}${eol}${texts.join(`,${eol}`)}${eol}${close}${eol}`), notes };
}

/** The bytes of a file holding `indices` (dataset row indices) of `dataset`, in file order. */
export function rowsFileBytes(bytes: Uint8Array, dataset: Dataset, indices: Iterable<number>, file: string): Uint8Array {
  const byIndex = new Map<number, DatasetRow>(dataset.rows.map((r) => [r.index, r]));
  const wanted = new Set<number>();
  for (const i of indices) {
    if (!byIndex.has(i)) throw new InputError(`row index ${i} is not a row of the dataset`, { file });
    wanted.add(i);
  }
  const chosen = dataset.rows.filter((r) => wanted.has(r.index));
  if (chosen.length === 0) throw new InputError('no rows were chosen: nothing to write', { file });
  const pieces = rowPieces(bytes, dataset, file);
  return joinRowPieces(chosen.map((row) => ({ pieces, row }))).bytes;
}

/** Reads `out` back as the analysis read the input; it must give the chosen rows, field for field, in order. */
async function verifyRows(outBytes: Uint8Array, result: AnalysisResult, chosen: DatasetRow[], out: string): Promise<void> {
  const again = await parseDatasetBytes(outBytes, { ...rereadOptions(result), lenient: false, path: out });
  const same =
    again.rows.length === chosen.length &&
    again.rows.every((r, k) => r.text === chosen[k]!.text && JSON.stringify(r.fields) === JSON.stringify(chosen[k]!.fields));
  if (!same) throw new Error(`internal error: the curated file does not read back as the chosen rows (${again.rows.length} rows read, ${chosen.length} chosen); nothing was written`);
}

/**
 * Writes the rows `indices` of the analysed dataset `file` to `out`: never over an input, atomically, and only over
 * an existing file with `force`.
 */
export async function writeRowsFile(
  file: string,
  result: AnalysisResult,
  indices: readonly number[],
  out: string,
  opts: RowsFileOptions = {},
): Promise<RowsFileOutcome> {
  const inputs = [{ path: file, role: 'the dataset' }, ...(opts.inputs ?? []).map((p) => ({ path: p, role: 'an input' }))];
  await refuseOutputsOverInputs([{ path: out, role: 'the curated file' }], inputs);
  if (!opts.force && (await fs.stat(out).then(() => true, () => false))) {
    throw new InputError('the output file exists; choose another path or pass --force to replace it', { file: out });
  }
  const { bytes, dataset } = await readAnalysedDataset(file, result);
  const outBytes = rowsFileBytes(bytes, dataset, indices, file);
  const wanted = new Set(indices);
  await verifyRows(outBytes, result, dataset.rows.filter((r) => wanted.has(r.index)), out);
  await writeFileAtomic(out, outBytes);
  return { file: out, rows: wanted.size, bytes: outBytes.length, format: dataset.format };
}

export interface CurateRequest {
  budget: CurationBudget;
  /** Seed of the curation's draws and tie-breaks (default: the analysis seed). */
  seed?: number;
  /** The curated file (default `<name>.curated.<ext>` beside the input). */
  out?: string;
  force?: boolean;
  /** Analyse the curated file on the input's test set (default true). */
  analyze?: boolean;
  /** Folder of both results files (default: each file's `.overlap` folder beside it). */
  resultsDir?: string;
}

export interface CurateOutcome {
  input: PipelineOutcome;
  plan: CurationPlan;
  written: RowsFileOutcome;
  /** The input's test rows, written beside the curated file when the input had no test file (same test set). */
  testWritten?: RowsFileOutcome;
  /** The curated file's own analysis, on the same test set. */
  curated?: PipelineOutcome;
  /** Why the curated file could not be analysed (too few rows, ...); the file itself was written. */
  curatedError?: string;
}

/**
 * Analyse -> choose (core/curate) -> write the curated file -> analyse it on the same test set. The curated file
 * holds W2S-train rows only; its analysis splits them again into weak-train and W2S-train halves and scores on the
 * input's test file, or on the input's test rows written to `<name>.curated-test.<ext>` when the input had none.
 */
export async function curateDataset(datasetPath: string, options: PipelineOptions, req: CurateRequest, hooks: PipelineHooks = {}): Promise<CurateOutcome> {
  const { file, testFile } = await resolveInputs(datasetPath, options.testFile);
  const out = path.resolve(req.out ?? curatedPathFor(file));
  const analyze = req.analyze ?? true;
  // The input's test rows go beside the curated file when the input has no test file: `x.curated.test.jsonl`.
  const testOut = analyze && !testFile ? curatedPathFor(out, 'test') : undefined;
  const inputs = [file, ...(testFile ? [testFile] : [])];
  // Refuse before any work: an output over an input, or over an existing file without --force.
  const outputs = [{ path: out, role: 'the curated file' }, ...(testOut ? [{ path: testOut, role: 'the curated test file' }] : [])];
  // the activation files and models of --weak / --strong are inputs too: never replaced, with --force too
  await refuseOutputsOverInputs(outputs, [...inputs.map((p) => ({ path: p, role: 'an input' })), ...modelSpecInputs(options, file)]);
  // nor over the results this command writes (--results-dir) or the input's own .overlap files
  const resultIn = (f: string, tag = '') => (req.resultsDir ? path.join(path.resolve(req.resultsDir), `${path.basename(f)}${tag}.result.json`) : undefined);
  const curatedResult = resultIn(out, path.basename(out) === path.basename(file) ? '.curated' : '');
  const reserved = [
    ...(resultIn(file) ? [{ path: resultIn(file)!, role: 'where the input\'s analysis is written (--results-dir)' }] : []),
    ...(analyze && curatedResult ? [{ path: curatedResult, role: 'where the curated file\'s analysis is written (--results-dir)' }] : []),
  ];
  refuseOutputsOverOwnFiles(outputs, inputs, reserved);
  for (const o of outputs) {
    if (!req.force && (await exists(o.path))) throw new InputError(`${o.role} exists; choose another path or pass --force to replace it`, { file: o.path });
  }
  const format = await formatOf(file, options);
  const reason = uncopyableReason(format);
  if (reason) throw new InputError(reason, { file });

  const input = await analyzeDatasetFile(file, { ...options, outFile: resultIn(file) }, hooks);
  const result = input.result;
  const plan = curationPlan(result.rows, req.budget, req.seed ?? result.options.seed);
  const written = await writeRowsFile(file, result, plan.rows, out, { force: req.force, inputs });
  let testWritten: RowsFileOutcome | undefined;
  let curated: PipelineOutcome | undefined;
  let curatedError: string | undefined;
  // activation files (npy: / safetensors:) hold the input's rows, one per row of the input: they cannot stand for the
  // curated file's rows, so its analysis would fail on a row count (or on the test file); say why instead
  const fileSpecs = (['weak', 'strong'] as const).filter((side) => options[side].kind === 'npy' || options[side].kind === 'safetensors');
  if (analyze && fileSpecs.length > 0) {
    curatedError = `--${fileSpecs.join(' and --')} ${fileSpecs.length === 1 ? 'names an activation file' : 'name activation files'} ` +
      `with one row per row of ${path.basename(file)}, not of the curated file; analyse it with activations of its own rows (or encoders)`;
  } else if (analyze) {
    let test = result.dataset.testFile;
    if (!test) {
      const testRows = result.rows.filter((r) => r.split === 'test').map((r) => r.index);
      testWritten = await writeRowsFile(file, result, testRows, testOut ?? curatedPathFor(out, 'test'), { force: req.force, inputs: [...inputs, out] });
      test = testWritten.file;
    }
    const read = result.dataset.read;
    try {
      curated = await analyzeDatasetFile(
        out,
        {
          ...options,
          format: result.dataset.format as PipelineOptions['format'],
          ...(read?.header ? { header: read.header.present ? 'yes' : 'no' } : {}),
          testFile: test,
          outFile: curatedResult,
        },
        hooks,
      );
    } catch (e) {
      // The file is written and correct; a curated file too small to analyse (a few rows) is said, not an error.
      if (!(e instanceof InputError)) throw e;
      curatedError = e.message;
    }
  }
  return {
    input, plan, written,
    ...(testWritten ? { testWritten } : {}),
    ...(curated ? { curated } : {}),
    ...(curatedError ? { curatedError } : {}),
  };
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/** The format the analysis will read (given, or detected from the file's head), to refuse Parquet before analysing. */
async function formatOf(file: string, options: PipelineOptions): Promise<string | undefined> {
  if (options.format) return options.format;
  return (await sniffDataset(file, options.header !== undefined ? { header: options.header } : {})).format;
}
