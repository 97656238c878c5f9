/**
 * The flags file is read under the rule of the results beside it (issue 13): a `.overlap` folder or a flags file
 * that is a link out of the dataset's folder is not followed, only a regular file is read, and the report's flag
 * list (ResultStore.flagsOf, also for a dataset without results) gets no flags and one logged problem instead.
 * `vscode` is replaced by the few members the store uses.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { flagsPath, readFlagsFile, type FlagsFile } from '../../../src/extension/flags';
import { useTempDir } from '../data/tempDir';

vi.mock('vscode', () => {
  class EventEmitter<T> {
    private readonly handlers = new Set<(v: T) => void>();
    readonly event = (h: (v: T) => void) => (this.handlers.add(h), { dispose: () => void this.handlers.delete(h) });
    fire(v: T): void {
      for (const h of this.handlers) h(v);
    }
    dispose(): void {
      this.handlers.clear();
    }
  }
  const none = () => ({ dispose() {} });
  return {
    EventEmitter,
    Uri: { parse: (s: string) => ({ fsPath: s }) },
    workspace: { createFileSystemWatcher: () => ({ onDidChange: none, onDidCreate: none, onDidDelete: none, dispose() {} }) },
  };
});

const { ResultStore } = await import('../../../src/extension/results');

const tmp = useTempDir('overlap-flags-links');

const flagsOf = (indices: number[]): FlagsFile => ({
  version: 1,
  dataset: 'd.jsonl',
  flags: indices.map((index) => ({ index, flaggedAt: '2025-01-01T00:00:00.000Z' })),
});

/** A dataset folder `name` with d.jsonl in it; returns the dataset's path. */
function dataset(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'd.jsonl');
  writeFileSync(file, '{"text":"a","label":0}\n');
  return file;
}

/** A folder outside every dataset folder holding a flags file for d.jsonl that flags rows 3 and 5. */
function outsideOverlap(name: string): string {
  const dir = join(tmp.dir, 'elsewhere', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'd.jsonl.flags.json'), JSON.stringify(flagsOf([3, 5])));
  return dir;
}

function memento() {
  const values = new Map<string, unknown>();
  return { get: <T>(k: string, d?: T) => (values.has(k) ? values.get(k) : d) as T, update: async (k: string, v: unknown) => void values.set(k, v), keys: () => [...values.keys()] };
}

describe('readFlagsFile', () => {
  it('reads a plain flags file; a missing one is no flags and no problem', async () => {
    const d = dataset('plain');
    expect(await readFlagsFile(d)).toEqual({ flags: { version: 1, dataset: 'd.jsonl', flags: [] } });
    mkdirSync(join(tmp.dir, 'plain', '.overlap'));
    writeFileSync(flagsPath(d), JSON.stringify(flagsOf([1])));
    expect(await readFlagsFile(d)).toEqual({ flags: flagsOf([1]) });
  });

  it('does not follow a .overlap folder that links out of the dataset folder', async () => {
    const d = dataset('folder-out');
    symlinkSync(outsideOverlap('folder-out'), join(tmp.dir, 'folder-out', '.overlap'));
    const { flags, problem } = await readFlagsFile(d);
    expect(flags.flags).toEqual([]);
    expect(problem).toMatch(/folder-out\/\.overlap: \.overlap is a link to .*elsewhere\/folder-out, outside the dataset's folder; results and caches stay next to the data: remove the link/);
  });

  it('does not follow a flags file that is itself a link out of the dataset folder (or a dangling one)', async () => {
    const d = dataset('file-out');
    mkdirSync(join(tmp.dir, 'file-out', '.overlap'));
    symlinkSync(join(outsideOverlap('file-out'), 'd.jsonl.flags.json'), flagsPath(d));
    const { flags, problem } = await readFlagsFile(d);
    expect(flags.flags).toEqual([]);
    expect(problem).toMatch(/\.overlap\/d\.jsonl\.flags\.json is a link to .*elsewhere\/file-out\/d\.jsonl\.flags\.json, outside the dataset's folder; flags are read only from inside it: remove the link/);

    const g = dataset('dangling');
    mkdirSync(join(tmp.dir, 'dangling', '.overlap'));
    symlinkSync(join(tmp.dir, 'elsewhere', 'not-yet.json'), flagsPath(g));
    expect((await readFlagsFile(g)).problem).toMatch(/is a link to .*not-yet\.json, outside the dataset's folder/);
  });

  it('follows a link that stays inside the dataset folder, as the results do', async () => {
    const d = dataset('inside');
    mkdirSync(join(tmp.dir, 'inside', 'keep'));
    writeFileSync(join(tmp.dir, 'inside', 'keep', 'd.jsonl.flags.json'), JSON.stringify(flagsOf([2])));
    symlinkSync('keep', join(tmp.dir, 'inside', '.overlap'));
    expect(await readFlagsFile(d)).toEqual({ flags: flagsOf([2]) });
  });

  it('reads only a regular file: a folder or a named pipe is refused without blocking', async () => {
    const d = dataset('folder');
    mkdirSync(flagsPath(d), { recursive: true });
    expect((await readFlagsFile(d)).problem).toMatch(/d\.jsonl\.flags\.json: the flags file is a folder, not a file; no row shows as flagged/);
    if (process.platform !== 'win32') {
      const p = dataset('fifo');
      mkdirSync(join(tmp.dir, 'fifo', '.overlap'));
      execFileSync('mkfifo', [flagsPath(p)]);
      expect((await readFlagsFile(p)).problem).toMatch(/the flags file is a named pipe, not a file/);
    }
  });

  it('a broken flags file is no flags and a reason naming the file', async () => {
    const d = dataset('broken');
    mkdirSync(join(tmp.dir, 'broken', '.overlap'));
    writeFileSync(flagsPath(d), '{"version":1,"flags":');
    expect(await readFlagsFile(d)).toEqual({ flags: { version: 1, dataset: 'd.jsonl', flags: [] }, problem: `${flagsPath(d)}: not valid JSON; no row shows as flagged` });
  });
});

describe('ResultStore: the report\'s flag list', () => {
  it('reads no flags through a .overlap link out of the folder, for a dataset without results, and says so once', async () => {
    const store = new ResultStore(memento() as never);
    const problems: string[] = [];
    store.onDidProblem((m) => problems.push(m));
    const d = dataset('store-out');
    symlinkSync(outsideOverlap('store-out'), join(tmp.dir, 'store-out', '.overlap'));
    expect(await store.flagsOf(d)).toEqual([]);
    expect(await store.flagsOf(d)).toEqual([]);
    expect(problems.filter((m) => /store-out\/\.overlap: \.overlap is a link to .*, outside the dataset's folder/.test(m))).toHaveLength(1);
    store.dispose();
  });

  it('reads no flags through a flags file linked out of the folder; a plain flags file still reads', async () => {
    const store = new ResultStore(memento() as never);
    const problems: string[] = [];
    store.onDidProblem((m) => problems.push(m));
    const d = dataset('store-file-out');
    mkdirSync(join(tmp.dir, 'store-file-out', '.overlap'));
    symlinkSync(join(outsideOverlap('store-file-out'), 'd.jsonl.flags.json'), flagsPath(d));
    expect(await store.flagsOf(d)).toEqual([]);
    expect(problems.some((m) => m.includes('d.jsonl.flags.json is a link to'))).toBe(true);
    const ok = dataset('store-plain');
    mkdirSync(join(tmp.dir, 'store-plain', '.overlap'));
    writeFileSync(flagsPath(ok), JSON.stringify(flagsOf([0, 4])));
    expect(await store.flagsOf(ok)).toEqual([0, 4]);
    store.dispose();
  });
});
