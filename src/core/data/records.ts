import type { LineBatch } from './lines';

/** A row as a format parser sees it, before field mapping: its raw fields and the lines it spans (1-based). */
export interface RawRecord {
  fields: Record<string, unknown>;
  line: number;
  endLine: number;
  /** The record's key in a keyed JSON object (a WRENCH file's row id): messages name it, since such files are often one line. */
  key?: string;
}

export type RecordSink = (record: RawRecord) => void;

/** A line-based format parser: lines go in, records come out through the sink given at construction. */
export interface RecordParser {
  pushLines(batch: LineBatch): void;
  /** The input is complete (or, when sniffing, cut off). Throws if the format is left unfinished. */
  end(): void;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return 'a binary array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string ("${v.length > 30 ? v.slice(0, 30) + '...' : v}")`;
  return `a ${typeof v} (${String(v)})`;
}
