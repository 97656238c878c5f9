/**
 * History of results (issue 17, item 4): every result written for a dataset is also kept as
 * `<dir>/.overlap/history/<file name>/<ISO time>-<short sha>.result.json`, newest HISTORY_KEEP per file and at most
 * HISTORY_MAX_BYTES together (older ones are deleted; the newest is always kept). A small `index.json` beside them
 * holds each entry's summary so listing reads no rows; an entry missing from the index, or whose size no longer
 * matches it, is read and validated in full, and a file that is not a valid result is skipped and reported.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/activations/file';
import { InputError } from '../core/errors';
import { resultSummary, type ResultSummary } from '../core/report/compare';
import type { AnalysisResult, RegimeLabel } from '../core/result/schema';
import { checkOverlapFolder } from './outputs';
import { loadResult } from './results';
import { historyDir as layoutHistoryDir, OVERLAP_DIR } from '../core/layout';

export const HISTORY_KEEP = 20;
export const HISTORY_MAX_BYTES = 256 * 1024 * 1024;
const INDEX = 'index.json';
/** An index larger than this is not read (HISTORY_KEEP summaries take a few kilobytes). */
const MAX_INDEX_BYTES = 1024 * 1024;
const ENTRY_NAME = /^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)-([0-9a-f]{8}|nohash)(?:-(\d{1,3}))?\.result\.json$/;
const REGIMES: readonly RegimeLabel[] = ['low', 'medium', 'high', 'undetermined'];

/** `<dir>/.overlap/history/<file name>` for a dataset file. */
export function historyDir(datasetPath: string): string {
  return layoutHistoryDir(datasetPath);
}

/** One kept result, summarised: createdAt, dataset sha256, density, PGR, regime, verdict words, accuracies. */
export interface HistoryEntry extends ResultSummary {
  path: string;
  accuracy: { weak: number; strong: number; w2s: number };
  bytes: number;
}

export interface HistoryListing {
  /** Newest first. */
  entries: HistoryEntry[];
  /** Files in the history folder that are not readable results, with why. */
  skipped: { path: string; reason: string }[];
}

type Summary = Omit<HistoryEntry, 'path'>;

function summarise(result: AnalysisResult, bytes: number): Summary {
  const { weak, strong, w2s } = result.accuracy;
  return { ...resultSummary(result), accuracy: { weak, strong, w2s }, bytes };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A summary as recordHistory writes it; anything else is not trusted (the entry is then read in full). */
function isSummary(v: unknown): v is Summary {
  const s = v as Partial<Summary> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.createdAt === 'string' && s.createdAt.length <= 64 &&
    (s.sha256 === null || (typeof s.sha256 === 'string' && /^[0-9a-f]{64}$/.test(s.sha256))) &&
    isNum(s.density) && s.density >= 0 && s.density <= 1 && (s.pgr === null || isNum(s.pgr)) &&
    REGIMES.includes(s.regime as RegimeLabel) && typeof s.verdict === 'string' && s.verdict.length <= 2000 &&
    typeof s.accuracy === 'object' && s.accuracy !== null && isNum(s.accuracy.weak) && isNum(s.accuracy.strong) && isNum(s.accuracy.w2s) &&
    Number.isSafeInteger(s.bytes) && (s.bytes as number) >= 0
  );
}

/** The index's summaries by file name (a Map: names come from the disk, not from code). */
async function readIndex(dir: string): Promise<Map<string, Summary>> {
  const out = new Map<string, Summary>();
  try {
    const file = path.join(dir, INDEX);
    if ((await fs.stat(file)).size > MAX_INDEX_BYTES) return out;
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { entries?: unknown } | null;
    const entries = parsed?.entries;
    if (!Array.isArray(entries)) return out;
    for (const e of entries.slice(0, 10 * HISTORY_KEEP)) {
      const { name, summary } = (e ?? {}) as { name?: unknown; summary?: unknown };
      if (typeof name === 'string' && ENTRY_NAME.test(name) && isSummary(summary)) out.set(name, summary);
    }
  } catch {
    // no index, or not one: entries are read in full
  }
  return out;
}

async function writeIndex(dir: string, summaries: Map<string, Summary>, names: readonly string[]): Promise<void> {
  const entries = names.flatMap((name) => {
    const summary = summaries.get(name);
    return summary ? [{ name, summary }] : [];
  });
  await writeFileAtomic(path.join(dir, INDEX), JSON.stringify({ version: 1, entries }));
}

/** Entry file names in the folder, newest first (the name starts with the time). */
async function entryNames(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => ENTRY_NAME.test(n)).sort().reverse();
}

/** `2026-12-04T22-46-08-123Z` from an ISO time (file-name safe on every system). */
function stamp(iso: string): string {
  const d = new Date(iso);
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return t.toISOString().replace(/[:.]/g, '-');
}

export interface HistoryBounds {
  keep?: number;
  maxBytes?: number;
}

/**
 * Keeps a copy of `result` (just written as the dataset's result) in the dataset's history, atomically, then
 * deletes the oldest entries beyond the bounds. Returns the entry's path.
 */
export async function recordHistory(datasetPath: string, result: AnalysisResult, bounds: HistoryBounds = {}): Promise<string> {
  const dir = historyDir(datasetPath);
  const name0 = path.basename(datasetPath);
  await checkOverlapFolder(path.dirname(path.resolve(datasetPath)), [[OVERLAP_DIR], [OVERLAP_DIR, 'history'], [OVERLAP_DIR, 'history', name0]],
    'the history stays next to the data: remove the link (or turn the history off: --no-history)');
  await fs.mkdir(dir, { recursive: true });
  const base = `${stamp(result.createdAt)}-${result.dataset.contentHash?.slice(0, 8) ?? 'nohash'}`;
  const existing = new Set(await entryNames(dir));
  let name = `${base}.result.json`;
  for (let k = 2; existing.has(name) && k < 1000; k++) name = `${base}-${k}.result.json`;
  const text = JSON.stringify(result);
  const file = path.join(dir, name);
  await writeFileAtomic(file, text);
  const summaries = await readIndex(dir);
  summaries.set(name, summarise(result, Buffer.byteLength(text)));
  const kept = await prune(dir, bounds);
  await writeIndex(dir, summaries, kept);
  return file;
}

/** Deletes entries beyond the newest `keep` or past `maxBytes` in all (the newest stays); returns the kept names. */
async function prune(dir: string, bounds: HistoryBounds): Promise<string[]> {
  const keep = Math.max(1, bounds.keep ?? HISTORY_KEEP);
  const maxBytes = bounds.maxBytes ?? HISTORY_MAX_BYTES;
  const kept: string[] = [];
  let total = 0;
  for (const name of await entryNames(dir)) {
    const size = (await fs.stat(path.join(dir, name)).catch(() => undefined))?.size;
    if (size === undefined) continue;
    if (kept.length === 0 || (kept.length < keep && total + size <= maxBytes)) {
      kept.push(name);
      total += size;
    } else {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
  return kept;
}

/** The dataset's kept results, newest first, from the index where it is current; unreadable files are reported. */
export async function listHistory(datasetPath: string): Promise<HistoryListing> {
  const dir = historyDir(datasetPath);
  const index = await readIndex(dir);
  const entries: HistoryEntry[] = [];
  const skipped: HistoryListing['skipped'] = [];
  for (const name of await entryNames(dir)) {
    const file = path.join(dir, name);
    const size = (await fs.stat(file).catch(() => undefined))?.size;
    if (size === undefined) continue;
    const known = index.get(name);
    if (known && known.bytes === size) {
      entries.push({ path: file, ...known });
      continue;
    }
    try {
      entries.push({ path: file, ...summarise(await loadResult(file), size) });
    } catch (e) {
      skipped.push({ path: file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { entries, skipped };
}

/** One kept result, read and validated like any results file; only files inside a history folder are read. */
export async function loadHistoryEntry(entryPath: string): Promise<AnalysisResult> {
  const resolved = path.resolve(entryPath);
  if (!ENTRY_NAME.test(path.basename(resolved)) || path.basename(path.dirname(path.dirname(resolved))) !== 'history') {
    throw new InputError('not a history entry (expected <dir>/.overlap/history/<file>/<time>-<sha>.result.json)', { file: entryPath });
  }
  return loadResult(resolved);
}
