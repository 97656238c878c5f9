import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import type { AnalysisResult } from '../../../src/core/result/schema';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { historyDir, listHistory, loadHistoryEntry, recordHistory } from '../../../src/pipeline/history';

const OPTIONS = { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' }, analysis: { seeds: 2, pseudo: 'hard' } } as const;

/** A result as of `minute` minutes past a fixed time, for dataset bytes `sha`. */
function at(base: AnalysisResult, minute: number, sha = 'ab'.repeat(32), density = 0.25): AnalysisResult {
  const r = structuredClone(base);
  r.createdAt = new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
  r.dataset.contentHash = sha;
  r.detection.overlapDensity = density;
  return r;
}

describe('history of results', () => {
  let root: string;
  let file: string;
  let base: AnalysisResult;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'od-history-'));
    file = path.join(root, 'synth.jsonl');
    await fs.writeFile(file, syntheticJsonl(generateSynthetic({ scenario: 'mixed', nOverlap: 60, nNonOverlap: 120, seed: 1 })));
    const outcome = await analyzeDatasetFile(file, OPTIONS);
    base = outcome.result;
    // The analysis itself kept its result: one entry, the same result.
    expect(outcome.history).toEqual({ path: expect.stringContaining(historyDir(file)) });
    const kept = await loadHistoryEntry((outcome.history as { path: string }).path);
    expect(kept.detection).toEqual(base.detection);
    expect(kept.createdAt).toBe(base.createdAt);
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  async function fresh(name: string): Promise<string> {
    const f = path.join(root, name);
    await fs.copyFile(file, f);
    return f;
  }

  it('lists newest first with density, PGR, regime and verdict, named <time>-<sha>.result.json', async () => {
    const f = await fresh('list.jsonl');
    await recordHistory(f, at(base, 1, '11'.repeat(32), 0.1));
    await recordHistory(f, at(base, 3, '33'.repeat(32), 0.3));
    await recordHistory(f, at(base, 2, '22'.repeat(32), 0.2));
    const { entries, skipped } = await listHistory(f);
    expect(skipped).toEqual([]);
    expect(entries.map((e) => e.density)).toEqual([0.3, 0.2, 0.1]);
    expect(path.basename(entries[0]!.path)).toBe('2026-01-01T12-03-00-000Z-33333333.result.json');
    expect(entries[0]).toMatchObject({
      createdAt: '2026-01-01T12:03:00.000Z',
      sha256: '33'.repeat(32),
      pgr: base.pgr,
      regime: base.regime.label,
      verdict: base.verdict!.headline,
      accuracy: base.accuracy,
    });
    // Two results in the same millisecond both stay.
    await recordHistory(f, at(base, 3, '33'.repeat(32), 0.35));
    expect((await listHistory(f)).entries).toHaveLength(4);
  });

  it('keeps the newest N, and stays under a byte bound (the newest always stays)', async () => {
    const f = await fresh('bounded.jsonl');
    for (let m = 0; m < 6; m++) await recordHistory(f, at(base, m), { keep: 3 });
    expect((await listHistory(f)).entries.map((e) => e.createdAt.slice(14, 16))).toEqual(['05', '04', '03']);
    const size = (await fs.stat((await listHistory(f)).entries[0]!.path)).size;
    await recordHistory(f, at(base, 10), { keep: 20, maxBytes: Math.floor(size * 1.5) });
    expect((await listHistory(f)).entries.map((e) => e.createdAt.slice(14, 16))).toEqual(['10']);
    await recordHistory(f, at(base, 11), { maxBytes: 1 });
    expect((await listHistory(f)).entries.map((e) => e.createdAt.slice(14, 16))).toEqual(['11']);
    const files = await fs.readdir(historyDir(f));
    expect(files.sort()).toEqual(['2026-01-01T12-11-00-000Z-abababab.result.json', 'index.json']);
  });

  it('reads summaries from the index, re-reads changed or unindexed files, and skips files that are not results', async () => {
    const f = await fresh('corrupt.jsonl');
    const a = await recordHistory(f, at(base, 1, '11'.repeat(32), 0.1));
    const b = await recordHistory(f, at(base, 2, '22'.repeat(32), 0.2));
    const dir = historyDir(f);
    // Same size, other bytes: the index is trusted for the listing (no rows parsed) ...
    const size = (await fs.stat(a)).size;
    await fs.writeFile(a, 'x'.repeat(size));
    expect((await listHistory(f)).entries.map((e) => e.density)).toEqual([0.2, 0.1]);
    // ... but never for the content: loading validates.
    await expect(loadHistoryEntry(a)).rejects.toBeInstanceOf(InputError);
    // A cut-short file no longer matches its indexed size: read in full, skipped with the reason.
    await fs.writeFile(b, '{"schemaVersion": 1, "rows": [');
    // A result file dropped in by hand (not in the index) is read in full.
    const extra = path.join(dir, '2026-01-01T12-05-00-000Z-55555555.result.json');
    await fs.writeFile(extra, JSON.stringify(at(base, 5, '55'.repeat(32), 0.5)));
    const listing = await listHistory(f);
    expect(listing.entries.map((e) => e.density)).toEqual([0.5, 0.1]);
    expect(listing.skipped).toEqual([{ path: b, reason: expect.stringMatching(/not valid JSON/) }]);
  });

  it('does not trust a hostile index: bad names and summaries are ignored, files are read instead', async () => {
    const f = await fresh('hostile.jsonl');
    const a = await recordHistory(f, at(base, 1, '11'.repeat(32), 0.1));
    const name = path.basename(a);
    const size = (await fs.stat(a)).size;
    await fs.writeFile(path.join(historyDir(f), 'index.json'), JSON.stringify({
      version: 1,
      entries: [
        { name: '../../../etc/passwd', summary: { createdAt: 'x', sha256: null, density: 0.9, pgr: 1, regime: 'high', verdict: 'v', accuracy: { weak: 0, strong: 0, w2s: 0 }, bytes: 1 } },
        { name, summary: { createdAt: 'x', sha256: null, density: 7, pgr: 1, regime: 'high', verdict: 'v', accuracy: { weak: 0, strong: 0, w2s: 0 }, bytes: size } },
        { name: '__proto__', summary: null },
      ],
    }));
    const { entries } = await listHistory(f);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.density).toBe(0.1);
    await expect(loadHistoryEntry(path.join(root, 'synth.jsonl'))).rejects.toThrow(/not a history entry/);
  });

  it('a history folder linked outside the dataset folder is refused; the analysis still succeeds; --no-history writes none', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'od-history-link-'));
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'od-history-outside-'));
    try {
      const f = path.join(dir, 'data.jsonl');
      await fs.copyFile(file, f);
      await fs.mkdir(path.join(dir, '.overlap'));
      await fs.symlink(outside, path.join(dir, '.overlap', 'history'));
      const outcome = await analyzeDatasetFile(f, OPTIONS);
      expect(outcome.history).toEqual({ error: expect.stringMatching(/outside the dataset's folder.*--no-history/) });
      expect(await fs.readdir(outside)).toEqual([]);
      await fs.rm(path.join(dir, '.overlap', 'history'));
      const off = await analyzeDatasetFile(f, { ...OPTIONS, history: false });
      expect(off.history).toBeUndefined();
      await expect(fs.stat(historyDir(f))).rejects.toThrow();
      // A result sent elsewhere (--out) leaves nothing by the data: no history either.
      const elsewhere = await analyzeDatasetFile(f, { ...OPTIONS, outFile: path.join(outside, 'r.json') });
      expect(elsewhere.history).toBeUndefined();
      expect(await fs.readdir(outside)).toEqual(['r.json']);
      await expect(fs.stat(historyDir(f))).rejects.toThrow();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(outside, { recursive: true, force: true });
    }
  });
});
