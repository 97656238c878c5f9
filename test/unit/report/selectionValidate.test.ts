/**
 * A selection result read back (`select --out`, the selection report's restore) is validated like an analysis
 * result: a hand-edited or hostile file gives an InputError naming the file and the member, never a crash or a
 * broken page; the tool's own output (the builder's, and a real run's) reads back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { readSelectionResult, validateSelectionResult } from '../../../src/core/report/validate';
import { syntheticReferenceSetup } from '../../../src/core/select/reference';
import { runSelection } from '../../../src/core/select/run';
import type { SelectionResult } from '../../../src/core/select/schema';
import { buildSelection } from './buildSelection';

const FILE = '/w/.overlap/a+b.select.json';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const plain = (r: SelectionResult = buildSelection()): Json => JSON.parse(JSON.stringify(r)) as Json;

/** The error message of reading `text` back, or undefined when it reads. */
function refusal(text: string): string | undefined {
  try {
    readSelectionResult(text, FILE);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBe(FILE);
    return (e as Error).message;
  }
}

/** A valid result with one change made by `edit`, as text. */
function edited(edit: (r: Json) => void, base: Json = plain()): string {
  const r = structuredClone(base);
  edit(r);
  return JSON.stringify(r);
}

describe('readSelectionResult: the tool\'s own results read back', () => {
  it('accepts the builder\'s results (files, ground truth, eval-every) with and without a byte-order mark', () => {
    for (const r of [buildSelection(), buildSelection({ truth: true, evalEvery: 3, seeds: 2 }), buildSelection({ densities: [0.2, 0.4, 0.1], strategies: ['random'] })]) {
      const text = JSON.stringify(r);
      expect(readSelectionResult(text, FILE)).toEqual(plain(r));
      expect(readSelectionResult(`\uFEFF${text}`, FILE)).toEqual(plain(r));
    }
  });

  it('accepts what a real run writes (JSON turns an infinite UCB index into null)', async () => {
    const setup = syntheticReferenceSetup({ nOverlap: 600, nNonOverlap: 600, seed: 3 });
    const meta = {
      mode: 'reference-synthetic' as const,
      encoders: { weak: { id: 'w', kind: 'synthetic' as const, dim: 40 }, strong: { id: 's', kind: 'synthetic' as const, dim: 40 } },
    };
    const r = await runSelection(setup, { rounds: 8, seed: 0, seeds: 2 }, { pseudo: 'hard', w2sC: 0.01, evalEvery: 3 }, meta);
    expect(readSelectionResult(JSON.stringify(r, null, 1), FILE)).toEqual(plain(r));
  });
});

describe('readSelectionResult: malformed files name the file and the member', () => {
  const cases: [string, (r: Json) => void, RegExp][] = [
    // wrong types
    ['a number written as a string', (r) => (r.plan.rounds = '20'), /plan\.rounds: expected an integer >= 1, got the string "20"/],
    ['a NaN-like string', (r) => (r.sources[1].detectedPoolDensity = 'NaN'), /sources\[1\]\.detectedPoolDensity: expected a finite number >= 0 <= 1, got the string "NaN"/],
    ['an Infinity-like string in a band', (r) => (r.summary.strategies[0].accuracy.mean[4] = 'Infinity'), /summary\.strategies\[0\]\.accuracy\.mean\[4\]: expected a finite number, got the string "Infinity"/],
    ['an accuracy as a string', (r) => (r.shared.accuracy.weak = '0.9'), /shared\.accuracy\.weak: expected a finite number/],
    ['a source name that is a number', (r) => (r.sources[0].name = 42), /sources\[0\]\.name: expected a string, got number 42/],
    ['a source name that is an object', (r) => (r.sources[0].name = { toString: 'x' }), /sources\[0\]\.name: expected a string, got an object/],
    ['a class name that is not a string', (r) => (r.labelNames = ['ham', 7]), /labelNames\[1\]: expected a string/],
    ['warnings that are not a list', (r) => (r.warnings = 'see above'), /warnings: expected an array, got the string/],
    ['a null timing (the page formats it)', (r) => (r.timings.total = null), /timings\.total: expected a finite number, got null/],
    ['a Stats without its mean', (r) => delete r.summary.strategies[0].final.detectedOverlapRatio.mean, /summary\.strategies\[0\]\.final\.detectedOverlapRatio\.mean: expected a finite number, got nothing \(missing\)/],
    // unknown names: a lookup table must never be reached with them
    ['a mode that is a prototype member', (r) => (r.mode = '__proto__'), /mode: expected one of files, split-by, reference-split, reference-synthetic/],
    ['a strategy that is a prototype member', (r) => (r.summary.strategies[0].strategy = 'constructor'), /summary\.strategies\[0\]\.strategy: expected one of ucb, random, optimal/],
    ['an unknown bonus', (r) => (r.plan.bonus = 'toString'), /plan\.bonus: expected one of code, ucb1/],
    // missing members
    ['no summary', (r) => delete r.summary, /summary: expected an object, got nothing \(missing\)/],
    ['no sources', (r) => delete r.sources, /sources: expected an array, got nothing \(missing\)/],
    ['no plan seeds', (r) => delete r.plan.seeds, /plan\.seeds: expected an array/],
    // sizes and cross-references
    ['no sources at all', (r) => (r.sources = []), /sources: is empty/],
    ['no seeds at all', (r) => (r.plan.seeds = []), /plan\.seeds: is empty/],
    ['a band longer than the plan', (r) => (r.summary.strategies[1].detectedOverlapRatio.max = new Array(100_000).fill(0.5)), /summary\.strategies\[1\]\.detectedOverlapRatio\.max: has 100000 entries for 20 rounds of plan\.rounds/],
    ['a huge plan.rounds the bands do not have', (r) => (r.plan.rounds = 1e9), /summary\.strategies\[0\]\.accuracy\.mean: has 20 entries for 1000000000 rounds of plan\.rounds/],
    ['a pull share per source too many', (r) => r.summary.strategies[0].pullShare.push(0), /summary\.strategies\[0\]\.pullShare: has 3 entries for 2 sources/],
    ['a round of pull shares too short', (r) => r.summary.strategies[0].pullShareByRound[7].pop(), /summary\.strategies\[0\]\.pullShareByRound\[7\]: has 1 entries for 2 sources/],
    ['a pull share above 1', (r) => (r.summary.strategies[0].pullShare[0] = 3), /summary\.strategies\[0\]\.pullShare\[0\]: expected a finite number >= 0/],
    ['a densest source that does not exist', (r) => (r.denseArm = 5), /denseArm: is 5 but there are 2 sources/],
    ['a pulled source that does not exist', (r) => (r.runs[2].rounds[3].arm = 9), /runs\[2\]\.rounds\[3\]\.arm: is 9 but there are 2 sources/],
    ['a round log of the wrong width', (r) => (r.runs[0].rounds[0].estimates = [null]), /runs\[0\]\.rounds\[0\]\.estimates: has 1 entries for 2 sources/],
    ['rounds out of order', (r) => (r.runs[0].rounds[5].round = 9), /runs\[0\]\.rounds\[5\]\.round: is 9 but this is round 6/],
    ['more rounds than planned', (r) => r.runs[0].rounds.push(r.runs[0].rounds[19]), /runs\[0\]\.rounds: has 21 rounds but plan\.rounds is 20/],
    ['a summary for a strategy not in the plan', (r) => r.summary.strategies.reverse(), /summary\.strategies\[0\]\.strategy: is "random" but plan\.strategies\[0\] is "ucb"/],
    ['a strategy planned twice', (r) => (r.plan.strategies = ['ucb', 'ucb']), /plan\.strategies: names a strategy twice/],
    ['a summary missing for a planned strategy', (r) => r.summary.strategies.pop(), /summary\.strategies: has 1 entries for 2 strategies of plan\.strategies/],
  ];

  for (const [what, edit, expected] of cases) {
    it(`refuses ${what}`, () => {
      const message = refusal(edited(edit));
      expect(message, what).toBeDefined();
      expect(message).toMatch(/^\/w\/\.overlap\/a\+b\.select\.json: not a valid selection results file: /);
      expect(message).toMatch(expected);
      expect(message).toMatch(/run the selection again to rewrite it/);
    });
  }

  it('refuses what is not a selection result, or not JSON, with the envelope\'s words', () => {
    expect(refusal('[]')).toMatch(/not an overlap-density selection result/);
    expect(refusal('null')).toMatch(/not an overlap-density selection result/);
    expect(refusal('{"kind":"selection","schemaVersion":1,"runs":[]}')).toMatch(/not a valid selection results file: tool: expected an object, got nothing/);
    expect(refusal('{"kind":"selection","schemaVersion":2,"runs":[]}')).toMatch(/selection schema version 2 is newer/);
    expect(refusal(edited((r) => (r.plan.rounds = 0)).replace('"rounds":0', '"rounds":NaN'))).toMatch(/is not valid JSON/);
  });
});

describe('readSelectionResult: __proto__ keys', () => {
  it('never reads a member through the prototype: members hidden under "__proto__" are missing', () => {
    const r = plain();
    const { sources, summary, ...rest } = r;
    // JSON.parse makes "__proto__" an own member; the validator only reads own members.
    const text = JSON.stringify(rest).replace(/^\{/, `{"__proto__":${JSON.stringify({ sources, summary })},`);
    expect(refusal(text)).toMatch(/sources: expected an array, got nothing \(missing\)/);
    const inner = JSON.stringify(r).replace('"plan":{', '"plan":{"__proto__":{"rounds":20},').replace('"rounds":20,"perRound"', '"perRound"');
    expect(refusal(inner)).toMatch(/plan\.rounds: expected an integer >= 1, got nothing \(missing\)/);
  });

  it('checks an own "__proto__" member of a table like any other, and pollutes no prototype', () => {
    const text = JSON.stringify(plain()).replace('"timings":{', '"timings":{"__proto__":{"polluted":true},');
    expect(refusal(text)).toMatch(/timings\.__proto__: expected a finite number, got an object/);
    const extra = JSON.stringify(plain()).replace(/^\{/, '{"__proto__":{"polluted":true},');
    const read = readSelectionResult(extra, FILE);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect((read as unknown as Json).polluted).toBeUndefined();
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('validateSelectionResult returns the value it was given, typed', () => {
    const r = plain();
    expect(validateSelectionResult(r)).toBe(r);
  });
});
