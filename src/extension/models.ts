/**
 * Which weak and strong model an analysis uses: from the settings (`auto` looks at the fields the reader found
 * in the data), or from the `Analyze with Models...` pickers. Pure; the command asks the questions.
 */
import * as path from 'node:path';
import type { FieldMap } from '../core/data/types';
import { autoStrongSpec, autoWeakSpec } from '../pipeline/autoSpecs';
import type { ModelSpec, PipelineOptions } from '../pipeline/types';
import type { Config } from './config';

export class ModelChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelChoiceError';
  }
}

function resolveFrom(datasetPath: string, p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(path.dirname(datasetPath), p);
}

/** `.npy` or `.safetensors` activations from a path. */
export function activationsSpec(file: string): ModelSpec {
  return /\.safetensors$/i.test(file) ? { kind: 'safetensors', path: file } : { kind: 'npy', path: file };
}

export function weakSpecFromConfig(cfg: Config, fields: FieldMap, datasetPath: string): ModelSpec {
  const m = cfg.models;
  const need = (value: string, setting: string) => {
    if (value === '') throw new ModelChoiceError(`set overlapDensity.${setting} (models.weak is "${m.weak}")`);
    return value;
  };
  switch (m.weak) {
    case 'auto':
      return autoWeakSpec(fields, m.weakVocabulary);
    case 'bundled':
      return { kind: 'bundled', id: 'glove-mean', vocab: m.weakVocabulary };
    case 'onnx': {
      const spec: ModelSpec = { kind: 'onnx', path: resolveFrom(datasetPath, need(m.weakPath, 'models.weakPath')) };
      if (m.weakTokenizer !== '') spec.tokenizer = resolveFrom(datasetPath, m.weakTokenizer);
      return spec;
    }
    case 'activations':
      return activationsSpec(resolveFrom(datasetPath, need(m.weakPath, 'models.weakPath')));
    case 'votes':
      return m.weakField !== '' ? { kind: 'votes', field: m.weakField } : { kind: 'votes' };
    case 'probabilities':
      return { kind: 'probabilities', field: need(m.weakField, 'models.weakField') };
  }
}

export function strongSpecFromConfig(cfg: Config, fields: FieldMap, datasetPath: string): ModelSpec {
  const m = cfg.models;
  switch (m.strong) {
    case 'auto':
      return autoStrongSpec(fields);
    case 'bundled':
      return { kind: 'bundled', id: 'use-lite' };
    case 'onnx': {
      if (m.strongPath === '') throw new ModelChoiceError('set overlapDensity.models.strongPath (models.strong is "onnx")');
      const spec: ModelSpec = { kind: 'onnx', path: resolveFrom(datasetPath, m.strongPath) };
      if (m.strongTokenizer !== '') spec.tokenizer = resolveFrom(datasetPath, m.strongTokenizer);
      return spec;
    }
    case 'activations':
      if (m.strongPath === '') throw new ModelChoiceError('set overlapDensity.models.strongPath (models.strong is "activations")');
      return activationsSpec(resolveFrom(datasetPath, m.strongPath));
  }
}

/** Specs that read a model or an array file named by a path: those need a trusted workspace. */
export function needsTrust(spec: ModelSpec): boolean {
  return spec.kind === 'onnx' || spec.kind === 'npy' || spec.kind === 'safetensors';
}

/** Specs that run an encoder in onnxruntime (the worker is started only for these). */
export function needsInference(spec: ModelSpec): boolean {
  return spec.kind === 'bundled' || spec.kind === 'onnx';
}

/** A short name for messages: "GloVe-mean K=3000", "ONNX model.onnx", "field weak_acts". */
export function describeSpec(spec: ModelSpec): string {
  switch (spec.kind) {
    case 'bundled':
      return spec.id === 'glove-mean' ? `GloVe-mean${spec.vocab ? ` K=${spec.vocab}` : ''}` : 'USE-Lite';
    case 'onnx':
      return `ONNX ${path.basename(spec.path)}`;
    case 'npy':
    case 'safetensors':
      return `activations ${path.basename(spec.path)}`;
    case 'field':
      return `field ${spec.field}`;
    case 'votes':
      return `${spec.aggregate === 'dawid-skene' ? 'label model' : 'votes'} ${spec.field ?? 'weak_labels'}`;
    case 'probabilities':
      return `probabilities ${spec.field}`;
  }
}

/** The options every analysis from the editor passes (models aside). */
export function pipelineOptions(cfg: Config, weak: ModelSpec, strong: ModelSpec): PipelineOptions {
  return {
    weak,
    strong,
    device: cfg.device,
    ...(cfg.threads > 0 ? { threads: cfg.threads } : {}),
    analysis: {
      hardRule: cfg.analysis.hardRule,
      align: cfg.analysis.align,
      pseudo: cfg.analysis.pseudo,
      seed: cfg.analysis.seed,
      seeds: cfg.analysis.seeds,
    },
  };
}

export type WeakPickId = 'bundled' | 'onnx' | 'activations' | 'field' | 'votes' | 'label-model' | 'probabilities';
export type StrongPickId = 'bundled' | 'onnx' | 'activations' | 'field';

export interface ModelPickItem<Id extends string> {
  id: Id;
  label: string;
  description?: string;
  detail: string;
}

/** Choices of the weak picker; the ones that need a field the data has are described with it. */
export function weakPickItems(fields: FieldMap, vocab: number): ModelPickItem<WeakPickId>[] {
  const items: ModelPickItem<WeakPickId>[] = [
    { id: 'bundled', label: '$(package) Bundled GloVe-mean', description: `K = ${vocab}`, detail: 'GloVe 6B 100-d word vectors, mean-pooled; the vocabulary size K is the weak capacity (asked next).' },
    { id: 'onnx', label: '$(file-binary) ONNX model file...', detail: 'Your own text encoder as an .onnx file (and its tokenizer). Needs a trusted workspace.' },
    { id: 'activations', label: '$(database) Activations file (.npy / .safetensors)...', detail: 'One row of activations per dataset row, in file order. Needs a trusted workspace.' },
  ];
  if (fields.weakActs) items.push({ id: 'field', label: `$(symbol-array) Activations in the rows: ${fields.weakActs}`, detail: 'Vectors stored in each row of the dataset.' });
  items.push({
    id: 'votes',
    label: '$(checklist) Labelling-function votes',
    description: fields.weakLabels ?? 'weak_labels',
    detail: 'Majority vote over the votes of each row (-1 = abstain), ties broken at random with the analysis seed.',
  });
  items.push({
    id: 'label-model',
    label: '$(checklist) Labelling-function votes through a label model',
    description: fields.weakLabels ?? 'weak_labels',
    detail: "Dawid-Skene EM: weighs each function by its estimated accuracy, fitted on the training rows' votes (no labels).",
  });
  items.push({
    id: 'probabilities',
    label: '$(symbol-number) Probability column...',
    ...(fields.weakProbs ? { description: fields.weakProbs } : {}),
    detail: "An existing weak model's P(y=1) or per-class probabilities in a column.",
  });
  return items;
}

export function strongPickItems(fields: FieldMap): ModelPickItem<StrongPickId>[] {
  const items: ModelPickItem<StrongPickId>[] = [
    { id: 'bundled', label: '$(package) Bundled USE-Lite', detail: 'Universal Sentence Encoder Lite, a 2-layer transformer, 512-d.' },
    { id: 'onnx', label: '$(file-binary) ONNX model file...', detail: 'Your own text encoder as an .onnx file (and its tokenizer). Needs a trusted workspace.' },
    { id: 'activations', label: '$(database) Activations file (.npy / .safetensors)...', detail: 'One row of activations per dataset row, in file order. Needs a trusted workspace.' },
  ];
  if (fields.strongActs) items.push({ id: 'field', label: `$(symbol-array) Activations in the rows: ${fields.strongActs}`, detail: 'Vectors stored in each row of the dataset.' });
  return items;
}
