/**
 * Hostile inputs of issue 13 that are about one function rather than a file through a runner (the corpus families
 * in test/fixtures/bad/cases.hostile.json cover the files): the resource bounds with their measured peak RSS and
 * time, the activation cache's checksum, where results may be written, what Annotate asks before overwriting.
 * Memory bounds are far from the machine's limits; times are printed, never asserted.
 */
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeNpy } from '../../../src/core/activations/npy';
import { parseDatasetBytes } from '../../../src/core/data';
import { InputError } from '../../../src/core/errors';
import { renderHtmlReport } from '../../../src/core/report/html';
import type { AnalysisResult } from '../../../src/core/result/schema';
import { fieldsNeedingConfirmation, overwriteQuestion, planAnnotation } from '../../../src/extension/annotationEdits';
import { scanJsonlObjects, StructureError } from '../../../src/core/data/structure';
import { ActivationCache, encodeWithCache } from '../../../src/inference/cache';
import type { EncodeResult, InferenceTextEncoder } from '../../../src/inference/types';
import { checkOverlapFolder, refuseOutputsOverInputs, sameFile } from '../../../src/pipeline/outputs';
import { loadResult } from '../../../src/pipeline/results';
import { useTempDir } from '../data/tempDir';

const HOSTILE = resolve(__dirname, '../../fixtures/bad/hostile');
const MB = 1024 * 1024;

/** Runs f and returns its value with the time it took and how far it raised the process's peak RSS (maxRSS). */
function measured<T>(f: () => T): { value: T; seconds: number; peakGrowthMB: number } {
  const before = process.resourceUsage().maxRSS * 1024;
  const t0 = performance.now();
  const value = f();
  const seconds = (performance.now() - t0) / 1000;
  return { value, seconds, peakGrowthMB: Math.max(0, process.resourceUsage().maxRSS * 1024 - before) / MB };
}

describe('item 9: sizes come from the data present, not from numbers in a results file', () => {
  const crafted = JSON.parse(readFileSync(join(HOSTILE, 'results', 'rows-1e9.result.json'), 'utf8')) as AnalysisResult;

  it('loading a result that claims 1e9 rows is refused with the row count it holds', async () => {
    await expect(loadResult(join(HOSTILE, 'results', 'rows-1e9.result.json'))).rejects.toThrow(
      /rows-1e9\.result\.json: not a valid results file: dataset\.rows: is 1000000000 but the file holds 30 rows/,
    );
  });

  it('the HTML export sizes its texts by the texts and rows present even when handed such a result (was: 97 s, 3.3 GB, heap death)', () => {
    const texts = crafted.rows.map((r) => `row ${r.index} text`);
    const { value: html, seconds, peakGrowthMB } = measured(() => renderHtmlReport(crafted, { texts, assets: { script: '', style: '' } as never, nonce: 'n' }));
    process.stdout.write(`html export of a result claiming 1e9 rows: ${seconds.toFixed(2)} s, peak RSS growth ${peakGrowthMB.toFixed(0)} MB\n`);
    const embedded = JSON.parse(/<script type="application\/json" id="texts-data">(.*?)<\/script>/s.exec(html)![1]!) as unknown[];
    expect(embedded.length).toBeLessThanOrEqual(texts.length);
    expect(peakGrowthMB).toBeLessThan(200);
  });
});

describe('item 7: Annotate scans nesting of any depth without recursion', () => {
  for (const depth of [5_000, 100_000, 1_000_000]) {
    it(`finds the row's members past a value nested ${depth.toLocaleString('en-US')} deep`, () => {
      const text = `{"text": "a", "meta": ${'['.repeat(depth)}${']'.repeat(depth)}, "o": ${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}, "label": 1}\n{"text": "b", "label": 0}\n`;
      const { value: rows, seconds, peakGrowthMB } = measured(() => scanJsonlObjects(text));
      process.stdout.write(`scan at depth ${depth}: ${seconds.toFixed(2)} s, peak RSS growth ${peakGrowthMB.toFixed(0)} MB\n`);
      expect(rows.map((r) => r.members.map((m) => m.key))).toEqual([['text', 'meta', 'o', 'label'], ['text', 'label']]);
      expect(peakGrowthMB).toBeLessThan(512);
    });
  }

  it('a deep value that never closes is a StructureError with its line, not a stack overflow', () => {
    const text = `{"text": "a", "label": 1}\n{"meta": ${'['.repeat(100_000)}\n`;
    let err: unknown;
    try {
      scanJsonlObjects(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StructureError);
    expect((err as StructureError).message).toMatch(/^line 3: unexpected end of text where a JSON value should be$/);
  });
});

describe('item 2: Annotate asks before it overwrites a field it did not write', () => {
  it('names every such field in the question and on its button', () => {
    const text = '{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n';
    const rows = [0, 1].map((i) => ({ index: i, line: i + 1, split: 'w2s-train' as const, label: 1 - i, category: 'easy' as const, confidence: 0.5, alignment: 0.1, pseudoLabel: 1 }));
    const plan = planAnnotation(text, 'jsonl', rows, { category: 'text', score: 'label', confidence: 'weak_confidence' });
    expect(fieldsNeedingConfirmation(plan, [])).toEqual(['text', 'label']);
    // After it wrote them once (the store remembers the names), it rewrites them without asking.
    expect(fieldsNeedingConfirmation(plan, ['text', 'label', 'weak_confidence'])).toEqual([]);
    const q = overwriteQuestion('d.jsonl', ['text', 'label'], 2);
    expect(q.message).toBe('Annotate Dataset would overwrite the existing fields "text" and "label" in d.jsonl.');
    expect(q.button).toBe('Overwrite "text" and "label"');
  });
});

describe('item 8: a Parquet column named __proto__ stays a column', () => {
  it('is an own field of every row, holding the column', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: '__proto__', data: ['x', 'y'], type: 'STRING' }, { name: 'label', data: [0, 1], type: 'INT32' }] }));
    const d = await parseDatasetBytes(bytes, { path: 'p.parquet' });
    for (const [i, row] of d.rows.entries()) {
      expect(Object.hasOwn(row.fields, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(row.fields, '__proto__')?.value).toBe(['x', 'y'][i]);
      expect(Object.getPrototypeOf(row.fields)).toBe(Object.prototype);
    }
  });
});

/** An encoder that counts its calls; row i is [i, len(text)]. */
function countingEncoder(): InferenceTextEncoder & { calls: number } {
  const enc = {
    id: 'counting',
    dim: 2,
    calls: 0,
    info: { id: 'counting', dim: 2, cacheIdentity: 'counting-v1', maxTokens: 8, provider: 'cpu', fallbacks: [] },
    encode: async (texts: readonly string[]) => (await enc.encodeDetailed(texts)).embeddings,
    async encodeDetailed(texts: readonly string[]): Promise<EncodeResult> {
      enc.calls++;
      const data = Float32Array.from(texts.flatMap((t, i) => [i, t.length]));
      return { embeddings: { rows: texts.length, cols: 2, data }, truncatedRows: [], emptyRows: [], warnings: [] };
    },
  };
  return enc;
}

describe('item 9: a cache file edited after it was written is recomputed, not trusted', () => {
  const tmp = useTempDir('overlap-hostile-cache');

  it('a valid .npy with other values fails its checksum: recomputed, with a warning', async () => {
    const cache = new ActivationCache(join(tmp.dir, 'cache'));
    const enc = countingEncoder();
    const texts = ['a', 'bb', 'ccc'];
    const first = await encodeWithCache(enc, texts, { cache, dataHash: 'h' });
    // Same shape, same dtype, other numbers: only the checksum can tell.
    writeFileSync(first.entry.path, writeNpy(Float32Array.from([9, 9, 9, 9, 9, 9]), [3, 2]));
    const again = await encodeWithCache(enc, texts, { cache, dataHash: 'h' });
    expect(again.fromCache).toBe(false);
    expect(enc.calls).toBe(2);
    expect([...again.embeddings.data]).toEqual([...first.embeddings.data]);
    expect(again.warnings.map((w) => w.message).join()).toMatch(/activation cache: .*\.npy changed after it was written \(its checksum does not match\); recomputed/);
    // The rewritten entry is trusted again.
    expect((await encodeWithCache(enc, texts, { cache, dataHash: 'h' })).fromCache).toBe(true);
  });

  it('a sidecar without a checksum (or with rows out of range) is not a cache hit', async () => {
    const cache = new ActivationCache(join(tmp.dir, 'cache2'));
    const enc = countingEncoder();
    const first = await encodeWithCache(enc, ['x', 'y'], { cache, dataHash: 'h' });
    const sidecar = first.entry.path.replace(/\.npy$/, '.json');
    const s = JSON.parse(readFileSync(sidecar, 'utf8')) as Record<string, unknown>;
    writeFileSync(sidecar, JSON.stringify({ ...s, sha256: undefined }));
    expect((await encodeWithCache(enc, ['x', 'y'], { cache, dataHash: 'h' })).fromCache).toBe(false);
    writeFileSync(sidecar, JSON.stringify({ ...JSON.parse(readFileSync(sidecar, 'utf8')), emptyRows: [1e9] }));
    expect((await encodeWithCache(enc, ['x', 'y'], { cache, dataHash: 'h' })).fromCache).toBe(false);
    expect(enc.calls).toBe(3);
  });
});

describe('items 3 and 9: where the tool may write', () => {
  const tmp = useTempDir('overlap-hostile-paths');

  it('sameFile: one file by its path, a symbolic link or a hard link; two files with equal bytes are two files', async () => {
    const a = tmp.write('a.jsonl', '{"text": "x", "label": 0}\n');
    const b = tmp.write('b.jsonl', '{"text": "x", "label": 0}\n');
    symlinkSync(a, join(tmp.dir, 'a-link.jsonl'));
    linkSync(a, join(tmp.dir, 'a-hard.jsonl'));
    expect(await sameFile(a, join(tmp.dir, 'x', '..', 'a.jsonl'))).toBe(true);
    expect(await sameFile(join(tmp.dir, 'a-link.jsonl'), a)).toBe(true);
    expect(await sameFile(join(tmp.dir, 'a-hard.jsonl'), a)).toBe(true);
    expect(await sameFile(a, b)).toBe(false);
    expect(await sameFile(a, join(tmp.dir, 'missing.jsonl'))).toBe(false);
    await expect(refuseOutputsOverInputs([{ path: join(tmp.dir, 'a-hard.jsonl'), role: '--out' }], [{ path: a, role: 'the dataset' }])).rejects.toThrow(
      /a-hard\.jsonl: --out is the same file as the dataset .*a\.jsonl: writing it would destroy an input/,
    );
    // An output that does not exist yet, or another file, is fine.
    await refuseOutputsOverInputs([{ path: join(tmp.dir, 'new.json'), role: '--out' }, { path: b, role: '--out' }], [{ path: a, role: 'the dataset' }]);
  });

  it('checkOverlapFolder: no .overlap, a folder, or a link inside the data folder are fine; a link out of it is refused', async () => {
    const data = (name: string) => {
      const d = join(tmp.dir, name);
      mkdirSync(d);
      return d;
    };
    await checkOverlapFolder(data('none'));
    const real = data('real');
    mkdirSync(join(real, '.overlap'));
    await checkOverlapFolder(real);
    const inside = data('inside');
    mkdirSync(join(inside, 'keep'));
    symlinkSync('keep', join(inside, '.overlap'));
    await checkOverlapFolder(inside);
    const out = data('out');
    symlinkSync(tmp.dir, join(out, '.overlap'));
    const err = await checkOverlapFolder(out).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/out\/\.overlap: \.overlap is a link to .*, outside the dataset's folder/);
  });
});
