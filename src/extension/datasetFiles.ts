/**
 * Which workspace files are datasets: files with a dataset extension, and files with another or no extension
 * (SST's `stsa.binary.train`) whose content sniffs as one. Source code, media and archives are never read.
 */
import * as path from 'node:path';
import { inOverlapDir } from '../core/layout';

export type Candidate = 'extension' | 'content' | 'never';

const DATASET_EXT = new Set(['.jsonl', '.ndjson', '.json', '.csv', '.tsv', '.parquet']);
/** Extensions that are never datasets: not worth a read. */
const NEVER_EXT = new Set([
  '.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.py', '.ipynb', '.rs', '.go', '.java', '.c', '.h', '.cpp', '.hpp', '.cs',
  '.rb', '.php', '.sh', '.ps1', '.bat', '.md', '.rst', '.html', '.htm', '.css', '.scss', '.xml', '.yaml', '.yml', '.toml',
  '.ini', '.cfg', '.lock', '.log', '.svg', '.png', '.jpg', '.jpeg', '.gif', '.bmp', '.ico', '.webp', '.pdf', '.zip', '.gz',
  '.tgz', '.tar', '.bz2', '.xz', '.7z', '.whl', '.so', '.dll', '.dylib', '.exe', '.bin', '.onnx', '.npy', '.npz',
  '.safetensors', '.pt', '.pth', '.ckpt', '.h5', '.pkl', '.map', '.vsix', '.wasm', '.woff', '.woff2', '.ttf', '.otf',
  '.mp3', '.mp4', '.wav', '.mov', '.lock', '.gitignore', '.npmrc', '.editorconfig',
]);
/** Files that look like data by extension but are configuration. */
const NEVER_NAMES = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'jsconfig.json', 'settings.json', 'launch.json', 'tasks.json', 'extensions.json', 'label.json', 'manifest.json']);

export function candidateKind(file: string): Candidate {
  const base = path.basename(file);
  if (NEVER_NAMES.has(base) || base.startsWith('.')) return 'never';
  const ext = path.extname(base).toLowerCase();
  if (DATASET_EXT.has(ext)) return 'extension';
  if (NEVER_EXT.has(ext)) return 'never';
  return 'content';
}

/** The glob of files worth a look; content candidates come from a separate, capped search. */
export const DATASET_GLOB = '**/*.{jsonl,ndjson,json,csv,tsv,parquet}';

/** Results folders hold our own JSON; never list them. */
export function inResultsFolder(file: string): boolean {
  return inOverlapDir(file);
}
