import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotationsPath, cacheDir, datasetOfSidecar, historyDir, inOverlapDir, overlapDir, selectionPath, sidecarPath } from '../../src/core/layout';

describe('the .overlap layout', () => {
  const data = path.join('/w', 'data', 'reviews.jsonl');
  it('puts every file of a dataset under <dir>/.overlap, named after it', () => {
    expect(overlapDir(data)).toBe(path.join('/w', 'data', '.overlap'));
    expect(sidecarPath(data, 'result')).toBe(path.join('/w', 'data', '.overlap', 'reviews.jsonl.result.json'));
    expect(sidecarPath(data, 'flags')).toBe(path.join('/w', 'data', '.overlap', 'reviews.jsonl.flags.json'));
    expect(sidecarPath(data, 'baseline')).toBe(path.join('/w', 'data', '.overlap', 'reviews.jsonl.baseline.json'));
    expect(annotationsPath(data)).toBe(path.join('/w', 'data', '.overlap', 'reviews.jsonl.annotations.jsonl'));
    expect(cacheDir(data)).toBe(path.join('/w', 'data', '.overlap', 'cache'));
    expect(historyDir(data)).toBe(path.join('/w', 'data', '.overlap', 'history', 'reviews.jsonl'));
    expect(selectionPath(data, 'a+b')).toBe(path.join('/w', 'data', '.overlap', 'a+b.select.json'));
  });

  it('maps a sidecar back to its dataset, only for the kinds asked and only inside .overlap', () => {
    for (const kind of ['result', 'flags', 'baseline'] as const) {
      expect(datasetOfSidecar(sidecarPath(data, kind), [kind])).toBe(data);
    }
    expect(datasetOfSidecar(sidecarPath(data, 'baseline'))).toBeUndefined(); // default kinds: result and flags
    expect(datasetOfSidecar(path.join('/w', 'data', 'reviews.jsonl.result.json'))).toBeUndefined();
    expect(datasetOfSidecar(path.join('/w', '.overlap', '.result.json'))).toBeUndefined();
    expect(datasetOfSidecar(path.join('/w', '.overlap', 'a.b.result.json'))).toBe(path.join('/w', 'a.b'));
  });

  it('knows its own folder at any depth', () => {
    expect(inOverlapDir(path.join('/w', '.overlap', 'cache', 'x.npy'))).toBe(true);
    expect(inOverlapDir(path.join('/w', 'overlap', 'x.json'))).toBe(false);
    expect(inOverlapDir('C:\\w\\.overlap\\x.json')).toBe(true);
  });
});
