/**
 * The bundled models' manifest (models/manifest.json, written by scripts/build-models.ts) and where to find it:
 * `models/` sits at the package root, i.e. beside dist/ in the installed extension and at the repository root
 * when running from source (vitest).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface ManifestTokenizer {
  kind: 'glove-words' | 'sentencepiece-unigram' | string;
  vocabFile: string;
  vocabSha256: string;
  vocabSize: number;
  maxK?: number;
  kChoices?: number[];
  maxLength?: number;
  padId: number;
  oovId?: number;
}

export interface ManifestModel {
  id: string;
  role: 'weak' | 'strong' | string;
  file: string;
  sha256: string;
  dim: number;
  inputs: { name: string; type: string }[];
  outputs: { name: string; type: string }[];
  tokenizer: ManifestTokenizer;
}

export interface ModelManifest {
  schemaVersion: number;
  models: ManifestModel[];
}

/** The folder holding manifest.json: the given one, else the nearest `models/` above this module. */
export function findModelsDir(explicit?: string): string | undefined {
  if (explicit) return existsSync(join(explicit, 'manifest.json')) ? resolve(explicit) : undefined;
  let dir = __dirname;
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'models');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

const manifests = new Map<string, Promise<ModelManifest>>();

export function readManifest(modelsDir: string): Promise<ModelManifest> {
  let m = manifests.get(modelsDir);
  if (!m) {
    m = readFile(join(modelsDir, 'manifest.json'), 'utf8').then((s) => JSON.parse(s) as ModelManifest);
    manifests.set(modelsDir, m);
    m.catch(() => manifests.delete(modelsDir));
  }
  return m;
}
