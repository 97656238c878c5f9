import Papa from 'papaparse';
import type { ErrorPolicy } from '../errorPolicy';
import type { LineBatch } from '../lines';
import type { RecordParser, RecordSink } from '../records';

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
  private recordLines: string[] = [];
  private recordStart = 0;
  private inQuotes = false;
  private hasQuotes = false;
  /** Complete records of the current batch; papaparse is called once per batch because each call has a high fixed cost. */
  private batch: PendingRecord[] = [];
  private batchHasQuotes = false;

  constructor(
    private readonly delimiter: ',' | '\t',
    private readonly policy: ErrorPolicy,
    private readonly sink: RecordSink,
    /** Sniffing a file head: an unclosed quote at the cut is expected. */
    private readonly truncatedOk = false,
  ) {}

  pushLines(batch: LineBatch): void {
    for (let k = 0; k < batch.lines.length; k++) {
      const text = batch.lines[k];
      const line = batch.first + k;
      if (this.recordLines.length === 0) {
        if (text.trim().length === 0) continue;
        this.recordStart = line;
        this.hasQuotes = false;
      }
      this.recordLines.push(text);
      if (this.inQuotes || text.includes('"')) {
        this.hasQuotes = true;
        this.inQuotes = endsInsideQuotes(text, this.inQuotes, this.delimiter.charCodeAt(0));
      }
      if (!this.inQuotes) this.finishRecord(line);
    }
    this.flush();
  }

  end(): void {
    this.flush();
    if (this.inQuotes && !this.truncatedOk) {
      throw this.policy.fatal(`a quoted field that starts at line ${this.recordStart} is never closed`, this.recordStart);
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
    const failed = new Set<number>();
    for (const err of result.errors) {
      if (err.row === undefined || failed.has(err.row)) continue;
      failed.add(err.row);
      this.policy.rowError(`malformed CSV row: ${err.message}`, batch[err.row].line);
    }
    for (let i = 0; i < batch.length; i++) if (!failed.has(i)) this.emit(result.data[i], batch[i]);
  }

  private parseOne(r: PendingRecord): void {
    const result = Papa.parse<string[]>(r.text, this.papaConfig);
    if (result.errors.length > 0 || result.data.length !== 1) {
      this.policy.rowError(`malformed CSV row: ${result.errors[0]?.message ?? 'malformed quoting'}`, r.line);
      return;
    }
    this.emit(result.data[0], r);
  }

  private get papaConfig(): Papa.ParseConfig<string[]> {
    return { delimiter: this.delimiter, newline: '\n', quoteChar: '"', skipEmptyLines: false };
  }

  private emit(values: string[], r: PendingRecord): void {
    if (!this.header) {
      this.header = this.readHeader(values, r.line);
      return;
    }
    if (values.length !== this.header.length) {
      this.policy.rowError(`row has ${values.length} columns but the header has ${this.header.length}`, r.line);
      return;
    }
    const fields: Record<string, string> = {};
    for (let i = 0; i < values.length; i++) fields[this.header[i]] = values[i];
    this.sink({ fields, line: r.line, endLine: r.endLine });
  }

  private readHeader(values: string[], line: number): string[] {
    const names = values.map((v, i) => (v.trim() === '' ? `column_${i + 1}` : v.trim()));
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw this.policy.fatal(`the header names the column "${name}" twice`, line);
      seen.add(name);
    }
    return names;
  }
}

/**
 * Whether a record is still inside a quoted field after this line, given the state at its start. Outside quotes, a
 * quote opens a field only at the line's start (a new record) or right after a delimiter; inside, `""` is a quote.
 */
function endsInsideQuotes(text: string, inQuotes: boolean, delimiter: number): boolean {
  let i = 0;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return inQuotes;
    if (inQuotes) {
      if (text.charCodeAt(q + 1) === 34) {
        i = q + 2;
        continue;
      }
      inQuotes = false;
    } else if (q === 0 || text.charCodeAt(q - 1) === delimiter) {
      inQuotes = true;
    }
    i = q + 1;
  }
}
