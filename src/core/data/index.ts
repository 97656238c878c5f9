// Dataset readers: every format to rows with line mapping, field detection and located errors.
export type { Dataset, DatasetFormat, DatasetRow, FieldMap, ReadOptions } from './types';
export { readDataset, sniffDataset, type SniffResult } from './file';
export { parseDatasetText, parseDatasetBytes, type ParseOptions } from './parse';
export { detectFormat } from './detect';
export { lineToRow } from './lineIndex';
export { getField } from './fields';
