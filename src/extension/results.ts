/**
 * The results of analysed datasets as the editor features see them: loaded lazily from
 * `.overlap/<file>.result.json`, cached by modification time, refreshed by a file watcher, with the row flags and
 * the document freshness (does the text still match the analysis?) kept beside them.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CategoryName } from '../core/detect/types';
import type { AnalysisResult } from '../core/result/schema';
import { checkOverlapFolder } from '../pipeline/outputs';
import { defaultResultPath, loadResult, writeFileAtomic } from '../pipeline/results';
import { flaggedIndices, flagsPath, readFlagsFile, toggleFlag, type FlagsFile } from './flags';
import { withMovedThresholds, type MovedThresholds } from './movedThresholds';
import { buildRowIndex, type RowIndex } from './rowIndex';
import { freshness, sha256Hex, type Freshness } from './staleness';
import { datasetOfSidecar } from '../core/layout';

export interface ResultEntry {
  readonly datasetPath: string;
  readonly resultPath: string;
  /** What the editor shows: the result file, or its view with thresholds moved in the report. */
  result: AnalysisResult;
  /** The result as the analysis wrote it. */
  readonly original: AnalysisResult;
  /** Set while the report's moved thresholds are in effect. */
  moved?: MovedThresholds;
  readonly index: RowIndex;
  readonly mtimeMs: number;
  flags: FlagsFile;
  flagged: Set<number>;
}

const EQUIVALENT_KEY = 'overlapDensity.equivalentHashes';
/** Field names Annotate Dataset wrote into each dataset, as [dataset path, names] pairs (never looked up by key). */
const ANNOTATED_KEY = 'overlapDensity.annotatedFields';
/** Datasets remembered in ANNOTATED_KEY: the most recent ones. */
const MAX_ANNOTATED = 200;
/** How long "this file has no results" is believed without looking again (results written outside the workspace). */
const MISSING_TTL_MS = 5000;
type EquivalentStore = Record<string, { createdAt: string; hashes: string[] }>;

export { datasetOfSidecar };

export class ResultStore implements vscode.Disposable {
  private readonly entries = new Map<string, ResultEntry>();
  private readonly loading = new Map<string, Promise<ResultEntry | undefined>>();
  private readonly fresh = new Map<string, { version: number; createdAt: string; value: Freshness }>();
  private readonly reported = new Set<string>();
  /** Datasets found without results, and when: providers ask on every hover and scroll, so skip the disk briefly. */
  private readonly missing = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with a dataset path whose results or flags changed (loaded, rewritten, deleted). */
  readonly onDidChange = this.emitter.event;
  private readonly freshnessEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a document turns stale or fresh again (an edit, an undo, a save). */
  readonly onDidChangeFreshness = this.freshnessEmitter.event;
  private readonly lastFreshness = new Map<string, Freshness>();
  private readonly problemEmitter = new vscode.EventEmitter<string>();
  /** Fires with a problem loading results (once per file and message), for the output channel. */
  readonly onDidProblem = this.problemEmitter.event;
  private readonly flagsEmitter = new vscode.EventEmitter<{ datasetPath: string; flagged: number[] }>();
  /** Fires after the editor changed a dataset's flags (the report refreshes its table). */
  readonly onDidChangeFlags = this.flagsEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.freshnessEmitter, this.problemEmitter, this.flagsEmitter];

  constructor(private readonly state: vscode.Memento) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.overlap/*.{result,flags}.json');
    const changed = (uri: vscode.Uri) => {
      const dataset = datasetOfSidecar(uri.fsPath);
      if (!dataset) return;
      this.missing.delete(dataset);
      void this.reload(dataset);
    };
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** The cached entry, without touching the disk (providers that must answer synchronously). */
  peek(datasetPath: string): ResultEntry | undefined {
    return this.entries.get(datasetPath);
  }

  /** Dataset paths with loaded results. */
  analysedPaths(): string[] {
    return [...this.entries.keys()];
  }

  /** The results of a dataset, loading them when the file on disk is newer than the cache. */
  async get(datasetPath: string): Promise<ResultEntry | undefined> {
    const missingSince = this.missing.get(datasetPath);
    if (missingSince !== undefined && Date.now() - missingSince < MISSING_TTL_MS) return undefined;
    const pending = this.loading.get(datasetPath);
    if (pending) return pending;
    const p = this.load(datasetPath).finally(() => this.loading.delete(datasetPath));
    this.loading.set(datasetPath, p);
    return p;
  }

  private async load(datasetPath: string): Promise<ResultEntry | undefined> {
    const resultPath = defaultResultPath(datasetPath);
    try {
      await checkOverlapFolder(path.dirname(datasetPath));
    } catch (e) {
      this.problemOnce(resultPath, e);
      this.entries.delete(datasetPath);
      return undefined;
    }
    let mtimeMs: number;
    try {
      mtimeMs = (await fs.stat(resultPath)).mtimeMs;
    } catch {
      this.missing.set(datasetPath, Date.now());
      if (this.entries.delete(datasetPath)) this.emitter.fire(datasetPath);
      return undefined;
    }
    const cached = this.entries.get(datasetPath);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    let result: AnalysisResult;
    try {
      result = await loadResult(resultPath);
    } catch (e) {
      this.problemOnce(resultPath, e);
      this.entries.delete(datasetPath);
      return undefined;
    }
    const entry = this.makeEntry(datasetPath, resultPath, result, mtimeMs, await this.readFlags(datasetPath));
    this.entries.set(datasetPath, entry);
    this.emitter.fire(datasetPath);
    return entry;
  }

  /**
   * A dataset's flags (readFlagsFile: no link out of the folder is followed). A refused or unreadable flags file is no
   * flags, said once per dataset and message like the results' problems (a `.overlap` link: one message for both).
   */
  private async readFlags(datasetPath: string): Promise<FlagsFile> {
    const { flags, problem } = await readFlagsFile(datasetPath);
    if (problem) this.problemOnce(defaultResultPath(datasetPath), problem);
    return flags;
  }

  private problemOnce(resultPath: string, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (!this.reported.has(resultPath + msg)) {
      this.reported.add(resultPath + msg);
      this.problemEmitter.fire(msg);
    }
  }

  private makeEntry(datasetPath: string, resultPath: string, result: AnalysisResult, mtimeMs: number, flags: FlagsFile): ResultEntry {
    return { datasetPath, resultPath, result, original: result, index: buildRowIndex(result.rows), mtimeMs, flags, flagged: flaggedIndices(flags) };
  }

  /** Takes a fresh analysis outcome without reading it back from disk. */
  async put(datasetPath: string, resultPath: string, result: AnalysisResult): Promise<ResultEntry> {
    let mtimeMs = Date.now();
    try {
      mtimeMs = (await fs.stat(resultPath)).mtimeMs;
    } catch {
      // The file was written a moment ago; if it is gone, the watcher will tell.
    }
    const entry = this.makeEntry(datasetPath, resultPath, result, mtimeMs, await this.readFlags(datasetPath));
    this.missing.delete(datasetPath);
    this.entries.set(datasetPath, entry);
    this.dropFreshness(datasetPath);
    this.emitter.fire(datasetPath);
    return entry;
  }

  /** Re-reads results and flags after a change on disk. */
  async reload(datasetPath: string): Promise<void> {
    const entry = this.entries.get(datasetPath);
    if (entry) entry.flags = await this.readFlags(datasetPath);
    if (entry) entry.flagged = flaggedIndices(entry.flags);
    this.dropFreshness(datasetPath);
    await this.get(datasetPath);
    this.emitter.fire(datasetPath);
  }

  /** Deletes the results file (flags stay: they are the user's). */
  async clear(datasetPath: string): Promise<boolean> {
    const resultPath = defaultResultPath(datasetPath);
    let removed = true;
    try {
      await checkOverlapFolder(path.dirname(datasetPath));
      await fs.rm(resultPath);
    } catch {
      removed = false;
    }
    this.entries.delete(datasetPath);
    this.dropFreshness(datasetPath);
    this.emitter.fire(datasetPath);
    return removed;
  }

  /** Flags or unflags a row and writes the flags file atomically. Returns whether the row is now flagged. */
  async toggleFlag(entry: ResultEntry, row: { index: number; line?: number }): Promise<boolean> {
    const { file, flagged } = toggleFlag(entry.flags, row);
    await checkOverlapFolder(path.dirname(entry.datasetPath));
    await writeFileAtomic(flagsPath(entry.datasetPath), JSON.stringify(file, null, 2) + '\n');
    entry.flags = file;
    entry.flagged = flaggedIndices(file);
    this.emitter.fire(entry.datasetPath);
    this.flagsEmitter.fire({ datasetPath: entry.datasetPath, flagged: [...entry.flagged] });
    return flagged;
  }

  /** Sets a row's flag (the report's table); returns every flagged row index of the dataset. */
  async setFlag(datasetPath: string, row: { index: number; line?: number }, flagged: boolean): Promise<number[]> {
    const entry = await this.get(datasetPath);
    const flags = entry ? entry.flags : await this.readFlags(datasetPath);
    const has = flags.flags.some((f) => f.index === row.index);
    if (has === flagged) return [...flaggedIndices(flags)];
    const { file } = toggleFlag(flags, row);
    await checkOverlapFolder(path.dirname(datasetPath));
    await writeFileAtomic(flagsPath(datasetPath), JSON.stringify(file, null, 2) + '\n');
    if (entry) {
      entry.flags = file;
      entry.flagged = flaggedIndices(file);
    }
    this.emitter.fire(datasetPath);
    return [...flaggedIndices(file)];
  }

  /** Flagged row indices of a dataset. */
  async flagsOf(datasetPath: string): Promise<number[]> {
    const entry = await this.get(datasetPath);
    return [...(entry ? entry.flagged : flaggedIndices(await this.readFlags(datasetPath)))];
  }


  /** The report moved t1/t2: the editor follows with the new partition until the results are reloaded. */
  async setMovedThresholds(datasetPath: string, moved: MovedThresholds, categories: readonly (CategoryName | null)[]): Promise<void> {
    const entry = await this.get(datasetPath);
    if (!entry) return;
    const same = moved.t1 === entry.original.detection.confidenceThreshold && moved.t2 === entry.original.detection.alignThreshold;
    entry.result = same ? entry.original : withMovedThresholds(entry.original, moved, categories);
    entry.moved = same ? undefined : moved;
    this.emitter.fire(datasetPath);
  }

  /** The fields Annotate Dataset has written into this dataset (it may overwrite them again without asking). */
  annotatedFields(datasetPath: string): string[] {
    const all = this.state.get<Array<[string, string[]]>>(ANNOTATED_KEY, []);
    const found = Array.isArray(all) ? all.find((e) => Array.isArray(e) && e[0] === datasetPath) : undefined;
    return found && Array.isArray(found[1]) ? found[1].filter((f) => typeof f === 'string') : [];
  }

  async recordAnnotatedFields(datasetPath: string, fields: readonly string[]): Promise<void> {
    const names = [...new Set([...this.annotatedFields(datasetPath), ...fields])];
    const rest = this.state.get<Array<[string, string[]]>>(ANNOTATED_KEY, []).filter((e) => Array.isArray(e) && e[0] !== datasetPath);
    await this.state.update(ANNOTATED_KEY, [...rest, [datasetPath, names]].slice(-MAX_ANNOTATED));
  }

  /** Text hashes accepted as matching this result besides the recorded one (the text after Annotate). */
  equivalentHashes(entry: ResultEntry): string[] {
    const all = this.state.get<EquivalentStore>(EQUIVALENT_KEY, {});
    const e = all[entry.resultPath];
    return e && e.createdAt === entry.result.createdAt ? e.hashes : [];
  }

  async addEquivalentHash(entry: ResultEntry, hash: string): Promise<void> {
    const all = { ...this.state.get<EquivalentStore>(EQUIVALENT_KEY, {}) };
    const prev = all[entry.resultPath];
    const hashes = prev && prev.createdAt === entry.result.createdAt ? prev.hashes : [];
    // A handful is enough: the annotated text and a re-annotation with other names.
    all[entry.resultPath] = { createdAt: entry.result.createdAt, hashes: [...new Set([...hashes, hash])].slice(-8) };
    await this.state.update(EQUIVALENT_KEY, all);
    this.dropFreshness(entry.datasetPath);
  }

  private dropFreshness(datasetPath: string): void {
    for (const key of [...this.fresh.keys()]) if (vscode.Uri.parse(key).fsPath === datasetPath) this.fresh.delete(key);
  }

  /** The cached freshness of a document, when already computed for this version. */
  peekFreshness(doc: vscode.TextDocument, entry: ResultEntry): Freshness | undefined {
    const f = this.fresh.get(doc.uri.toString());
    return f && f.version === doc.version && f.createdAt === entry.result.createdAt ? f.value : undefined;
  }

  /**
   * Does the document still match the analysis? The text's hash first (cheap, also right for unsaved edits);
   * for a saved document whose text differs (a byte-order mark, mixed line ends) the bytes on disk decide.
   */
  async freshness(doc: vscode.TextDocument, entry: ResultEntry): Promise<Freshness> {
    const known = this.peekFreshness(doc, entry);
    if (known) return known;
    const version = doc.version;
    const equivalent = this.equivalentHashes(entry);
    let value = freshness(entry.result, [sha256Hex(doc.getText())], equivalent);
    if (value === 'stale' && !doc.isDirty) {
      try {
        value = freshness(entry.result, [sha256Hex(await fs.readFile(doc.uri.fsPath))], equivalent);
      } catch {
        // Unreadable on disk: keep the text's verdict.
      }
    }
    const key = doc.uri.toString();
    this.fresh.set(key, { version, createdAt: entry.result.createdAt, value });
    const before = this.lastFreshness.get(key);
    this.lastFreshness.set(key, value);
    if (before !== undefined && before !== value) this.freshnessEmitter.fire(doc.uri);
    return value;
  }
}
