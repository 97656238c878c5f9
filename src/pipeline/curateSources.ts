/**
 * Curation by the UCB selection across sources (issue 17, part 3, second mode; docs/curation.md): two or more source
 * files (or one file split into sources by a column, as `select --split-by` does) -> one UCB run of the paper's
 * Algorithm 1 (core/select) -> the rows it drew, in draw order, up to a row budget -> a curated file of those rows,
 * each row's text byte for byte (src/pipeline/curate.ts) -> the W2S probe on the curated rows beside a same-size
 * random draw from the pooled sources and all pooled rows, on the sources' shared test set -> the curated file's own
 * analysis on that same test set (its rows written beside it byte for byte as well).
 * Sources must share one format, and CSV/TSV sources one header line; the curated file never replaces an input and is
 * written atomically, after it reads back as exactly the chosen rows.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  checkUcbBudget, compareUcbCuration, rowsPerSource, ucbCurationRequest, ucbDrawnRows, type DrawnRow, type UcbCurationComparison,
} from '../core/curate/sources';
import { parseDatasetBytes, sniffDataset, type Dataset, type DatasetRow, type ReadOptions } from '../core/data';
import { InputError } from '../core/errors';
import { DEFAULT_SELECTION_OPTIONS, runSelection } from '../core/select/run';
import type { BonusMode, SelectionOptions, SelectionResult } from '../core/select/schema';
import { analyzeDatasetFile } from './analyzeFile';
import { curatedPathFor, joinRowPieces, rowPieces, uncopyableReason, type RowPieces, type RowsFileOutcome } from './curate';
import { refuseOutputsOverInputs } from './outputs';
import { writeFileAtomic } from './results';
import { loadSelectionData, setupFromColumn, setupFromFiles, type LoadSourcesOptions } from './sources';
import type { PipelineHooks, PipelineOptions, PipelineOutcome } from './types';
import type { FieldMap } from '../core/data/types';

export interface CurateSourcesRequest {
  /** Rows to keep (at most the smallest source's pool: UCB may pull one source in every round). */
  size: number;
  /** Seed of the sources' splits and of the UCB run (its arm orders); default 0. */
  seed?: number;
  /** One file split into sources by a column or `@votes` (labelling-function coverage), as `select --split-by`. */
  splitBy?: string;
  rounds?: number;
  perRound?: number;
  bonus?: BonusMode;
  /** Detection and probe options of the selection (defaults: `select`'s). */
  selection?: Partial<SelectionOptions>;
  /** The curated file (default beside the first source: `a+b.curated.<ext>`, `<name>.by-COLUMN.curated.<ext>`). */
  out?: string;
  force?: boolean;
  /** Analyse the curated file on the sources' shared test set (default true). */
  analyze?: boolean;
  /** Folder of the curated file's result (default: the .overlap folder beside it). */
  resultsDir?: string;
}

export interface CurateSourcesOutcome {
  /** The UCB run (one strategy, one seed) whose pulls were kept. */
  selection: SelectionResult;
  /** The curated rows in draw order: source, position in its pool, round. */
  rows: DrawnRow[];
  sources: { name: string; path?: string; poolRows: number; taken: number }[];
  comparison: UcbCurationComparison;
  written: RowsFileOutcome;
  /** The sources' test rows (the shared test set of the selection), the curated file's test file. */
  testWritten?: RowsFileOutcome;
  curated?: PipelineOutcome;
  curatedError?: string;
  notes: string[];
}

interface ReadSource {
  file: string;
  bytes: Uint8Array;
  hash: string;
  dataset: Dataset;
  pieces: RowPieces;
  byIndex: Map<number, DatasetRow>;
}

const FORMAT_NAMES: Record<string, string> = { jsonl: 'JSONL', json: 'a JSON array', csv: 'CSV', tsv: 'TSV', sst: 'SST lines', wrench: 'WRENCH JSON', parquet: 'Parquet' };

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const stem = (f: string) => {
  const b = path.basename(f);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
};

/** Default curated file: `a+b.curated.<ext>` beside the first source, or `<name>.by-COLUMN.curated.<ext>`. */
export function sourcesCuratedPath(files: readonly string[], splitBy?: string): string {
  const first = files[0]!;
  if (splitBy) return curatedPathFor(first, `by-${splitBy.replace(/^@/, '').replace(/[^\w.-]+/g, '_')}.curated`);
  const ext = path.extname(first);
  return path.join(path.dirname(first), `${files.map(stem).join('+')}.curated${ext}`);
}

/** How the sources are read (the reading part of the pipeline options). */
export type ReadingOptions = Pick<PipelineOptions, 'format' | 'fields' | 'header' | 'classNames'>;

function readOptions(options: ReadingOptions, format: string | undefined): ReadOptions {
  return {
    ...(format ? { format: format as ReadOptions['format'] } : {}),
    ...(options.fields ? { fields: options.fields } : {}),
    ...(options.header !== undefined ? { header: options.header } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  };
}

/** The header line of a CSV/TSV source (without BOM and line ending), '' when it has none. */
function headerLine(p: RowPieces): string {
  if (p.kind !== 'lines') return '';
  return new TextDecoder().decode(p.prefix).replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
}

/**
 * Reads every source once, before any encoding: copyable format, one format for all, one CSV/TSV header line.
 * Bad rows stop here with the file and line (the reader's strict mode, as the selection's own reading).
 */
export async function readCurationSources(files: readonly string[], options: ReadingOptions): Promise<ReadSource[]> {
  const out: ReadSource[] = [];
  for (const file of files) {
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new InputError('file not found', { file });
    }
    if (stat.isDirectory()) throw new InputError('a folder: curation across sources needs dataset files (rows are copied from them byte for byte)', { file });
    const format = options.format ?? (await sniffDataset(file, options.header !== undefined ? { header: options.header } : {})).format;
    const reason = uncopyableReason(format);
    if (reason) throw new InputError(reason, { file });
    const bytes = new Uint8Array(await fs.readFile(file));
    const dataset = await parseDatasetBytes(bytes, { ...readOptions(options, format), path: file });
    out.push({ file, bytes, hash: sha256(bytes), dataset, pieces: rowPieces(bytes, dataset, file), byIndex: new Map(dataset.rows.map((r) => [r.index, r])) });
  }
  const first = out[0]!;
  for (const s of out.slice(1)) {
    if (s.dataset.format !== first.dataset.format) {
      const name = (f: string) => FORMAT_NAMES[f] ?? f;
      throw new InputError(
        `the sources must share one format: ${path.basename(first.file)} is ${name(first.dataset.format)}, ${path.basename(s.file)} is ` +
          `${name(s.dataset.format)}; the curated file copies rows byte for byte into one file, so convert them to one format first`,
        { file: s.file },
      );
    }
    if (headerLine(s.pieces) !== headerLine(first.pieces)) {
      const h = (p: RowPieces) => (headerLine(p) === '' ? 'no header line' : `the header line "${headerLine(p)}"`);
      throw new InputError(
        `the sources' header lines differ: ${path.basename(first.file)} has ${h(first.pieces)}, ${path.basename(s.file)} has ${h(s.pieces)}; ` +
          'the curated file has one header line, so the sources must agree on it (same columns, same order)',
        { file: s.file, line: 1 },
      );
    }
    // JSON rows carry their field names: the curated file is read back with the first source's (text, label,
    // votes, activations), so a source that keeps its label in "y" instead of "label" would lose its rows there.
    const roles: (keyof FieldMap)[] = ['text', 'label', 'weakLabels', 'weakActs', 'strongActs', 'weakProbs'];
    for (const role of roles) {
      const a = JSON.stringify(first.dataset.fields[role] ?? null);
      const b = JSON.stringify(s.dataset.fields[role] ?? null);
      if (a !== b) {
        throw new InputError(
          `the sources' fields differ: the ${role} field is ${a === 'null' ? 'absent' : a} in ${path.basename(first.file)} and ` +
            `${b === 'null' ? 'absent' : b} in ${path.basename(s.file)}; the curated file is read with one set of fields, so rename them to agree`,
          { file: s.file },
        );
      }
    }
  }
  return out;
}

/** The read options the curated file is read back and analysed with: the first source's format, fields and header. */
function curatedReadOptions(src: ReadSource, options: ReadingOptions): ReadOptions {
  const read = src.dataset.read;
  const fields: NonNullable<ReadOptions['fields']> = { ...(options.fields ?? {}) };
  if (read.textFields.length === 1) fields.text = read.textFields[0];
  else if (read.textFields.length > 1) fields.text = [...read.textFields];
  if (read.labelField) fields.label = read.labelField;
  return {
    format: src.dataset.format,
    fields,
    ...(read.header ? { header: read.header.present ? 'yes' : 'no' } : {}),
    ...(src.dataset.format === 'wrench' && src.dataset.labelNames ? { classNames: src.dataset.labelNames } : {}),
  };
}

/** Writes `rows` (in this order) to `out` after checking that the bytes read back as exactly those rows. */
async function writeChosen(rows: { src: ReadSource; row: DatasetRow }[], out: string, read: ReadOptions): Promise<RowsFileOutcome & { notes: string[] }> {
  const { bytes, notes } = joinRowPieces(rows.map(({ src, row }) => ({ pieces: src.pieces, row })));
  const again = await parseDatasetBytes(bytes, { ...read, lenient: false, path: out });
  const fieldsOf = (r: DatasetRow) => JSON.stringify(r.fields);
  const same = again.rows.length === rows.length && again.rows.every((r, k) => r.text === rows[k]!.row.text && fieldsOf(r) === fieldsOf(rows[k]!.row));
  if (!same) throw new Error(`internal error: the curated file does not read back as the chosen rows (${again.rows.length} rows read, ${rows.length} chosen); nothing was written`);
  // The sources must still be the files that were read and encoded.
  for (const src of new Set(rows.map((r) => r.src))) {
    const now = await fs.readFile(src.file).then((b) => sha256(b), () => '');
    if (now !== src.hash) throw new InputError('the file changed while curating (its sha256 differs); run again', { file: src.file });
  }
  await writeFileAtomic(out, bytes);
  return { file: out, rows: rows.length, bytes: bytes.length, format: rows[0]!.src.dataset.format, notes };
}

/** Reads, selects with UCB, writes, compares and analyses; see the file comment. */
export async function curateFromSources(
  paths: readonly string[],
  options: PipelineOptions,
  req: CurateSourcesRequest,
  hooks: PipelineHooks = {},
): Promise<CurateSourcesOutcome> {
  const files = paths.map((p) => path.resolve(p));
  if (req.splitBy && files.length !== 1) throw new InputError(`--split-by splits one source file into sources, got ${files.length} files`);
  if (!req.splitBy && files.length < 2) {
    throw new InputError(
      `curation across sources needs at least 2 source files, got ${files.length}${files.length ? ` ("${paths[0]}")` : ''}: give more files, or split ` +
        'this one into sources by a column (--split-by COLUMN, or @votes for labelling-function coverage)',
    );
  }
  if (new Set(files).size < files.length) throw new InputError('a source is given twice: each source must be a different file');
  const seed = req.seed ?? 0;
  const out = path.resolve(req.out ?? sourcesCuratedPath(files, req.splitBy));
  const analyze = req.analyze ?? true;
  const testOut = analyze ? curatedPathFor(out, 'test') : undefined;
  const outputs = [{ path: out, role: 'the curated file' }, ...(testOut ? [{ path: testOut, role: 'the curated test file' }] : [])];
  const inputs = files.map((f) => ({ path: f, role: 'a source' }));
  await refuseOutputsOverInputs(outputs, inputs);
  for (const o of outputs) {
    if (files.includes(o.path)) throw new InputError(`${o.role} would replace a source; choose another --out`, { file: o.path });
    if (!req.force && (await fs.stat(o.path).then(() => true, () => false))) {
      throw new InputError(`${o.role} exists; choose another path or pass --force to replace it`, { file: o.path });
    }
  }
  if (!Number.isSafeInteger(req.size) || req.size < 1) throw new InputError(`the size must be a whole number of rows >= 1, got ${req.size}`);

  const progress = hooks.progress ?? (() => {});
  progress('reading the sources', 0);
  const read = await readCurationSources(files, options);
  const loadOptions: LoadSourcesOptions & { splitBy?: string } = {
    weak: options.weak ?? { kind: 'bundled', id: 'glove-mean' },
    strong: options.strong ?? { kind: 'bundled', id: 'use-lite' },
    format: options.format, fields: options.fields, cacheDir: options.cacheDir,
    ...(options.header !== undefined ? { header: options.header } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
    ...(req.splitBy ? { splitBy: req.splitBy } : {}),
  };
  const data = await loadSelectionData(files, loadOptions, { ...hooks, progress: (s, f, d) => progress(s, 0.4 * f, d) });
  const setup = req.splitBy ? setupFromColumn(data[0]!, req.splitBy, seed) : setupFromFiles(data, seed);
  const pools = setup.sources.map((s) => ({ name: s.name, rows: s.labels.length }));
  checkUcbBudget(req.size, pools);
  const selection = { ...DEFAULT_SELECTION_OPTIONS, ...(req.selection ?? {}), evalEvery: Number.MAX_SAFE_INTEGER };
  const request = ucbCurationRequest(req.size, setup.sources.length, { rounds: req.rounds, perRound: req.perRound, seed, bonus: req.bonus, jump: selection.jump });
  const result = await runSelection(setup, request, selection, { mode: req.splitBy ? 'split-by' : 'files', encoders: data[0]!.encoders, device: hooks.inference?.device() ?? 'cpu' }, {
    kernel: hooks.inference?.alignmentKernel(), signal: hooks.signal,
    progress: (s, f, d) => progress(`UCB: ${s}`, 0.4 + 0.4 * f, d),
  });
  const run = result.runs.find((r) => r.strategy === 'ucb');
  if (!run) throw new Error('internal error: the selection made no UCB run');
  // what the sources' set-up noted (rows --split-by left out: no value in the column) and the plan's adjustments
  const notes = [...(setup.notes ?? []), ...result.plan.adjustments];
  const drawn = ucbDrawnRows(run, result.plan, pools.map((p) => p.rows), req.size);
  if (drawn.length < req.size) {
    notes.push(`the UCB run drew ${drawn.length} rows (${result.plan.rounds} rounds x ${result.plan.perRound}), fewer than the budget of ${req.size}: its plan was adjusted to the sources`);
  }
  progress('comparing with a random draw', 0.82);
  const comparison = compareUcbCuration(setup, drawn, result.options, seed, hooks.signal);

  // Pool and test positions -> the rows of the files as read (same reader, same options: same indices and lines).
  const fileOf = (k: number) => (req.splitBy ? 0 : k);
  const rowAt = (k: number, position: number): { src: ReadSource; row: DatasetRow } => {
    const loaded = data[fileOf(k)]!.rows![position]!;
    const src = read[fileOf(k)]!;
    const row = src.byIndex.get(loaded.index);
    if (!row || row.line !== loaded.line) {
      throw new InputError(`row ${loaded.index + 1} (line ${loaded.line}) is not where it was when the file was read; the file changed while curating, run again`, { file: src.file });
    }
    return { src, row };
  };
  const positionsOf = (k: number) => {
    const p = setup.sources[k]!.positions;
    if (!p) throw new Error('internal error: the selection setup has no row positions');
    return p;
  };
  const chosen = drawn.map((d) => rowAt(d.source, positionsOf(d.source).pool[d.pool]!));
  const readBack = curatedReadOptions(read[0]!, options);
  await fs.mkdir(path.dirname(out), { recursive: true });
  const written = await writeChosen(chosen, out, readBack);
  notes.push(...written.notes);

  let testWritten: RowsFileOutcome | undefined;
  let curated: PipelineOutcome | undefined;
  let curatedError: string | undefined;
  if (analyze && testOut) {
    const testRows = setup.sources.flatMap((_, k) => Array.from(positionsOf(k).test, (pos) => rowAt(k, pos)));
    testWritten = await writeChosen(testRows, testOut, readBack);
    try {
      curated = await analyzeDatasetFile(
        out,
        {
          ...options,
          format: readBack.format,
          ...(readBack.header ? { header: readBack.header } : {}),
          ...(readBack.classNames ? { classNames: readBack.classNames } : {}),
          testFile: testOut,
          ...(req.resultsDir ? { outFile: path.join(path.resolve(req.resultsDir), `${path.basename(out)}.result.json`) } : {}),
        },
        { ...hooks, progress: (s, f, d) => progress(`curated file: ${s}`, 0.85 + 0.15 * f, d) },
      );
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      curatedError = e.message;
    }
  }
  const taken = rowsPerSource(drawn, setup.sources.length);
  return {
    selection: result,
    rows: drawn,
    sources: setup.sources.map((s, k) => ({ name: s.name, ...(s.path ? { path: s.path } : {}), poolRows: s.labels.length, taken: taken[k]! })),
    comparison,
    written,
    ...(testWritten ? { testWritten } : {}),
    ...(curated ? { curated } : {}),
    ...(curatedError ? { curatedError } : {}),
    notes,
  };
}
