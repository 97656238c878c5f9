import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkPipelineRequest, cliName, OPTION_NAMES, OptionError, optionSpec, parseOptionText, REQUEST_OPTIONS, requestDefaults,
  settingName, settingOrDefault, type OptionName,
} from '../../../src/pipeline/request';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../../src/core/experiment/analyze';
import { readConfig, type Config } from '../../../src/extension/config';
import { run as analyzeCli } from '../../../src/cli/analyze';
import { reportError } from '../../../src/cli/errors';
import { analysisOptionsFrom, ANALYSIS_FLAGS, INFERENCE_FLAGS, parseModelSpec, threadsFrom } from '../../../src/cli/options';

const root = join(__dirname, '../../..');
interface Prop { type: string; default: unknown; enum?: string[]; minimum?: number; maximum?: number }
const props = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Prop> } };
}).contributes.configuration.properties;

const withSetting = OPTION_NAMES.filter((n) => optionSpec(n).setting);
const withFlag = OPTION_NAMES.filter((n) => optionSpec(n).flag);

/** The typed config field a setting key lands in (`analysis.seeds` -> config.analysis.seeds). */
function configField(config: Config, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
}

/** A value outside what the option allows. */
function outOfRange(name: OptionName): unknown {
  const spec = optionSpec(name);
  if (spec.type === 'choice') return 'not-a-choice';
  return spec.max !== undefined ? spec.max + 1 : spec.min - 1;
}

/** What `f` writes to a stream (stdout or stderr), kept off the console. */
async function captured(stream: NodeJS.WriteStream, f: () => unknown): Promise<string> {
  let out = '';
  const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await f();
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('the request table', () => {
  it('covers the analysis options with the core defaults and names one flag or form per option', () => {
    const d = requestDefaults();
    for (const k of Object.keys(DEFAULT_ANALYSIS_OPTIONS) as (keyof typeof DEFAULT_ANALYSIS_OPTIONS)[]) {
      expect(d[k], k).toEqual(DEFAULT_ANALYSIS_OPTIONS[k]);
      expect(optionSpec(k).group, k).toBe('analysis');
    }
    for (const n of OPTION_NAMES) {
      const spec = optionSpec(n);
      expect(spec.flag ?? spec.cliForm, n).toBeTruthy();
      expect(spec.help.includes('\n'), n).toBe(false);
      // The words --help gives for the default start with the default itself.
      expect(String(spec.defaultHelp ?? spec.default).startsWith(String(spec.default)), n).toBe(true);
      if (spec.type === 'choice') expect(spec.values).toContain(spec.default);
      else expect(spec.default >= spec.min && (spec.max === undefined || spec.default <= spec.max), n).toBe(true);
    }
  });

  it("matches package.json's contributes.configuration for every option with a setting key", () => {
    expect(withSetting.length).toBeGreaterThanOrEqual(8);
    for (const n of withSetting) {
      const spec = optionSpec(n);
      const p = props[`overlapDensity.${spec.setting}`];
      expect(p, n).toBeDefined();
      expect(p.type, n).toBe(spec.type === 'choice' ? 'string' : spec.type);
      expect(p.default, n).toEqual(spec.default);
      if (spec.type === 'choice') {
        expect(p.enum, n).toEqual([...spec.values]);
      } else {
        expect(p.enum, n).toBeUndefined();
        expect(p.minimum, n).toBe(spec.min);
        expect(p.maximum, n).toBe(spec.max);
      }
    }
  });

  it("bounds GloVe K by the bundled table (scripts/build-models.ts and, when built, models/manifest.json)", () => {
    const script = readFileSync(join(root, 'scripts/build-models.ts'), 'utf8');
    const words = Number(/const GLOVE_MAX_WORDS = ([\d_]+);/.exec(script)![1].replace(/_/g, ''));
    expect(REQUEST_OPTIONS.weakVocabulary.max).toBe(words);
    const manifest = join(root, 'models/manifest.json');
    if (existsSync(manifest)) {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { models: { id: string; tokenizer?: { maxK?: number } }[] };
      expect(REQUEST_OPTIONS.weakVocabulary.max).toBe(m.models.find((x) => x.id === 'glove-mean')?.tokenizer?.maxK);
    }
  });
});

describe('the extension reads its settings through the table', () => {
  it('takes every in-range value and falls back to the default outside the bounds or values', () => {
    for (const n of withSetting) {
      const spec = optionSpec(n);
      const key = spec.setting!;
      const good = spec.type === 'choice' ? spec.values[spec.values.length - 1] : (spec.max ?? spec.min + 7);
      expect(configField(readConfig({ get: <T>(k: string) => (k === key ? good : undefined) as T }), key), n).toEqual(good);
      const bad = outOfRange(n);
      expect(configField(readConfig({ get: <T>(k: string) => (k === key ? bad : undefined) as T }), key), n).toEqual(spec.default);
      expect(settingOrDefault(n, bad)).toEqual(spec.default);
    }
  });
});

describe('the CLI builds its flags, --help and validation from the table', () => {
  it('has a parseArgs entry for every flag', () => {
    expect(Object.keys({ ...ANALYSIS_FLAGS, ...INFERENCE_FLAGS }).sort()).toEqual(withFlag.map((n) => optionSpec(n).flag).sort());
  });

  it('lists every flag of the table in `analyze --help` with its default', async () => {
    const help = await captured(process.stdout, () => analyzeCli(['--help']));
    for (const n of withFlag) {
      const spec = optionSpec(n);
      const at = help.indexOf(`  --${spec.flag} `);
      expect(at, n).toBeGreaterThan(-1);
      const entry = help.slice(at).split(/\n {2}--/)[0].replace(/\s+/g, ' ');
      expect(entry, n).toContain(`(default ${spec.defaultHelp ?? spec.default}`);
      if (spec.type !== 'choice' && spec.max !== undefined) expect(entry, n).toContain(`${spec.min}..${spec.max}`);
    }
    const k = REQUEST_OPTIONS.weakVocabulary;
    expect(help).toContain(`glove-mean[:K] (bundled, default K ${k.default}, K in ${k.min}..${k.max})`);
  });

  it('parses flags into typed analysis options', () => {
    expect(
      analysisOptionsFrom({ 'hard-rule': 'probing', align: 'dot-max', 'stage1-scale': 'log', pseudo: 'hard', l2: '0.01', seed: '3', seeds: '4', jump: '1' }),
    ).toEqual({ hardRule: 'probing', align: 'dot-max', stage1Scale: 'log', pseudo: 'hard', l2: 0.01, seed: 3, seeds: 4, jump: 1 });
    expect(analysisOptionsFrom({})).toEqual({});
    expect(threadsFrom({ threads: '0' })).toBeUndefined();
    expect(threadsFrom({ threads: '3' })).toBe(3);
    expect(parseModelSpec('glove-mean:5000', 'weak')).toEqual({ kind: 'bundled', id: 'glove-mean', vocab: 5000 });
  });

  it.each([
    [{ seeds: '0' }, 'seeds', 'must be an integer in 1..1000, got "0"'],
    [{ seeds: '2.5' }, 'seeds', 'must be an integer in 1..1000, got "2.5"'],
    [{ seed: '-1' }, 'seed', 'must be an integer in 0..4294967295, got "-1"'],
    [{ seed: '4294967296' }, 'seed', 'must be an integer in 0..4294967295, got "4294967296"'],
    [{ seed: '1e3' }, 'seed', 'must be an integer in 0..4294967295, got "1e3"'],
    [{ seed: '0x10' }, 'seed', 'must be an integer in 0..4294967295, got "0x10"'],
    [{ l2: ' ' }, 'l2', 'must be a number in 0..1000000, got " "'],
    [{ l2: '1e308' }, 'l2', 'must be a number in 0..1000000, got "1e308"'],
    [{ l2: '0x1' }, 'l2', 'must be a number in 0..1000000, got "0x1"'],
    [{ jump: '0' }, 'jump', 'must be a positive integer, got "0"'],
    [{ align: 'cosine' }, 'align', 'must be one of residual, dot-max, abs-cosine-max, got "cosine"'],
  ] as const)('rejects %j naming the option neutrally', (values, option, detail) => {
    expect(() => analysisOptionsFrom(values)).toThrow(OptionError);
    expect(() => analysisOptionsFrom(values)).toThrow(expect.objectContaining({ option, detail, message: `option ${option} ${detail}` }));
  });

  it('renders a bad option with its flag on the CLI and with its setting in the editor', async () => {
    let code = 0;
    const err = await captured(process.stderr, () => (code = reportError(new OptionError('seeds', 'must be an integer in 1..1000, got "0"'))));
    expect(code).toBe(2);
    expect(err).toContain('overlap-density: --seeds must be an integer in 1..1000, got "0"');
    expect(cliName('weakVocabulary')).toBe('--weak glove-mean:K');
    expect(() => parseModelSpec('glove-mean:60000', 'weak')).toThrow(OptionError);
    expect(settingName('seeds')).toBe('setting overlapDensity.analysis.seeds');
    expect(settingName('weakVocabulary')).toBe('setting overlapDensity.models.weakVocabulary');
    expect(settingName('jump')).toBe('option jump');
  });
});

describe('the pipeline checks what it is handed', () => {
  const weak = { kind: 'bundled', id: 'glove-mean' } as const;

  it('accepts the defaults and rejects an out-of-range value by its table name', () => {
    expect(() => checkPipelineRequest({ weak, analysis: { ...DEFAULT_ANALYSIS_OPTIONS }, device: 'auto', threads: 0 })).not.toThrow();
    expect(() => checkPipelineRequest({ weak: { ...weak, vocab: 341_479 } })).toThrow(/^option weakVocabulary must be an integer in 100\.\.50000, got 341479$/);
    expect(() => checkPipelineRequest({ weak, analysis: { seeds: 0 } })).toThrow(OptionError);
    expect(() => checkPipelineRequest({ weak, device: 'tpu' })).toThrow(/option device must be one of/);
    expect(() => parseOptionText('threads', '-2')).toThrow(/option threads must be a non-negative integer/);
  });
});
