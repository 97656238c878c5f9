import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../../src/extension/config';
import { needsInference, needsTrust, pipelineOptions, strongSpecFromConfig, weakSpecFromConfig, weakPickItems } from '../../../src/extension/models';

function cfg(models: Partial<Config['models']>): Config {
  return { ...DEFAULT_CONFIG, models: { ...DEFAULT_CONFIG.models, ...models } };
}

describe('model choice', () => {
  it('auto uses activations found in the rows, else votes, else the bundled encoders', () => {
    const c = cfg({});
    expect(weakSpecFromConfig(c, { weakActs: 'weak_acts' }, '/d/x.jsonl')).toEqual({ kind: 'field', field: 'weak_acts' });
    expect(weakSpecFromConfig(c, { weakLabels: 'weak_labels' }, '/d/x.json')).toEqual({ kind: 'votes', field: 'weak_labels' });
    expect(weakSpecFromConfig(c, {}, '/d/x.csv')).toEqual({ kind: 'bundled', id: 'glove-mean', vocab: 2000 });
    expect(strongSpecFromConfig(c, { strongActs: 'strong_acts' }, '/d/x.jsonl')).toEqual({ kind: 'field', field: 'strong_acts' });
    expect(strongSpecFromConfig(c, {}, '/d/x.jsonl')).toEqual({ kind: 'bundled', id: 'use-lite' });
  });

  it('resolves relative model paths against the dataset folder and asks for missing ones', () => {
    expect(weakSpecFromConfig(cfg({ weak: 'onnx', weakPath: 'm/weak.onnx', weakTokenizer: 'm/tok.json' }), {}, '/d/x.jsonl')).toEqual({
      kind: 'onnx', path: '/d/m/weak.onnx', tokenizer: '/d/m/tok.json',
    });
    expect(strongSpecFromConfig(cfg({ strong: 'activations', strongPath: '/abs/s.safetensors' }), {}, '/d/x.jsonl')).toEqual({ kind: 'safetensors', path: '/abs/s.safetensors' });
    expect(() => weakSpecFromConfig(cfg({ weak: 'activations' }), {}, '/d/x.jsonl')).toThrow(/overlapDensity.models.weakPath/);
    expect(() => weakSpecFromConfig(cfg({ weak: 'probabilities' }), {}, '/d/x.jsonl')).toThrow(/weakField/);
  });

  it('needs trust only for files named by path, and inference only for encoders', () => {
    expect(needsTrust({ kind: 'onnx', path: '/m.onnx' })).toBe(true);
    expect(needsTrust({ kind: 'npy', path: '/a.npy' })).toBe(true);
    expect(needsTrust({ kind: 'bundled', id: 'use-lite' })).toBe(false);
    expect(needsTrust({ kind: 'field', field: 'x' })).toBe(false);
    expect(needsInference({ kind: 'field', field: 'x' })).toBe(false);
    expect(needsInference({ kind: 'bundled', id: 'glove-mean' })).toBe(true);
  });

  it('passes device, threads and analysis options through', () => {
    const c: Config = { ...DEFAULT_CONFIG, device: 'cuda', threads: 2, analysis: { ...DEFAULT_CONFIG.analysis, seeds: 5 } };
    const o = pipelineOptions(c, { kind: 'votes' }, { kind: 'bundled', id: 'use-lite' });
    expect(o).toMatchObject({ device: 'cuda', threads: 2, analysis: { seeds: 5, hardRule: 'segment' } });
    expect(pipelineOptions(DEFAULT_CONFIG, { kind: 'votes' }, { kind: 'votes' }).threads).toBeUndefined();
  });

  it('offers the activation field in the weak picker only when the data has one', () => {
    expect(weakPickItems({}, 2000).map((i) => i.id)).toEqual(['bundled', 'onnx', 'activations', 'votes', 'label-model', 'probabilities']);
    expect(weakPickItems({ weakActs: 'weak_acts' }, 2000).map((i) => i.id)).toContain('field');
  });
});
