import { describe, expect, it } from 'vitest';
import {
  allPooledRows, checkUcbBudget, compareUcbCuration, randomPooledRows, rowsPerSource, ucbCurationRequest, ucbDrawnRows,
} from '../../../src/core/curate/sources';
import { readDataset } from '../../../src/core/data';
import { InputError } from '../../../src/core/errors';
import { syntheticReferenceSetup } from '../../../src/core/select/reference';
import { armOrder, runSelection } from '../../../src/core/select/run';
import type { RoundLog, SelectionPlan, StrategyRun } from '../../../src/core/select/schema';
import { joinRowPieces, rowPieces } from '../../../src/pipeline/curate';
import { readCurationSources, sourcesCuratedPath } from '../../../src/pipeline/curateSources';
import { useTempDir } from '../data/tempDir';

const tmp = useTempDir('curate-sources');

function fakeRun(arms: number[], n: number, seed = 3): { run: StrategyRun; plan: SelectionPlan } {
  const rounds = arms.map((arm, i) => ({ round: i + 1, arm, batch: { size: n } }) as unknown as RoundLog);
  const plan = { rounds: arms.length, perRound: n, bonus: 'code', strategies: ['ucb'], seeds: [seed], requested: { rounds: arms.length, perRound: n, strategies: ['ucb'] }, adjustments: [] } as SelectionPlan;
  return { run: { strategy: 'ucb', seed, rounds, pulls: [] }, plan };
}

describe('UCB curation: which rows, under a budget', () => {
  it('takes the rows each pull drew, in round order, from each arm\'s seeded order, and stops at the budget', () => {
    const { run, plan } = fakeRun([0, 1, 0, 0], 3);
    const rows = ucbDrawnRows(run, plan, [10, 12], 10);
    const o0 = armOrder(3, 0, 10);
    const o1 = armOrder(3, 1, 12);
    expect(rows.map((r) => [r.source, r.pool, r.round])).toEqual([
      [0, o0[0], 1], [0, o0[1], 1], [0, o0[2], 1],
      [1, o1[0], 2], [1, o1[1], 2], [1, o1[2], 2],
      [0, o0[3], 3], [0, o0[4], 3], [0, o0[5], 3],
      [0, o0[6], 4],
    ]);
    expect(rowsPerSource(rows, 2)).toEqual([7, 3]);
    expect(ucbDrawnRows(run, plan, [10, 12], 100)).toHaveLength(12);
  });

  it('plans a run that draws the budget: at least 7 points per pull, at least one round per source', () => {
    expect(ucbCurationRequest(300, 2)).toMatchObject({ rounds: 43, perRound: 7, strategies: ['ucb'], seeds: 1, seed: 0 });
    expect(ucbCurationRequest(600, 2, { seed: 4 })).toMatchObject({ rounds: 50, perRound: 12, seed: 4 });
    expect(ucbCurationRequest(600, 2, { rounds: 20 })).toMatchObject({ rounds: 20, perRound: 30 });
    expect(ucbCurationRequest(10, 3)).toMatchObject({ rounds: 3, perRound: 7 });
    const r = ucbCurationRequest(611, 2);
    expect(r.rounds! * r.perRound!).toBeGreaterThanOrEqual(611);
  });

  it('refuses a budget larger than the smallest pool, naming the source', () => {
    expect(() => checkUcbBudget(500, [{ name: 'a.jsonl', rows: 900 }, { name: 'b.jsonl', rows: 400 }])).toThrow(/"b\.jsonl" can give \(400 pool rows\)/);
    expect(() => checkUcbBudget(0, [{ name: 'a', rows: 9 }])).toThrow(InputError);
    expect(() => checkUcbBudget(400, [{ name: 'a', rows: 900 }, { name: 'b', rows: 400 }])).not.toThrow();
  });

  it('a random draw of the same size from the pooled sources: distinct rows, seeded', () => {
    const a = randomPooledRows([50, 70], 40, 1);
    expect(a).toHaveLength(40);
    expect(new Set(a.map((r) => `${r.source}:${r.pool}`)).size).toBe(40);
    expect(randomPooledRows([50, 70], 40, 1)).toEqual(a);
    expect(randomPooledRows([50, 70], 40, 2)).not.toEqual(a);
    expect(allPooledRows([2, 1])).toEqual([{ source: 0, pool: 0, round: 0 }, { source: 0, pool: 1, round: 0 }, { source: 1, pool: 0, round: 0 }]);
  });

  it('reconstructs the rows a real UCB run drew (its true-overlap count), and scores all pools as the run does', async () => {
    const setup = syntheticReferenceSetup({ nOverlap: 600, nNonOverlap: 600, seed: 2 });
    const result = await runSelection(setup, ucbCurationRequest(100, 2, { rounds: 10, seed: 5 }), { pseudo: 'hard', w2sC: 0.01 }, {
      mode: 'reference-synthetic', encoders: { weak: { id: 'w', kind: 'synthetic', dim: 1 }, strong: { id: 's', kind: 'synthetic', dim: 1 } },
    });
    const run = result.runs[0]!;
    const sizes = setup.sources.map((s) => s.labels.length);
    const drawn = ucbDrawnRows(run, result.plan, sizes, 1e9);
    const last = run.rounds[run.rounds.length - 1]!;
    expect(drawn).toHaveLength(last.collected);
    const trueOverlap = drawn.filter((r) => setup.sources[r.source]!.membership![r.pool] === 2).length;
    expect(trueOverlap / drawn.length).toBeCloseTo(last.trueOverlapRatio!, 12);
    expect(rowsPerSource(drawn, 2)).toEqual(run.pulls.map((p) => p * result.plan.perRound));
    const cmp = compareUcbCuration(setup, drawn.slice(0, 100), result.options, 5);
    expect(result.plan.adjustments).toEqual([]);
    expect(cmp.size).toBe(100);
    expect(cmp.all.accuracy).toBe(result.shared.accuracy.w2sAllPools);
    expect(cmp.weakAccuracy).toBe(result.shared.accuracy.weak);
    expect(cmp.random.perSource.reduce((a, b) => a + b)).toBe(100);
  });
});

describe('UCB curation: sources read for byte-for-byte copying', () => {
  it('refuses sources of different formats, naming both files', async () => {
    const a = tmp.write('a.jsonl', '{"text":"x","label":0}\n{"text":"y","label":1}\n');
    const b = tmp.write('b.csv', 'text,label\nx,0\ny,1\n');
    await expect(readCurationSources([a, b], {})).rejects.toThrow(/a\.jsonl is JSONL, b\.csv is CSV/);
    await expect(readCurationSources([a, b], {})).rejects.toMatchObject({ file: b });
  });

  it('refuses JSON sources that keep a role in differently named fields (the curated file is read with one set)', async () => {
    const a = tmp.write('fa.jsonl', '{"text":"x","label":0}\n{"text":"y","label":1}\n');
    const b = tmp.write('fb.jsonl', '{"text":"x","y":0}\n{"text":"z","y":1}\n');
    await expect(readCurationSources([a, b], {})).rejects.toThrow(/fields differ: the label field is "label" in fa\.jsonl and "y" in fb\.jsonl/);
    const c = tmp.write('fc.jsonl', '{"text":"p","label":1}\n{"text":"q","label":0}\n');
    await expect(readCurationSources([a, c], {})).resolves.toHaveLength(2);
  });

  it('refuses CSV sources whose header lines differ, and writes an agreed header once', async () => {
    const a = tmp.write('h1.csv', 'text,label\r\nhello there,0\r\n"two\r\nlines",1\r\n');
    const b = tmp.write('h2.csv', 'label,text\n1,bye\n');
    const c = tmp.write('h3.csv', '\uFEFFtext,label\nbye now,1\nlast,0');
    await expect(readCurationSources([a, b], {})).rejects.toThrow(/header lines differ: h1\.csv has the header line "text,label", h2\.csv has the header line "label,text"/);
    const read = await readCurationSources([a, c], {});
    const [ra, rc] = read;
    const { bytes, notes } = joinRowPieces([
      { pieces: rc!.pieces, row: rc!.dataset.rows[1]! },
      { pieces: ra!.pieces, row: ra!.dataset.rows[1]! },
      { pieces: rc!.pieces, row: rc!.dataset.rows[0]! },
    ]);
    // The first row's file gives the prefix (BOM, header) and the line ending; rows byte for byte up to their line
    // ending (h1.csv's CRLF becomes h3.csv's LF; the line break inside the quoted field is data and stays); "last"
    // had no newline: the ending is added.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toBe('text,label\nlast,0\n"two\r\nlines",1\nbye now,1\n');
    expect(notes).toEqual([expect.stringMatching(/rows of h1\.csv end with LF, as h3\.csv does \(CRLF in theirs\)/)]);
    const same = joinRowPieces([{ pieces: rc!.pieces, row: rc!.dataset.rows[0]! }, { pieces: rc!.pieces, row: rc!.dataset.rows[1]! }]);
    expect(same.notes).toEqual([]);
    const out = tmp.write('joined.csv', bytes);
    expect((await readDataset(out)).rows.map((r) => r.text)).toEqual(['last', ra!.dataset.rows[1]!.text, 'bye now']);
  });

  it('a headerless source beside a headed one is refused', async () => {
    const a = tmp.write('n1.tsv', 'text\tlabel\nhello\t0\n');
    const b = tmp.write('n2.tsv', 'hello again\t1\nbye\t0\n');
    await expect(readCurationSources([a, b], { header: undefined })).rejects.toThrow(/header lines differ: .*n2\.tsv has no header line/);
  });

  it('WRENCH sources with clashing keys: members byte for byte, keys renumbered and said', async () => {
    const a = tmp.write('w1.json', '{\n\t"0": {"label": 0, "weak_labels": [-1], "data": {"text": "a  b"}},\n\t"1": {"label": 1, "weak_labels": [1], "data": {"text": "c"}}\n}\n');
    const b = tmp.write('w2.json', '{\n  "0": {"label":1,"weak_labels":[-1],"data":{"text":"d"}}\n}\n');
    const [ra, rb] = await readCurationSources([a, b], {});
    const { bytes, notes } = joinRowPieces([{ pieces: rb!.pieces, row: rb!.dataset.rows[0]! }, { pieces: ra!.pieces, row: ra!.dataset.rows[0]! }]);
    expect(new TextDecoder().decode(bytes)).toBe('{\n  "0": {"label":1,"weak_labels":[-1],"data":{"text":"d"}},\n\t"1": {"label": 0, "weak_labels": [-1], "data": {"text": "a  b"}}\n}\n');
    expect(notes.join(' ')).toMatch(/renumbered/);
    const kept = joinRowPieces([{ pieces: ra!.pieces, row: ra!.dataset.rows[1]! }, { pieces: rb!.pieces, row: rb!.dataset.rows[0]! }]);
    expect(new TextDecoder().decode(kept.bytes)).toContain('\t"1": {"label": 1');
    expect(kept.notes).toEqual([]);
  });

  it('pieces of different formats are not joined', async () => {
    const a = tmp.write('p.jsonl', '{"text":"x","label":0}\n');
    const b = tmp.write('p.csv', 'text,label\nx,0\n');
    const da = await readDataset(a);
    const db = await readDataset(b);
    expect(() => joinRowPieces([
      { pieces: rowPieces(new TextEncoder().encode('{"text":"x","label":0}\n'), da, a), row: da.rows[0]! },
      { pieces: rowPieces(new TextEncoder().encode('text,label\nx,0\n'), db, b), row: db.rows[0]! },
    ])).toThrow(/cannot go into one file/);
  });

  it('default output names', () => {
    expect(sourcesCuratedPath(['/d/a.jsonl', '/e/b.jsonl'])).toBe('/d/a+b.curated.jsonl');
    expect(sourcesCuratedPath(['/d/train.json'], '@votes')).toBe('/d/train.by-votes.curated.json');
  });
});
