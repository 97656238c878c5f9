import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { throwIfAborted } from '../../encoder';
import type { ErrorPolicy } from '../errorPolicy';
import type { RecordSink } from '../records';

/**
 * Reads a Parquet file one row group at a time (memory stays near one row group) and hands each row to the sink.
 * Parquet has no lines, so a row's line is its 1-based row number.
 */
export async function readParquetRecords(
  source: AsyncBuffer,
  policy: ErrorPolicy,
  sink: RecordSink,
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<void> {
  const file = boundedBuffer(source);
  const metadata = await readMetadata(file, policy);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const total = Number(metadata.num_rows);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    throwIfAborted(opts.signal);
    const claimed = Number(group.num_rows);
    const rowEnd = rowStart + claimed;
    let values: ColumnValues[];
    try {
      values = await decodeGroup(file, metadata, columns, rowStart, rowEnd);
    } catch (e) {
      throw policy.fatal(`cannot read Parquet rows ${rowStart + 1}-${rowEnd}: ${e instanceof Error ? e.message : String(e)}`, rowStart + 1);
    }
    // Rows are built from the values the pages hold, never from the count the footer claims: a footer that says
    // 100,000,000 rows over a few hundred bytes of pages is a corrupt file, not 100,000,000 empty rows.
    const short = values.findIndex((v) => v.length < claimed);
    if (short >= 0) {
      throw policy.fatal(
        `corrupt Parquet file: its footer says rows ${rowStart + 1}-${rowEnd} (${claimed}) but column "${columns[short]}" holds ${values[short]!.length} values there`,
        rowStart + 1,
      );
    }
    for (let i = 0; i < claimed; i++) {
      const line = rowStart + i + 1;
      sink({ fields: rowObject(columns, values.map((v) => v.at(i))), line, endLine: line });
    }
    rowStart = rowEnd;
    opts.onProgress?.(total > 0 ? rowStart / total : 1);
  }
}

/** One column's decoded values over a row group, in row order, as the reader's chunks hold them. */
interface ColumnValues {
  length: number;
  at(i: number): unknown;
}

/**
 * Decodes one row group column by column (hyparquet's onChunk, without its row assembly, which allocates the rows the
 * footer claims): each column's chunks, placed by their first row.
 */
async function decodeGroup(file: AsyncBuffer, metadata: FileMetaData, columns: readonly string[], rowStart: number, rowEnd: number): Promise<ColumnValues[]> {
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>(columns.map((c) => [c, []]));
  await parquetRead({
    file, metadata, rowStart, rowEnd, columns: [...columns],
    onChunk: (c) => chunks.get(c.columnName)?.push({ start: c.rowStart - rowStart, data: c.columnData as ArrayLike<unknown> }),
  });
  return columns.map((name) => {
    const parts = chunks.get(name)!.sort((a, b) => a.start - b.start);
    // Contiguous from the group's first row: the length is where the first gap starts.
    let length = 0;
    for (const p of parts) if (p.start <= length) length = Math.max(length, p.start + p.data.length);
    // Rows are asked for in order: remember the part that held the last one.
    let k = 0;
    return {
      length,
      at(i: number): unknown {
        if (k >= parts.length || i < parts[k]!.start) k = 0;
        while (k < parts.length && i >= parts[k]!.start + parts[k]!.data.length) k++;
        const p = parts[k];
        return p && i >= p.start ? p.data[i - p.start] : undefined;
      },
    };
  });
}

/** The top-level column names, from the footer only (cheap: no row data is read). */
export async function parquetColumnNames(file: AsyncBuffer, policy: ErrorPolicy): Promise<string[]> {
  const metadata = await readMetadata(boundedBuffer(file), policy);
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

async function readMetadata(file: AsyncBuffer, policy: ErrorPolicy) {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw policy.fatal(`not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A row as an object of own properties, one per column, defined rather than assigned: a column named "__proto__"
 * stays a column (assignment would set the object's prototype and the column would vanish).
 */
function rowObject(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((name, i) => defineOwn(row, name, plainValue(values[i])));
  return row;
}

function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * INT64 columns arrive as BigInt, which JSON and arithmetic reject; class ids and counts fit in a double. A field value
 * beyond 2^53 would be rounded as a double (two class ids merging), so it is kept as its exact text, as the JSON
 * readers keep one; list items (vectors) become doubles.
 */
function plainValues(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) defineOwn(row, k, plainValue(v));
  return row;
}

/** Thrown by a slice outside the file; the callers above turn it into an InputError naming the file and rows. */
class ParquetRangeError extends Error {}

/**
 * The reader's view of the file with every byte range checked against the file's size first: a footer whose
 * offsets point past the end (a truncated or crafted file) is an error naming the range, never an allocation of
 * whatever size the footer claims nor a read of zeros. Each slice's promise is marked handled, because the reader
 * prefetches ranges it never awaits once another read has failed, and Node ends the process on an unhandled
 * rejection; whoever awaits the slice still gets the error.
 */
function boundedBuffer(file: AsyncBuffer): AsyncBuffer {
  const size = file.byteLength;
  return {
    byteLength: size,
    slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const p = (async () => {
        if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
          throw new ParquetRangeError(`corrupt Parquet file: a byte range ${start}-${end} that ends before it starts`);
        }
        if (end > size) {
          throw new ParquetRangeError(`corrupt or truncated Parquet file: its footer points to bytes ${start}-${end}, past the end of the file (${size} bytes)`);
        }
        return file.slice(start, end);
      })();
      p.catch(() => undefined);
      return p;
    },
  };
}

function plainValue(v: unknown, listItem = false): unknown {
  if (typeof v === 'bigint') return listItem || Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = plainValue(v[i], true);
    return v;
  }
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof Date)) {
    return plainValues(v as Record<string, unknown>);
  }
  return v;
}
