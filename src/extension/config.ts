/**
 * The one typed view of the `overlapDensity.*` settings. Every field mirrors a key of `contributes.configuration`
 * in package.json (a unit test keeps the two in step). Pure: it reads through a `get` function, so tests pass a map.
 */
import type { AlignMode, CategoryName, HardRule } from '../core/detect/types';
import type { DeviceChoice } from '../pipeline/types';
import { optionSpec, REQUEST_OPTIONS, settingOrDefault, type OptionName } from '../pipeline/request';

export type WeakModelChoice = 'auto' | 'bundled' | 'onnx' | 'activations' | 'votes' | 'probabilities';
export type StrongModelChoice = 'auto' | 'bundled' | 'onnx' | 'activations';

export interface Config {
  models: {
    /** `models.weak`: where the weak view comes from; auto = row activations, else votes, else bundled GloVe-mean. */
    weak: WeakModelChoice;
    /** `models.weakVocabulary`: GloVe vocabulary size K (the weak model's capacity). */
    weakVocabulary: number;
    /** `models.weakPath`: ONNX or activations file for the weak side (needs trust). */
    weakPath: string;
    /** `models.weakTokenizer`: tokenizer of a weak ONNX model (needs trust). */
    weakTokenizer: string;
    /** `models.weakField`: votes or probability column. */
    weakField: string;
    /** `models.strong`: where the strong view comes from; auto = row activations, else bundled USE-Lite. */
    strong: StrongModelChoice;
    /** `models.strongPath`: ONNX or activations file for the strong side (needs trust). */
    strongPath: string;
    /** `models.strongTokenizer`: tokenizer of a strong ONNX model (needs trust). */
    strongTokenizer: string;
  };
  /** `device`: onnxruntime execution provider, falls back to CPU. */
  device: DeviceChoice;
  /** `threads`: onnxruntime intra-op threads, 0 = default. */
  threads: number;
  analysis: {
    /** `analysis.hardRule`: stage 1 rule (c < t1 or c <= t1). */
    hardRule: HardRule;
    /** `analysis.align`: stage 2 score. */
    align: AlignMode;
    /** `analysis.pseudo`: soft or hard pseudo-labels. */
    pseudo: 'soft' | 'hard';
    /** `analysis.seed`: seed of splits and mixing. */
    seed: number;
    /** `analysis.seeds`: number of mixing seeds. */
    seeds: number;
  };
  decorations: {
    /** `decorations.enabled`: the off switch (Toggle Overlap Highlights). */
    enabled: boolean;
    /** `decorations.categories`: which categories are decorated. */
    categories: CategoryName[];
    /** `decorations.gutterIcons`: gutter markers. */
    gutterIcons: boolean;
    /** `decorations.overviewRuler`: sampled marks in the overview ruler. */
    overviewRuler: boolean;
    /** `decorations.lineHighlight`: tinted line backgrounds. */
    lineHighlight: boolean;
  };
  /** `codeLens.enabled`: the summary lens on line 1. */
  codeLens: boolean;
  /** `hover.enabled`: row hovers. */
  hover: boolean;
  /** `statusBar.enabled`: the regime item. */
  statusBar: boolean;
  annotate: {
    /** `annotate.categoryField`. */
    categoryField: string;
    /** `annotate.scoreField`. */
    scoreField: string;
    /** `annotate.confidenceField`. */
    confidenceField: string;
  };
  /** `datasets.exclude`: glob the Datasets view skips. */
  datasetsExclude: string;
  check: {
    /** `check.enabled`: alarms (the check rules) as diagnostics in the Problems panel. */
    enabled: boolean;
    /** `check.analyzeOnSave`: re-analyse an analysed dataset after each save (opt-in; restricted setting). */
    analyzeOnSave: boolean;
  };
}

/** The section of `vscode.workspace.getConfiguration('overlapDensity')` this module needs. */
export interface SettingsReader {
  get<T>(key: string): T | undefined;
}

const R = REQUEST_OPTIONS;

/** Defaults equal to package.json's (used when a key is missing or holds the wrong type); request options from the table. */
export const DEFAULT_CONFIG: Config = {
  models: {
    weak: 'auto',
    weakVocabulary: R.weakVocabulary.default,
    weakPath: '',
    weakTokenizer: '',
    weakField: '',
    strong: 'auto',
    strongPath: '',
    strongTokenizer: '',
  },
  device: R.device.default,
  threads: R.threads.default,
  analysis: { hardRule: R.hardRule.default, align: R.align.default, pseudo: R.pseudo.default, seed: R.seed.default, seeds: R.seeds.default },
  decorations: { enabled: true, categories: ['easy', 'hard', 'overlap'], gutterIcons: true, overviewRuler: true, lineHighlight: false },
  codeLens: true,
  hover: true,
  statusBar: true,
  annotate: { categoryField: 'overlap_category', scoreField: 'overlap_score', confidenceField: 'weak_confidence' },
  datasetsExclude: '**/{node_modules,.git,.overlap,dist,out,.vscode-test}/**',
  check: { enabled: true, analyzeOnSave: false },
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** A request option's setting (src/pipeline/request.ts: its key, bounds, values and default). */
function request<K extends OptionName>(s: SettingsReader, name: K) {
  const key = optionSpec(name).setting;
  return settingOrDefault(name, key === undefined ? undefined : s.get(key));
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value.trim() : fallback;
}

/** A field name for annotation: non-empty after trimming, else the default. */
function fieldName(value: unknown, fallback: string): string {
  const s = str(value, '');
  return s === '' ? fallback : s;
}

export function readConfig(s: SettingsReader): Config {
  const d = DEFAULT_CONFIG;
  const cats = s.get<unknown>('decorations.categories');
  return {
    models: {
      weak: oneOf(s.get('models.weak'), ['auto', 'bundled', 'onnx', 'activations', 'votes', 'probabilities'], d.models.weak),
      weakVocabulary: request(s, 'weakVocabulary'),
      weakPath: str(s.get('models.weakPath'), ''),
      weakTokenizer: str(s.get('models.weakTokenizer'), ''),
      weakField: str(s.get('models.weakField'), ''),
      strong: oneOf(s.get('models.strong'), ['auto', 'bundled', 'onnx', 'activations'], d.models.strong),
      strongPath: str(s.get('models.strongPath'), ''),
      strongTokenizer: str(s.get('models.strongTokenizer'), ''),
    },
    device: request(s, 'device'),
    threads: request(s, 'threads'),
    analysis: {
      hardRule: request(s, 'hardRule'),
      align: request(s, 'align'),
      pseudo: request(s, 'pseudo'),
      seed: request(s, 'seed'),
      seeds: request(s, 'seeds'),
    },
    decorations: {
      enabled: bool(s.get('decorations.enabled'), d.decorations.enabled),
      categories: Array.isArray(cats)
        ? (['easy', 'hard', 'overlap'] as const).filter((c) => cats.includes(c))
        : [...d.decorations.categories],
      gutterIcons: bool(s.get('decorations.gutterIcons'), d.decorations.gutterIcons),
      overviewRuler: bool(s.get('decorations.overviewRuler'), d.decorations.overviewRuler),
      lineHighlight: bool(s.get('decorations.lineHighlight'), d.decorations.lineHighlight),
    },
    codeLens: bool(s.get('codeLens.enabled'), d.codeLens),
    hover: bool(s.get('hover.enabled'), d.hover),
    statusBar: bool(s.get('statusBar.enabled'), d.statusBar),
    annotate: {
      categoryField: fieldName(s.get('annotate.categoryField'), d.annotate.categoryField),
      scoreField: fieldName(s.get('annotate.scoreField'), d.annotate.scoreField),
      confidenceField: fieldName(s.get('annotate.confidenceField'), d.annotate.confidenceField),
    },
    datasetsExclude: str(s.get('datasets.exclude'), d.datasetsExclude),
    check: {
      enabled: bool(s.get('check.enabled'), d.check.enabled),
      analyzeOnSave: bool(s.get('check.analyzeOnSave'), d.check.analyzeOnSave),
    },
  };
}

/** Every settings key (relative to `overlapDensity.`) that readConfig reads; the manifest test compares it. */
export const CONFIG_KEYS = [
  'models.weak', 'models.weakVocabulary', 'models.weakPath', 'models.weakTokenizer', 'models.weakField',
  'models.strong', 'models.strongPath', 'models.strongTokenizer', 'device', 'threads',
  'analysis.hardRule', 'analysis.align', 'analysis.pseudo', 'analysis.seed', 'analysis.seeds',
  'decorations.enabled', 'decorations.categories', 'decorations.gutterIcons', 'decorations.overviewRuler',
  'decorations.lineHighlight', 'codeLens.enabled', 'hover.enabled', 'statusBar.enabled',
  'annotate.categoryField', 'annotate.scoreField', 'annotate.confidenceField', 'datasets.exclude',
  'check.enabled', 'check.analyzeOnSave',
] as const;
