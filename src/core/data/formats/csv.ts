import Papa from 'papaparse';
import type { ErrorPolicy } from '../errorPolicy';
import type { LineBatch } from '../lines';
import type { RecordParser, RecordSink } from '../records';
import { csvClosingQuote } from '../structure';
import type { HeaderChoice } from '../types';

/** Records looked at to decide whether the first row is a header. */
const HEADER_SAMPLE = 50;
/** More columns than this is not a dataset this tool can use (and would cost memory per row); an error. */
export const MAX_COLUMNS = 10_000;
/** Files wider than this keep only the columns in use in each row (see CsvParser.keepOnly). */
export const WIDE_COLUMNS = 64;
/** Field names that, in a first row, say "header" (case-insensitive). */
const KNOWN_NAMES = new Set([
  'text', 'sentence', 'content', 'review', 'document', 'body', 'question', 'tweet', 'comment', 'title', 'description',
  'label', 'labels', 'y', 'target', 'class', 'category', 'sentiment', 'gold_label', 'class_index', 'id', 'idx', 'index',
  'split', 'weak_labels', 'weak_acts', 'strong_acts', 'weak_prob', 'weak_probs', 'weak_score', 'membership',
]);

/** The decision about a CSV/TSV's first row. */
export interface HeaderDecision {
  present: boolean;
  how: 'detected' | 'option';
  reason: string;
  columns: string[];
}

/**
 * CSV/TSV with a header row. Lines are grouped into records first (a quoted field may hold newlines, which sets
 * the record's endLine), then each record is split into fields by papaparse. Grouping follows papaparse's rule that
 * a quote opens a quoted field only at the start of a field, so a record is complete at a newline outside quotes.
 */
interface PendingRecord {
  text: string;
  line: number;
  endLine: number;
}

export class CsvParser implements RecordParser {
  private header?: string[];
  /** The header row's cells as written (trimmed), to recognise the header repeated further down. */
  private headerCells?: string[];
  /** Lines where the header row is repeated (files joined with their headers): skipped, named in one warning. */
  private readonly repeatedHeaders: number[] = [];
  private repeatedHeaderCount = 0;
  /** The records seen before the header decision (auto mode), with their values. */
  private head: { values: string[]; r: PendingRecord }[] = [];
  decision?: HeaderDecision;
  private recordLines: string[] = [];
  private recordStart = 0;
  private inQuotes = false;
  private hasQuotes = false;
  /** Complete records of the current batch; papaparse is called once per batch because each call has a high fixed cost. */
  private batch: PendingRecord[] = [];
  private batchHasQuotes = false;
  /** Quoted fields spanning lines that look like rows of their own (a stray quote): warned, not refused. */
  private spans: SwallowedRowsCheck;
  /** The separator in use: the file type's, or the one an Excel `sep=X` first line names. */
  private delimiter: string;
  /** Whether the first non-blank line has been looked at for an Excel `sep=X` line. */
  private sepChecked = false;
  /**
   * TSV only: quotes are taken literally (each line one row, split on tabs), after quoted reading failed on a line
   * and every line so far had the same number of tab-separated fields (GLUE files are written without quoting).
   */
  private literal = false;
  /** TSV only: the number of tab-separated fields of the first non-blank line, and the first line with another. */
  private literalWidth?: number;
  private literalFirstLine = 1;
  private literalBreak?: { line: number; width: number };

  constructor(
    delimiter: ',' | '\t',
    private readonly policy: ErrorPolicy,
    private readonly sink: RecordSink,
    /** Sniffing a file head: an unclosed quote at the cut is expected. */
    private readonly truncatedOk = false,
    private readonly headerChoice: HeaderChoice = 'auto',
  ) {
    this.delimiter = delimiter;
    this.spans = new SwallowedRowsCheck(delimiter, policy);
  }

  /** CSV or TSV, for messages: what the separator makes the file. */
  private get kind(): string {
    return this.delimiter === '\t' ? 'TSV' : this.delimiter === ',' ? 'CSV' : `"${this.delimiter}"-separated`;
  }

  pushLines(batch: LineBatch): void {
    for (let k = 0; k < batch.lines.length; k++) {
      const text = batch.lines[k];
      const line = batch.first + k;
      if (this.recordLines.length === 0) {
        if (text.trim().length === 0) continue;
        if (!this.sepChecked) {
          this.sepChecked = true;
          if (this.takeSepLine(text)) continue;
        }
        this.recordStart = line;
        this.hasQuotes = false;
      }
      if (this.delimiter === '\t' && this.literalBreak === undefined && text.trim().length > 0) this.countLiteral(text, line);
      this.recordLines.push(text);
      if (this.literal) {
        this.finishRecord(line);
        continue;
      }
      if (this.inQuotes || text.includes('"')) {
        this.hasQuotes = true;
        this.inQuotes = endsInsideQuotes(text, this.inQuotes, this.delimiter.charCodeAt(0));
      }
      if (!this.inQuotes) this.finishRecord(line);
    }
    this.flush();
  }

  /**
   * An Excel `sep=X` first line (`sep=;`, `sep=,`, `sep=<tab>`, also written `sep=\t` or quoted) names the separator:
   * it is not a row, and X separates the columns from the next line on.
   */
  private takeSepLine(text: string): boolean {
    const m = /^"?sep=(\\t|[^\w\s"'\\]|\t)"?[ \r]*$/i.exec(text);
    if (!m) return false;
    const sep = m[1] === '\\t' ? '\t' : m[1];
    this.delimiter = sep;
    this.spans = new SwallowedRowsCheck(sep, this.policy);
    return true;
  }

  /** TSV: whether every line read so far splits into the same number of fields on tabs alone. */
  private countLiteral(text: string, line: number): void {
    let width = 1;
    for (let i = text.indexOf('\t'); i >= 0; i = text.indexOf('\t', i + 1)) width++;
    if (this.literalWidth === undefined) {
      this.literalWidth = width;
      this.literalFirstLine = line;
    }
    else if (width !== this.literalWidth) this.literalBreak = { line, width };
  }

  end(): void {
    this.flush();
    if (this.inQuotes && !this.truncatedOk) {
      const message = `a quoted field that starts at line ${this.recordStart} is never closed`;
      if (this.delimiter !== '\t') throw this.policy.fatal(message, this.recordStart);
      const r = { text: this.recordLines.join('\n'), line: this.recordStart, endLine: this.recordStart + this.recordLines.length - 1 };
      this.recordLines = [];
      this.inQuotes = false;
      this.quoteFailure(r, message);
    }
    if (!this.header) this.decideHeader();
    this.spans.end();
    if (this.repeatedHeaderCount > 0) {
      const n = this.repeatedHeaderCount;
      const lines = this.repeatedHeaders.join(', ') + (n > this.repeatedHeaders.length ? ', ...' : '');
      this.policy.warn(
        `the header row is repeated at line${n === 1 ? '' : 's'} ${lines} (files joined with their headers?): ` +
          `${n === 1 ? 'that row was' : `those ${n} rows were`} left out, not read as data`,
        this.repeatedHeaders[0],
      );
    }
  }

  private finishRecord(endLine: number): void {
    const text = this.recordLines.length === 1 ? this.recordLines[0] : this.recordLines.join('\n');
    this.recordLines = [];
    this.batch.push({ text, line: this.recordStart, endLine });
    this.batchHasQuotes ||= this.hasQuotes;
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const quoted = this.batchHasQuotes;
    this.batchHasQuotes = false;
    if (this.literal) {
      // Records grouped before quotes were taken literally may span lines: each line is a row now.
      for (const r of batch) this.emitLiteral(r);
      return;
    }
    if (!quoted) {
      for (const r of batch) this.emit(r.text.split(this.delimiter), r);
      return;
    }
    // Each record is complete (quotes balanced), so papaparse returns exactly one row per record.
    const result = Papa.parse<string[]>(batch.map((r) => r.text).join('\n'), this.papaConfig);
    if (result.data.length !== batch.length) {
      for (const r of batch) this.parseOne(r);
      return;
    }
    const failed = new Map<number, string>();
    for (const err of result.errors) if (err.row !== undefined && !failed.has(err.row)) failed.set(err.row, err.message);
    for (let i = 0; i < batch.length; i++) {
      const why = failed.get(i);
      if (why !== undefined) this.quoteFailure(batch[i], why);
      else if (this.literal) this.emitLiteral(batch[i]);
      else this.emit(result.data[i], batch[i]);
    }
  }

  private parseOne(r: PendingRecord): void {
    if (this.literal) {
      this.emitLiteral(r);
      return;
    }
    const result = Papa.parse<string[]>(r.text, this.papaConfig);
    if (result.errors.length > 0 || result.data.length !== 1) {
      this.quoteFailure(r, result.errors[0]?.message ?? 'malformed quoting');
      return;
    }
    this.emit(result.data[0], r);
  }

  /**
   * A record that quoted (RFC 4180) reading cannot make a row of. In a CSV it is a malformed row. In a TSV, whose
   * writers seldom quote (GLUE: `"Hello" said he<TAB>1`, or a text that opens a quote it never closes), the file is
   * read from here on with its quotes taken literally (each line one row, split on tabs) when every line so far has
   * the same number of tab-separated fields, with a warning; otherwise the row is malformed and the message says
   * that the quotes are the problem.
   */
  private quoteFailure(r: PendingRecord, why: string): void {
    if (this.delimiter !== '\t') {
      this.policy.rowError(`malformed ${this.kind} row: ${why}${this.delimiterHint()}`, r.line);
      return;
    }
    if (this.literal) {
      // Grouped by its quotes before they were taken literally.
      this.emitLiteral(r);
      return;
    }
    const expected = this.header?.length ?? this.literalWidth;
    const brk = this.literalBreak;
    if (!this.literal && brk === undefined && expected === this.literalWidth) {
      this.literal = true;
      this.policy.warn(
        `quotes taken literally from line ${r.line} on: TSV (CSV-style) quoting cannot read that line (${why}), so each line ` +
          `is read as one row split on tabs, its quotes kept as written (the lines have ${this.literalWidth} tab-separated fields each that way)`,
        r.line,
      );
      this.emitLiteral(r);
      return;
    }
    const widths = brk
      ? `; read without quoting, line ${brk.line} has ${brk.width} tab-separated fields where line ${this.firstLineWidthWords()}`
      : '';
    this.policy.rowError(
      `malformed TSV row: ${why}. The quotes are the problem: a field that starts with a quote is read as quoted (CSV quoting) ` +
        `and this one is not closed right${widths}. Quote such fields and double the quotes inside them, or remove the quotes`,
      r.line,
    );
  }

  private firstLineWidthWords(): string {
    return `${this.literalFirstLine} has ${this.literalWidth}`;
  }

  /** A record's lines as rows of their own, split on the separator with quotes taken literally. */
  private emitLiteral(r: PendingRecord): void {
    const lines = r.text.split('\n');
    for (let k = 0; k < lines.length; k++) {
      if (lines[k].trim() === '') continue;
      const line = r.line + k;
      this.emit(lines[k].split(this.delimiter), { text: lines[k], line, endLine: line });
    }
  }

  private get papaConfig(): Papa.ParseConfig<string[]> {
    return { delimiter: this.delimiter, newline: '\n', quoteChar: '"', skipEmptyLines: false };
  }

  private emit(values: string[], r: PendingRecord): void {
    if (values.length > MAX_COLUMNS) {
      throw this.policy.fatal(`row has ${values.length} columns; at most ${MAX_COLUMNS.toLocaleString('en-US')} are supported`, r.line);
    }
    if (!this.header) {
      this.firstValues ??= values;
      this.head.push({ values, r });
      if (this.head.length >= HEADER_SAMPLE || Array.isArray(this.headerChoice) || this.headerChoice !== 'auto') this.decideHeader();
      return;
    }
    this.emitRow(values, r);
  }

  /** The fields of the file's first record (header or not), for the separator hint. */
  private firstValues?: string[];

  /**
   * When a one-column first line holds semicolons (or tabs in a .csv), the file is most likely separated by them: say so,
   * since only commas (.csv) and tabs (.tsv) separate columns here.
   */
  private delimiterHint(): string {
    const first = this.firstValues ?? this.head[0]?.values;
    if (!first || first.length !== 1) return '';
    const other = [';', '\t', '|'].find((c) => c !== this.delimiter && first[0].includes(c));
    if (!other) return '';
    const name = other === '\t' ? 'tabs' : other === ';' ? 'semicolons' : 'vertical bars';
    return `; the first line holds ${name}: if they separate the columns, convert the file to commas (.csv) or tabs (.tsv), the separators read here, or make its first line sep=${other === '\t' ? '\\t' : other} (as Excel writes it)`;
  }

  private emitRow(values: string[], r: PendingRecord): void {
    const header = this.header!;
    if (values.length !== header.length) {
      if (this.delimiter === '\t' && !this.literal && r.text.includes('"')) {
        this.quoteFailure(r, `the row has ${values.length} columns but the ${this.decision?.present ? 'header has' : 'first row has'} ${header.length} when its quotes are read as TSV quoting`);
        return;
      }
      // A record over several lines with the wrong width: most often a quote that opened a field by mistake.
      const span = r.endLine > r.line ? `; the row runs from line ${r.line} to line ${r.endLine} because a quoted field there holds line breaks: a stray quote?` : '';
      const literal = this.literal ? ' (quotes taken literally, as said above)' : '';
      this.policy.rowError(`row has ${values.length} columns${literal} but the ${this.decision?.present ? 'header has' : 'first row has'} ${header.length}${span}${this.delimiterHint()}`, r.line);
      return;
    }
    const cells = this.headerCells;
    if (cells && values.every((v, i) => v.trim() === cells[i])) {
      // The header again (CSV exports joined with their headers): not a row of data.
      if (this.repeatedHeaderCount++ < 5) this.repeatedHeaders.push(r.line);
      return;
    }
    this.spans.see(values, r, header.length);
    // A null-prototype object: a column named "__proto__" or "constructor" is a column like any other.
    const fields = Object.create(null) as Record<string, string>;
    const kept = this.kept;
    if (kept) for (const i of kept) fields[header[i]] = values[i];
    else for (let i = 0; i < values.length; i++) fields[header[i]] = values[i];
    this.sink({ fields, line: r.line, endLine: r.endLine });
  }

  /** Column indices kept in each row once the fields in use are known (wide files only); all when undefined. */
  private kept?: number[];

  /**
   * From now on, rows hold only these columns (the fields the analysis uses), when the file has more than
   * WIDE_COLUMNS columns: memory per row then grows with the columns in use, not with the file's width.
   */
  keepOnly(names: ReadonlySet<string>): void {
    if (!this.header || this.header.length <= WIDE_COLUMNS) return;
    this.kept = this.header.flatMap((n, i) => (names.has(n) ? [i] : []));
  }

  /** Decides on the buffered first records, then replays them as rows. */
  private decideHeader(): void {
    if (this.header || this.head.length === 0) return;
    const head = this.head;
    this.head = [];
    const first = head[0];
    const choice = this.headerChoice;
    let present: boolean;
    let how: HeaderDecision['how'] = 'option';
    let reason: string;
    let names: string[];
    if (Array.isArray(choice)) {
      if (choice.length !== first.values.length) {
        throw this.policy.fatal(`${choice.length} column names were given but the first row has ${first.values.length} columns`, first.r.line);
      }
      present = false;
      names = choice.map((c) => c.trim());
      reason = 'column names given as an option; the first row is data';
    } else if (choice === 'yes' || choice === 'no') {
      present = choice === 'yes';
      reason = present ? 'the first row is a header (option)' : 'no header row (option)';
      names = [];
    } else {
      ({ present, reason } = looksLikeHeader(first.values, head.slice(1).map((h) => h.values)));
      how = 'detected';
      names = [];
    }
    if (present) {
      this.headerCells = first.values.map((v) => v.trim());
      names = first.values.map((v, i) => (v.trim() === '' ? `column_${i + 1}` : v.trim()));
    } else if (names.length === 0) {
      names = first.values.map((_, i) => `column_${i + 1}`);
    }
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw this.policy.fatal(`the header names the column "${name}" twice`, first.r.line);
      seen.add(name);
    }
    this.header = names;
    this.decision = { present, how, reason, columns: names };
    for (const [k, h] of head.entries()) if (k > 0 || !present) this.emitRow(h.values, h.r);
  }
}

/**
 * Whether a first row is a header, from how its values compare with the rows below (in the spirit of Python's
 * csv.Sniffer.has_header). Per column: a value that is not a number above a column of numbers (or not a JSON array
 * above arrays) votes "header"; a number above numbers votes "data"; a known field name (text, label, ...) votes
 * "header". Repeated values in the first row say "data" (a header names each column once). Without any vote, a
 * first row of short names above values at least twice as long is a header, and so is a first row with nothing
 * below to compare it with; any other first row is data.
 */
export function looksLikeHeader(first: string[], allRows: string[][]): { present: boolean; reason: string } {
  const trimmed = first.map((v) => v.trim());
  // The header repeated below (exports joined with their headers) is no evidence about the first row: left out.
  const rows = allRows.filter((r) => !(r.length === trimmed.length && r.every((v, i) => v.trim() === trimmed[i])));
  const pandas = pandasDefaultHeader(trimmed, rows);
  if (pandas) return { present: true, reason: pandas };
  const frequent = frequentBelow(trimmed, rows);
  if (frequent) return { present: false, reason: frequent };
  const nonEmpty = trimmed.filter((v) => v !== '');
  let header = 0;
  // A header names each column once: a repeated value is a vote for data.
  let data = new Set(nonEmpty).size < nonEmpty.length ? 1 : 0;
  let compared = 0;
  const votes: string[] = [];
  for (let c = 0; c < first.length; c++) {
    const v = trimmed[c];
    const below = rows.map((r) => (r[c] ?? '').trim()).filter((x) => x !== '');
    if (KNOWN_NAMES.has(v.toLowerCase())) {
      header++;
      votes.push(`"${v}" is a field name`);
      continue;
    }
    if (below.length === 0 || v === '') continue;
    compared++;
    if (below.every(isNumber)) {
      if (isNumber(v)) data++;
      else {
        header++;
        votes.push(`"${v}" heads a column of numbers`);
      }
    } else if (below.every((x) => x.startsWith('['))) {
      if (v.startsWith('[')) data++;
      else header++;
    }
  }
  if (header > data) return { present: true, reason: `the first row looks like column names (${votes[0]})` };
  if (data > header) return { present: false, reason: 'the first row has numbers where the rows below have numbers, so it is data' };
  const shortNames = trimmed.every((v) => v.length <= 40 && !isNumber(v));
  const longerBelow = first.some((_, c) => {
    const below = rows.map((r) => (r[c] ?? '').trim()).filter((x) => x !== '');
    return below.length > 0 && below.reduce((a, x) => a + x.length, 0) / below.length >= 2 * Math.max(1, trimmed[c].length);
  });
  if (compared > 0 && !(shortNames && longerBelow)) {
    return { present: false, reason: 'the first row looks like the rows below it, so it is data' };
  }
  return { present: true, reason: 'the first row holds short names above longer values' };
}

/**
 * A first-row cell that is a frequent value of its column below (`positive` above a label column where it is one of
 * the classes) makes the first row data: a column's name is not one of its values. Frequent: at least
 * FREQUENT_MIN_COUNT times and at least FREQUENT_SHARE of the column's values below. This outweighs a cell that is
 * a known field name (`text,positive`: "text" is a text that happens to be a field name).
 */
function frequentBelow(trimmed: string[], rows: string[][]): string | undefined {
  for (let c = 0; c < trimmed.length; c++) {
    const v = trimmed[c];
    // Numbers above numbers are data already (looksLikeHeader's votes); this rule is for names.
    if (v === '' || isNumber(v)) continue;
    let count = 0;
    let present = 0;
    for (const r of rows) {
      const x = (r[c] ?? '').trim();
      if (x === '') continue;
      present++;
      if (x === v) count++;
    }
    if (count >= FREQUENT_MIN_COUNT && count >= present * FREQUENT_SHARE) {
      return `the first row is data: "${v.length > 30 ? `${v.slice(0, 27)}...` : v}" is a frequent value of column ${c + 1} below it (${count} of the next ${present} rows), not a column name`;
    }
  }
  return undefined;
}

/** A first-row cell seen this often in its column below is a value, not a name (see frequentBelow). */
const FREQUENT_MIN_COUNT = 2;
const FREQUENT_SHARE = 0.05;

/** Single-line data rows whose values teach each column's kind (number, token, anything) for SwallowedRowsCheck. */
const PROFILE_ROWS = 50;
/** Fewer single-line rows than this teach nothing: only the column count then makes a line look like a row. */
const PROFILE_MIN_ROWS = 5;
/** Lines inside one record examined (a legitimate field can hold a long document). */
const SPAN_LINES_CHECKED = 1000;
/** Records over several lines held until the columns' kinds are learnt. */
const SPAN_PENDING = 50;
/** Swallowed-rows warnings with their lines; the rest are counted in one more warning. */
const SPAN_WARNINGS = 3;
/** A token column (a label, an id): values up to this long, without spaces. */
const TOKEN_CHARS = 40;

/** A column of at most this many distinct values (each seen a few times) is a category: a row there holds one of them. */
const CATEGORY_VALUES = 10;

/** What a column holds in the single-line rows: a few values (a label), numbers, short tokens, or anything (text). */
type ColumnKind = Set<string> | 'number' | 'token' | 'any';

/**
 * Warns about a quoted field that spans lines which look like rows of the file: the mark of a stray quote (a text
 * that starts with `"`, common in TSV files written without CSV quoting), which RFC 4180 reads as opening a field
 * that runs until the next closing quote, hundreds of rows later, so those rows become one value without an error.
 * A legitimate multi-line field (a review of a few paragraphs, an e-mail body) is prose: its inner lines do not
 * split into the file's columns with, in each column that always holds one of a few values (a label), numbers or
 * short tokens (ids), such a value. So the check counts the lines strictly inside the record (not its first and last, which
 * carry the neighbouring fields) that split into exactly the file's columns, each matching its column's kind
 * learnt from the single-line rows; it warns when such lines are most of the non-empty inner lines, and at least
 * 1 of them in a TSV (prose seldom holds tabs), 2 in a CSV (prose often holds commas), 3 when no column has a kind
 * to match. The parse itself is kept (Python's csv agrees).
 */
class SwallowedRowsCheck {
  private readonly sample: string[][] = [];
  private kinds?: ColumnKind[];
  private pending: { r: PendingRecord; inner: string[]; columns: number }[] = [];
  private found = 0;
  private readonly moreLines: number[] = [];

  constructor(
    private readonly delimiter: string,
    private readonly policy: ErrorPolicy,
  ) {}

  see(values: string[], r: PendingRecord, columns: number): void {
    if (r.endLine === r.line) {
      if (!this.kinds && values.length === columns) {
        this.sample.push(values);
        if (this.sample.length >= PROFILE_ROWS) this.learn();
      }
      return;
    }
    const inner = innerLines(r.text, SPAN_LINES_CHECKED);
    if (!inner.some((l) => l.includes(this.delimiter))) return;
    if (this.kinds) {
      this.check(r, inner, columns);
      return;
    }
    this.pending.push({ r, inner, columns });
    if (this.pending.length >= SPAN_PENDING) this.learn();
  }

  end(): void {
    if (!this.kinds) this.learn();
    if (this.found > SPAN_WARNINGS) {
      const extra = this.found - SPAN_WARNINGS;
      const at = this.moreLines.map(String).join(', ');
      this.policy.warn(
        `${extra} more quoted field${extra === 1 ? '' : 's'} hold${extra === 1 ? 's' : ''} lines that look like rows (starting at line${this.moreLines.length === 1 ? '' : 's'} ${at}${extra > this.moreLines.length ? ', ...' : ''}): check those lines for stray quotes`,
      );
    }
  }

  /** Each column's kind from the single-line rows so far, then the records held until now. */
  private learn(): void {
    const rows = this.sample;
    const width = rows[0]?.length ?? 0;
    this.kinds = [];
    for (let c = 0; c < width; c++) {
      this.kinds.push(rows.length < PROFILE_MIN_ROWS ? 'any' : columnKind(rows.map((v) => (v[c] ?? '').trim())));
    }
    this.sample.length = 0;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.check(p.r, p.inner, p.columns);
  }

  private check(r: PendingRecord, inner: string[], columns: number): void {
    const kinds = this.kinds?.length === columns ? this.kinds : undefined;
    const constrained = kinds?.some((k) => k !== 'any') ?? false;
    let nonEmpty = 0;
    let rowLike = 0;
    for (const line of inner) {
      if (line.trim() === '') continue;
      nonEmpty++;
      const fields = splitLine(line, this.delimiter);
      if (fields?.length !== columns) continue;
      if (kinds && !fields.every((v, c) => matchesKind(v.trim(), kinds[c]))) continue;
      rowLike++;
    }
    const least = !constrained ? 3 : this.delimiter === ',' ? 2 : 1;
    if (rowLike < least || rowLike * 2 <= nonEmpty) return;
    this.found++;
    if (this.found > SPAN_WARNINGS) {
      if (this.moreLines.length < 5) this.moreLines.push(r.line);
      return;
    }
    const spanned = r.endLine - r.line + 1;
    const tsv = this.delimiter === '\t';
    const shape = `${columns} ${tsv ? 'tab' : 'comma'}-separated values${kinds && constrained ? ' of the kinds of the rows around them' : ''}`;
    this.policy.warn(
      `a quoted field runs from line ${r.line} to line ${r.endLine} (${spanned} lines, read as one value), and ${rowLike} of the lines ` +
        `inside it look like rows (${shape}): most likely a stray quote at line ${r.line} opened the field and a quote at line ` +
        `${r.endLine} closed it, so up to ${spanned} rows were read as one. Remove the stray quote, or write a quote inside a quoted field as ""` +
        (tsv ? '; in a TSV file a text that starts with a quote is read as quoted (CSV quoting): quote such texts and double their quotes, or remove the quote' : ''),
      r.line,
    );
  }
}

/** The lines of a record's text strictly between its first and last line, at most `max` of them. */
function innerLines(text: string, max: number): string[] {
  const out: string[] = [];
  let start = text.indexOf('\n') + 1;
  while (start > 0 && out.length < max) {
    const end = text.indexOf('\n', start);
    if (end < 0) break; // the last line: it carries the fields after the quoted one
    out.push(text.slice(start, end));
    start = end + 1;
  }
  return out;
}

/** One line split into fields (a quote opens a field only at its start, `""` inside is a quote); undefined when a quote is left open. */
function splitLine(line: string, delimiter: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      const close = csvClosingQuote(line, i + 1);
      if (close < 0) return undefined;
      const next = line.indexOf(delimiter, close + 1);
      out.push(line.slice(i + 1, close).replaceAll('""', '"') + line.slice(close + 1, next < 0 ? line.length : next));
      if (next < 0) return out;
      i = next + 1;
      continue;
    }
    const next = line.indexOf(delimiter, i);
    out.push(line.slice(i, next < 0 ? line.length : next));
    if (next < 0) return out;
    i = next + 1;
  }
}

function columnKind(values: string[]): ColumnKind {
  const distinct = new Set(values);
  if (values.every((v) => isToken(v)) && distinct.size <= CATEGORY_VALUES && distinct.size * 3 <= values.length) return distinct;
  return values.every(isNumber) ? 'number' : values.every((v) => isToken(v)) ? 'token' : 'any';
}

function isToken(v: string): boolean {
  return v !== '' && v.length <= TOKEN_CHARS && !/\s/.test(v);
}

function matchesKind(v: string, kind: ColumnKind): boolean {
  return kind instanceof Set ? kind.has(v) : kind === 'number' ? isNumber(v) : kind === 'token' ? isToken(v) : true;
}

/**
 * pandas names the columns of a DataFrame built without names 0, 1, ..., and `to_csv` writes them as the first line
 * (after an empty cell for the index when the index is written too). Such a line, `0,1` above rows whose column
 * "1" holds text, is a header: read as data it would put the text "1" in the text column. Only when some column
 * below it is not all numbers (a first data row of exactly 0, 1, ... in an all-number file stays data).
 */
function pandasDefaultHeader(first: string[], rows: string[][]): string | undefined {
  const offset = first.length > 2 && first[0] === '' ? 1 : 0;
  if (first.length - offset < 2 || rows.length === 0) return undefined;
  for (let c = offset; c < first.length; c++) if (first[c] !== String(c - offset)) return undefined;
  const textBelow = first.some((_, c) => rows.some((r) => (r[c] ?? '').trim() !== '' && !isNumber((r[c] ?? '').trim())));
  if (!textBelow) return undefined;
  return `the first row is ${offset ? 'an empty cell (the index) and ' : ''}${first.slice(offset, offset + 3).join(', ')}${first.length - offset > 3 ? ', ...' : ''}: the column names pandas gives a DataFrame without names, written by to_csv`;
}

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

/**
 * Whether a record is still inside a quoted field after this line, given the state at its start. Outside quotes, a
 * quote opens a field only at the line's start (a new record) or right after a delimiter; inside, `""` is a quote
 * (structure.ts's csvClosingQuote, shared with the annotation scanner).
 */
function endsInsideQuotes(text: string, inQuotes: boolean, delimiter: number): boolean {
  let i = 0;
  for (;;) {
    if (inQuotes) {
      const close = csvClosingQuote(text, i);
      if (close < 0) return true;
      inQuotes = false;
      i = close + 1;
      continue;
    }
    const q = text.indexOf('"', i);
    if (q < 0) return false;
    if (q === 0 || text.charCodeAt(q - 1) === delimiter) inQuotes = true;
    i = q + 1;
  }
}
