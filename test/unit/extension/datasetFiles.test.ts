import { describe, expect, it } from 'vitest';
import { candidateKind, inResultsFolder } from '../../../src/extension/datasetFiles';

describe('dataset file candidates', () => {
  it('takes dataset extensions, sniffs files without one, and never reads code, media or config', () => {
    expect(candidateKind('/w/data/train.jsonl')).toBe('extension');
    expect(candidateKind('/w/data/train.CSV')).toBe('extension');
    expect(candidateKind('/w/sst2/stsa.binary.train')).toBe('content');
    expect(candidateKind('/w/data/README')).toBe('content');
    expect(candidateKind('/w/src/main.ts')).toBe('never');
    expect(candidateKind('/w/acts/weak.npy')).toBe('never');
    expect(candidateKind('/w/package.json')).toBe('never');
    expect(candidateKind('/w/.gitignore')).toBe('never');
  });
  it('skips the results folder', () => {
    expect(inResultsFolder('/w/data/.overlap/train.jsonl.result.json')).toBe(true);
    expect(inResultsFolder('/w/data/train.jsonl')).toBe(false);
  });
});
