import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer } from 'hyparquet';
import { throwIfAborted } from '../../encoder';
import type { ErrorPolicy } from '../errorPolicy';
import type { RecordSink } from '../records';

/**
 * Reads a Parquet file one row group at a time (memory stays near one row group) and hands each row to the sink.
 * Parquet has no lines, so a row's line is its 1-based row number.
 */
export async function readParquetRecords(
  file: AsyncBuffer,
  policy: ErrorPolicy,
  sink: RecordSink,
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
): Promise<void> {
  const metadata = await readMetadata(file, policy);
  const total = Number(metadata.num_rows);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    throwIfAborted(opts.signal);
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
    } catch (e) {
      throw policy.fatal(`cannot read Parquet rows ${rowStart + 1}-${rowEnd}: ${e instanceof Error ? e.message : String(e)}`, rowStart + 1);
    }
    for (let i = 0; i < rows.length; i++) {
      const line = rowStart + i + 1;
      sink({ fields: plainValues(rows[i]), line, endLine: line });
    }
    rowStart = rowEnd;
    opts.onProgress?.(total > 0 ? rowStart / total : 1);
  }
}

/** The top-level column names, from the footer only (cheap: no row data is read). */
export async function parquetColumnNames(file: AsyncBuffer, policy: ErrorPolicy): Promise<string[]> {
  const metadata = await readMetadata(file, policy);
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

async function readMetadata(file: AsyncBuffer, policy: ErrorPolicy) {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    throw policy.fatal(`not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** INT64 columns arrive as BigInt, which JSON and arithmetic reject; class ids and counts fit in a double. */
function plainValues(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) row[k] = plainValue(v);
  return row;
}

function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = plainValue(v[i]);
    return v;
  }
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof Date)) {
    return plainValues(v as Record<string, unknown>);
  }
  return v;
}
