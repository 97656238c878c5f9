import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS, DEFAULT_CONFIG, readConfig } from '../../../src/extension/config';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../../src/core/experiment/analyze';
import { DEFAULT_GLOVE_VOCAB } from '../../../src/pipeline/analyzeFile';
import { GLOVE_VOCAB, MIXING_SEEDS } from '../../../src/pipeline/limits';

interface Prop { default: unknown; markdownDescription?: string; enum?: string[]; minimum?: number; maximum?: number }
const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Prop> }; commands: { command: string; title: string; category?: string }[] };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] }; virtualWorkspaces: unknown };
  extensionKind: string[];
};
const props = pkg.contributes.configuration.properties;

function fromDefaults(over: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) values[k.replace(/^overlapDensity\./, '')] = p.default;
  Object.assign(values, over);
  return readConfig({ get: <T>(key: string) => values[key] as T | undefined });
}

describe('settings', () => {
  it('declares exactly the keys the typed config reads, each with a markdownDescription', () => {
    const declared = Object.keys(props).map((k) => k.replace(/^overlapDensity\./, '')).sort();
    expect(declared).toEqual([...CONFIG_KEYS].sort());
    for (const [k, p] of Object.entries(props)) expect(p.markdownDescription, k).toBeTruthy();
  });

  it("maps package.json's defaults to DEFAULT_CONFIG, and missing values to the same", () => {
    expect(fromDefaults()).toEqual(DEFAULT_CONFIG);
    expect(readConfig({ get: () => undefined })).toEqual(DEFAULT_CONFIG);
  });

  it("keeps the analysis and weak-capacity defaults equal to the pipeline's", () => {
    const a = DEFAULT_CONFIG.analysis;
    expect({ hardRule: a.hardRule, align: a.align, pseudo: a.pseudo, seed: a.seed, seeds: a.seeds }).toEqual({
      hardRule: DEFAULT_ANALYSIS_OPTIONS.hardRule,
      align: DEFAULT_ANALYSIS_OPTIONS.align,
      pseudo: DEFAULT_ANALYSIS_OPTIONS.pseudo,
      seed: DEFAULT_ANALYSIS_OPTIONS.seed,
      seeds: DEFAULT_ANALYSIS_OPTIONS.seeds,
    });
    expect(DEFAULT_CONFIG.models.weakVocabulary).toBe(DEFAULT_GLOVE_VOCAB);
  });

  it("states the shared limits (GloVe K, mixing seeds) in package.json as the CLI and the pipeline have them", () => {
    expect([props['overlapDensity.models.weakVocabulary'].minimum, props['overlapDensity.models.weakVocabulary'].maximum]).toEqual([GLOVE_VOCAB.min, GLOVE_VOCAB.max]);
    expect([props['overlapDensity.analysis.seeds'].minimum, props['overlapDensity.analysis.seeds'].maximum]).toEqual([MIXING_SEEDS.min, MIXING_SEEDS.max]);
    expect(readConfig({ get: (k: string) => (k === 'models.weakVocabulary' ? 341479 : undefined) } as never).models.weakVocabulary).toBe(DEFAULT_GLOVE_VOCAB);
  });

  it('reads user values and falls back on wrong types or out-of-range values', () => {
    const c = fromDefaults({
      'models.weak': 'votes', 'analysis.align': 'abs-cosine-max', 'analysis.seeds': 0, threads: 4,
      'decorations.categories': ['overlap', 'bogus'], 'annotate.categoryField': '  ', device: 'tpu',
      'models.weakVocabulary': 5000.5,
    });
    expect(c.models.weak).toBe('votes');
    expect(c.analysis.align).toBe('abs-cosine-max');
    expect(c.analysis.seeds).toBe(10);
    expect(c.threads).toBe(4);
    expect(c.decorations.categories).toEqual(['overlap']);
    expect(c.annotate.categoryField).toBe('overlap_category');
    expect(c.device).toBe('auto');
    expect(c.models.weakVocabulary).toBe(2000);
  });

  it('restricts the model path and annotation write-back settings in untrusted workspaces and declares the workspace kinds', () => {
    expect(pkg.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.sort()).toEqual([
      'overlapDensity.annotate.categoryField', 'overlapDensity.annotate.confidenceField', 'overlapDensity.annotate.scoreField',
      'overlapDensity.check.analyzeOnSave',
      'overlapDensity.models.strongPath', 'overlapDensity.models.strongTokenizer', 'overlapDensity.models.weakPath', 'overlapDensity.models.weakTokenizer',
    ]);
    expect(pkg.capabilities.virtualWorkspaces).toBeTruthy();
    expect(pkg.extensionKind).toEqual(['workspace']);
    // Languages, workspace contents, commands; and the report panel's restore after a reload (onWebviewPanel).
    for (const e of pkg.activationEvents) expect(e).toMatch(/^(onLanguage|workspaceContains|onCommand|onWebviewPanel):/);
    expect(pkg.activationEvents).not.toContain('*');
  });

  it('puts every palette command under the "Overlap Density" category', () => {
    for (const c of pkg.contributes.commands) expect(c.category, c.command).toBe('Overlap Density');
  });
});
