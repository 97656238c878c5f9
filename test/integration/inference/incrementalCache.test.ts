/**
 * The incremental activation cache with the real bundled GloVe-mean encoder (issue 17, item 2): after edits,
 * insertions, deletions, reorders and duplicate texts, the assembled matrix equals a full encode byte for byte; an
 * analysis after a one-line edit encodes one row per side and says so. Also prints the time of a full encode and an
 * incremental one on SST-2 train with one edited line (numbers only; no time limits in tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationCache, encodeWithCache } from '../../../src/inference/cache';
import { createLocalInference } from '../../../src/inference/local';
import type { EncodeResult, InferenceService, InferenceTextEncoder } from '../../../src/inference/types';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { REPO } from './bundle';

const MODELS = join(REPO, 'models');
const haveModels = existsSync(join(MODELS, 'manifest.json'));
const SST2_TRAIN = join(REPO, '..', 'shared', 'data', 'sst2', 'stsa.binary.train');
if (!haveModels) console.log(`incrementalCache.test: skipped: ${MODELS}/manifest.json is missing (run npm run build:models)`);

const bytes = (r: EncodeResult) => Buffer.from(r.embeddings.data.buffer, r.embeddings.data.byteOffset, r.embeddings.data.byteLength);

/** SST-2 train texts when the shared data is there, else generated sentences of 1 to 60 words. */
function corpus(): string[] {
  if (existsSync(SST2_TRAIN)) {
    return readFileSync(SST2_TRAIN, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(l.indexOf(' ') + 1));
  }
  const words = 'the movie was absolutely wonderful and moving but this film a terrible waste of time'.split(' ');
  return Array.from({ length: 3000 }, (_, i) => Array.from({ length: 1 + ((i * 37) % 60) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' '));
}

describe.skipIf(!haveModels)('incremental activation cache with the bundled GloVe-mean encoder', () => {
  let inference: InferenceService;
  let glove: InferenceTextEncoder;
  let dir: string;
  beforeAll(async () => {
    inference = createLocalInference({ device: 'cpu', threads: 1, modelsDir: MODELS });
    glove = await inference.textEncoder({ kind: 'bundled', id: 'glove-mean', vocab: 2000 });
    dir = await fs.mkdtemp(join(os.tmpdir(), 'od-incr-'));
  });
  afterAll(async () => {
    await inference.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('equals a full encode byte for byte after edits, insertions, deletions, reorders and duplicates', async () => {
    const cache = new ActivationCache(join(dir, 'cache-a'));
    const source = join(dir, 'a.txt');
    const base = corpus().slice(0, 600);
    const versions: string[][] = [
      base,
      base.map((t, i) => (i % 97 === 5 ? `${t} and yet , it is dull` : t)),
      ['a brand new first row', ...base.slice(0, 300), '', 'zzzq qqqz', ...base.slice(320)],
      [...base].reverse().concat(base.slice(0, 40), ['a brand new first row', 'a brand new first row']),
    ];
    for (const [v, texts] of versions.entries()) {
      const out = await encodeWithCache(glove, texts, { cache, dataHash: `v${v}`, source });
      const full = await glove.encodeDetailed(texts);
      expect(bytes(out).equals(bytes(full))).toBe(true);
      expect(out.truncatedRows).toEqual(full.truncatedRows);
      expect(out.emptyRows).toEqual(full.emptyRows);
      expect(out.warnings).toEqual(full.warnings);
      if (v > 0) expect(out.reusedRows).toBeGreaterThan(texts.length / 2);
    }
  });

  it('USE-Lite too: an edited row encoded alone gets the bits a full encode gives it', async () => {
    const use = await inference.textEncoder({ kind: 'bundled', id: 'use-lite' });
    const cache = new ActivationCache(join(dir, 'cache-use'));
    const source = join(dir, 'u.txt');
    const texts = corpus().slice(0, 200);
    await encodeWithCache(use, texts, { cache, dataHash: 'u1', source });
    const edited = ['a new opening row', ...texts.slice(0, 50), `${texts[60]} , or so it seems`, ...texts.slice(51)];
    const out = await encodeWithCache(use, edited, { cache, dataHash: 'u2', source });
    expect(out.encodedRows).toBe(2);
    expect(bytes(out).equals(bytes(await use.encodeDetailed(edited)))).toBe(true);
  });

  /** Full encode of SST-2 train through the cache, then again with one edited line; both times printed. */
  async function oneLineEdit(encoder: InferenceTextEncoder, name: string) {
    const texts = corpus();
    const scope = { cache: new ActivationCache(join(dir, `cache-${name}`)), source: join(dir, 'stsa.binary.train') };
    let t = performance.now();
    const cold = await encodeWithCache(encoder, texts, { ...scope, dataHash: 'original' });
    const fullSeconds = (performance.now() - t) / 1000;
    const edited = [...texts];
    edited[1234] = `${edited[1234]} , though the ending drags`;
    t = performance.now();
    const warm = await encodeWithCache(encoder, edited, { ...scope, dataHash: 'edited' });
    const incrementalSeconds = (performance.now() - t) / 1000;
    console.log(
      `incremental cache, ${texts.length} rows, ${encoder.id}: full encode through the cache ${fullSeconds.toFixed(3)} s, ` +
        `after a one-line edit ${incrementalSeconds.toFixed(3)} s (${(fullSeconds / incrementalSeconds).toFixed(1)}x)`,
    );
    return { texts, edited, cold, warm };
  }

  it('SST-2 train with one edited line: the edited row is encoded, the rest read back (time printed)', async () => {
    const { texts, edited, cold, warm } = await oneLineEdit(glove, 'sst2');
    expect(cold.encodedRows).toBe(texts.length);
    expect(warm.encodedRows).toBe(1);
    expect(warm.reusedRows).toBe(texts.length - 1);
    expect(bytes(warm).equals(bytes(await glove.encodeDetailed(edited)))).toBe(true);
  });

  // USE-Lite over all of SST-2 train takes a minute or more on two cores: run with OVERLAP_BENCH_INCREMENTAL=1.
  it.skipIf(!process.env.OVERLAP_BENCH_INCREMENTAL)('SST-2 train, USE-Lite, one edited line: full vs incremental time printed', async () => {
    const { warm } = await oneLineEdit(await inference.textEncoder({ kind: 'bundled', id: 'use-lite' }), 'sst2-use');
    expect(warm.encodedRows).toBe(1);
  });

  it('an analysis after a one-line edit encodes one row per side and reports it through progress', async () => {
    const file = join(dir, 'small.txt');
    const texts = corpus().slice(0, 300);
    const lines = texts.map((text, i) => `${i % 2} ${text}`);
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const options = {
      weak: { kind: 'bundled', id: 'glove-mean', vocab: 500 },
      strong: { kind: 'bundled', id: 'glove-mean', vocab: 2000 },
      analysis: { seeds: 2 },
    } as const;
    await analyzeDatasetFile(file, options, { inference });
    lines[7] = '1 an entirely new line for row eight';
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const stages: string[] = [];
    const { result } = await analyzeDatasetFile(file, options, { inference, progress: (s) => stages.push(s) });
    expect(stages).toContain('weak encoder: activations: 299 from cache, 1 encoded (glove-mean-k500)');
    expect(stages).toContain('strong encoder: activations: 299 from cache, 1 encoded (glove-mean-k2000)');
    expect(result.timings.weakRowsFromCache).toBe(299);
    expect(result.timings.strongRowsFromCache).toBe(299);
    // One entry per encoder on disk (matrix, sidecar, row hashes) and one pointer each.
    const cacheFiles = await fs.readdir(join(dir, '.overlap', 'cache'));
    expect(cacheFiles.filter((f) => f.endsWith('.npy'))).toHaveLength(2);
    expect(cacheFiles.filter((f) => f.endsWith('.latest.json'))).toHaveLength(2);
  });
});
