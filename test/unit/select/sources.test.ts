import { describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../../src/core/data/types';
import { parseSelectionResult } from '../../../src/core/select/parse';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLabelSets, distinctNames, loadSelectionData, setupFromColumn, setupFromFiles, splitKey, type LoadedData } from '../../../src/pipeline/sources';

/** A loaded data set built in memory: n rows, labels alternating, weak side votes or activations. */
function loaded(name: string, n: number, opts: { names?: string[]; votes?: boolean; fields?: (i: number) => Record<string, unknown>; d?: number } = {}): LoadedData {
  const d = opts.d ?? 3;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const strong = { rows: n, cols: d, data: Float32Array.from({ length: n * d }, (_, k) => (k % 7) - 3) };
  const rows: DatasetRow[] = Array.from({ length: n }, (_, i) => ({
    index: i, line: i + 1, endLine: i + 1, label: labels[i], fields: opts.fields?.(i) ?? {},
    weakLabels: i % 3 === 0 ? [-1, -1] : [labels[i], -1],
  }));
  const probs = Float64Array.from({ length: n * 2 }, (_, k) => (k % 2 === labels[k >> 1] ? 0.8 : 0.2));
  return {
    name, path: `/data/${name}`,
    weak: opts.votes ? { kind: 'probabilities', probs } : { kind: 'activations', acts: { rows: n, cols: 2, data: new Float32Array(n * 2) } },
    strong, labels, numClasses: 2, labelNames: opts.names, rows,
    encoders: { weak: { id: 'w', kind: 'activations', dim: 2 }, strong: { id: 's', kind: 'activations', dim: d } },
    notes: [],
  };
}

describe('sources from files', () => {
  it('splits every source into weak-train / pool / test and pools the shared sets', () => {
    const s = setupFromFiles([loaded('a.jsonl', 90), loaded('b.jsonl', 60)], 0);
    expect(s.sources.map((x) => x.labels.length)).toEqual([30, 20]);
    expect(s.sources.map((x) => [x.weakTrainRows, x.testRows])).toEqual([[30, 30], [20, 20]]);
    expect(s.weakTrain!.labels.length).toBe(50);
    expect(s.test.labels.length).toBe(50);
    expect(s.notes!.at(-1)).toMatch(/pooled into the shared weak-train and test sets/);
  });

  it('compares label sets by class names, and by the ids seen when there are no names', () => {
    expect(checkLabelSets([loaded('a', 10, { names: ['ham', 'spam'] }), loaded('b', 10, { names: ['ham', 'spam'] })])).toEqual({
      numClasses: 2, labelNames: ['ham', 'spam'],
    });
    expect(() => checkLabelSets([loaded('a', 10, { names: ['ham', 'spam'] }), loaded('b', 10, { names: ['neg', 'pos'] })])).toThrow(
      'label sets differ: "a" has [ham, spam], "b" has [neg, pos] (only "a" has ham, spam; only "b" has neg, pos); all sources must label the same classes',
    );
    expect(() => checkLabelSets([loaded('a', 10, { names: ['ham', 'spam'] }), loaded('b', 10)])).toThrow(
      '"a" names its classes [ham, spam] but "b" uses class ids: all sources must label the same classes',
    );
  });

  it('refuses different widths with the file names', () => {
    expect(() => setupFromFiles([loaded('a', 30), loaded('b', 30, { d: 4 })], 0)).toThrow(
      'strong activations of "b" are 4-dimensional but those of "a" are 3: encode all sources with the same strong model',
    );
    expect(() => setupFromFiles([loaded('a', 30), loaded('b', 30, { votes: true })], 0)).toThrow(
      'the weak side of "b" is probabilities, of "a" activations: use one weak model for all sources',
    );
  });
});

describe('sources from one file split by a column', () => {
  it('makes one source per value, in sorted order, and notes rows without a value', () => {
    const data = loaded('mix.jsonl', 120, { votes: true, fields: (i) => (i < 100 ? { meta: { origin: i % 2 ? 'web' : 'sms' } } : {}) });
    const s = setupFromColumn(data, 'meta.origin', 0);
    expect(s.sources.map((x) => x.name)).toEqual(['meta.origin = sms', 'meta.origin = web']);
    expect(s.sources.map((x) => x.labels.length + x.weakTrainRows! + x.testRows!)).toEqual([50, 50]);
    expect(s.weakTrain).toBeUndefined();
    expect(s.test.weak.kind).toBe('probabilities');
    expect(s.notes).toContain('mix.jsonl: 20 of 120 rows have no value in column "meta.origin" and were left out of every source (first at lines 101, 102, 103, 104, 105, ...)');
  });

  it('@votes groups rows by labelling-function coverage', () => {
    const data = loaded('sms.json', 90, { votes: true });
    expect(splitKey(data.rows![0], '@votes')).toBe('no labelling function fires');
    expect(splitKey(data.rows![1], '@votes')).toBe('covered by a labelling function');
    const s = setupFromColumn(data, '@votes', 0);
    expect(s.sources.map((x) => x.name)).toEqual(['@votes = covered by a labelling function', '@votes = no labelling function fires']);
  });

  it('explains a missing column and too many values', () => {
    expect(() => setupFromColumn(loaded('a.jsonl', 30), 'origin', 0)).toThrow(/no row has a value in column "origin"/);
    const many = loaded('a.jsonl', 30, { fields: (i) => ({ id: i }) });
    expect(() => setupFromColumn(many, 'id', 0)).toThrow('/data/a.jsonl: column "id" has 30 distinct values; at most 20 sources are supported (bin the column first)');
  });
});

describe('distinctNames', () => {
  it('takes as many trailing path parts as tell a path from the others with its file name', () => {
    expect(distinctNames(['/d/a/train.json', '/d/b/train.json', '/d/c.jsonl'])).toEqual(['a/train.json', 'b/train.json', 'c.jsonl']);
    expect(distinctNames(['/x/a/s/train.json', '/y/a/s/train.json'])).toEqual(['x/a/s/train.json', 'y/a/s/train.json']);
    expect(distinctNames(['/only.csv'])).toEqual(['only.csv']);
  });
});

describe('parseSelectionResult', () => {
  it('refuses other files and newer schema versions', () => {
    expect(() => parseSelectionResult('{"schemaVersion":1,"rows":[]}', 'r.json')).toThrow(/not an overlap-density selection result/);
    expect(() => parseSelectionResult('{"kind":"selection","schemaVersion":99,"runs":[]}')).toThrow(/schema version 99 is newer/);
    expect(parseSelectionResult('{"kind":"selection","schemaVersion":1,"runs":[]}').kind).toBe('selection');
  });
});

describe('sources read from files: class sets are compared before they are merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overlap-sources-'));
  const jsonl = (name: string, classes: string[]) => {
    const f = join(dir, name);
    writeFileSync(f, Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `${name} ${i}`, label: classes[i % 2], w: [i % 2, 1], s: [i % 2, 0.5, 1] })).join('\n'));
    return f;
  };
  const wrench = (folder: string, names: string[]) => {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, 'label.json'), JSON.stringify(Object.fromEntries(names.map((n, i) => [String(i), n]))));
    const rows = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [String(i), { data: { text: `${folder} ${i}` }, label: i % names.length, weak_labels: [i % names.length, -1], s: [i % 3, 1] }]));
    writeFileSync(join(dir, folder, 'train.json'), JSON.stringify(rows));
    return join(dir, folder, 'train.json');
  };
  const options = { weak: { kind: 'field' as const, field: 'w' }, strong: { kind: 'field' as const, field: 's' } };
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

  it('refuses neg/pos against bad/good (they were merged into four classes)', async () => {
    const err = await failure(loadSelectionData([jsonl('a.jsonl', ['neg', 'pos']), jsonl('b.jsonl', ['bad', 'good'])], options));
    expect(err?.message).toMatch(/label sets differ: ".*a\.jsonl" has classes \[neg, pos\] \(by id\), ".*b\.jsonl" has \[bad, good\]/);
    // the same names: accepted, one class set
    const ok = await loadSelectionData([jsonl('c.jsonl', ['neg', 'pos']), jsonl('d.jsonl', ['pos', 'neg'])], options);
    expect(ok.map((d) => d.labelNames)).toEqual([['neg', 'pos'], ['neg', 'pos']]);
  });

  it('names the classes one source lacks, however many classes there are (a source without one rare class of 20)', async () => {
    const all = Array.from({ length: 20 }, (_, k) => `topic${String(k).padStart(2, '0')}`);
    const withClasses = (name: string, classes: string[]) => {
      const f = join(dir, name);
      writeFileSync(f, Array.from({ length: 60 }, (_, i) => JSON.stringify({ text: `${name} ${i}`, label: classes[i % classes.length], w: [i % 2, 1], s: [i % 3, 0.5, 1] })).join('\n'));
      return f;
    };
    const err = await failure(loadSelectionData([withClasses('all.jsonl', all), withClasses('most.jsonl', all.filter((c) => c !== 'topic13'))], options));
    expect(err?.message).toMatch(/\(only ".*all\.jsonl" has topic13\); all sources must label the same classes with the same ids$/);
    // the lists are cut: 12 names, then a count
    expect(err?.message).toContain('has classes [topic00, topic01, topic02, topic03, topic04, topic05, topic06, topic07, topic08, topic09, topic10, topic11, ... 8 more] (by id)');
  });

  it('refuses two label.json files naming the same classes with other ids (their ids were mixed silently)', async () => {
    const names = ['x', 'y', 'z'];
    const err = await failure(loadSelectionData([wrench('w1', names), wrench('w2', [...names].reverse())], { ...options, weak: { kind: 'votes' as const } }));
    expect(err?.message).toMatch(/label sets differ: ".*w1.train\.json" has classes \[x, y, z\] \(by id\), ".*w2.train\.json" has \[z, y, x\] \(the same classes with other ids\)/);
  });

  it('refuses one npy:/safetensors: array for several sources (each would get the same activations)', async () => {
    const err = await failure(loadSelectionData([jsonl('e.jsonl', ['neg', 'pos']), jsonl('f.jsonl', ['neg', 'pos'])], { ...options, weak: { kind: 'npy' as const, path: join(dir, 'w.npy') } }));
    expect(err?.message).toMatch(/w\.npy: --weak npy:FILE is one array, but there are 2 dataset sources/);
  });

  it('refuses a copy of a source (its rows would sit in two pools and leak into test rows)', async () => {
    const a = jsonl('g.jsonl', ['neg', 'pos']);
    const copy = join(dir, 'g-copy.jsonl');
    writeFileSync(copy, readFileSync(a));
    const err = await failure(loadSelectionData([a, copy], options));
    expect(err?.message).toMatch(/g-copy\.jsonl: this source holds the same bytes as .*g\.jsonl/);
  });

  it('names two WRENCH folders\' train.json files apart (their folder), and other sources by their file name', async () => {
    const names = ['x', 'y'];
    const data = await loadSelectionData([wrench('yelp', names), wrench('imdb', names)], { ...options, weak: { kind: 'votes' as const } });
    expect(data.map((d) => d.name)).toEqual(['yelp/train.json', 'imdb/train.json']);
    const files = await loadSelectionData([jsonl('h.jsonl', names), jsonl('i.jsonl', names)], options);
    expect(files.map((d) => d.name)).toEqual(['h.jsonl', 'i.jsonl']);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

