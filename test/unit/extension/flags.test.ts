import { describe, expect, it } from 'vitest';
import { annotationSidecarPath, emptyFlags, flaggedIndices, flagsPath, parseFlags, toggleFlag } from '../../../src/extension/flags';

describe('flags', () => {
  it('lives in the results folder beside the dataset', () => {
    expect(flagsPath('/w/data/train.jsonl')).toBe('/w/data/.overlap/train.jsonl.flags.json');
    expect(annotationSidecarPath('/w/data/stsa.binary.train')).toBe('/w/data/.overlap/stsa.binary.train.annotations.jsonl');
  });

  it('toggles a row on and off and keeps flags sorted by row', () => {
    const now = new Date('2025-02-03T04:05:06Z');
    let f = emptyFlags('/w/train.jsonl');
    ({ file: f } = toggleFlag(f, { index: 7, line: 8 }, now));
    const on = toggleFlag(f, { index: 2 }, now);
    expect(on.flagged).toBe(true);
    expect(on.file.flags.map((x) => x.index)).toEqual([2, 7]);
    expect(on.file.flags[1]).toEqual({ index: 7, line: 8, flaggedAt: '2025-02-03T04:05:06.000Z' });
    const off = toggleFlag(on.file, { index: 7 }, now);
    expect(off.flagged).toBe(false);
    expect([...flaggedIndices(off.file)]).toEqual([2]);
  });

  it('round-trips through JSON and tolerates broken files', () => {
    const f = toggleFlag(emptyFlags('/w/a.csv'), { index: 1, line: 3 }).file;
    expect(parseFlags(JSON.stringify(f), '/w/a.csv').flags).toEqual(f);
    expect(parseFlags('{oops', '/w/a.csv')).toMatchObject({ problem: 'not valid JSON', flags: { flags: [] } });
    expect(parseFlags('{"version":1,"flags":[{"index":-1,"flaggedAt":"x"},{"index":4,"flaggedAt":"y"}]}', '/w/a.csv').flags.flags).toEqual([
      { index: 4, flaggedAt: 'y' },
    ]);
  });
});
