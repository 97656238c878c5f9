import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPARE_DEFAULTS, compareArgsFrom, defaultStrategies, describeMode, describePlan, intInputError, modeNeeded, selectionOutputPath,
} from '../../../src/extension/compareOptions';
import { DEFAULT_ROUNDS } from '../../../src/core/select/plan';

describe('selectionOutputPath', () => {
  it('goes to .overlap/ next to the first source, named after the sources', () => {
    expect(selectionOutputPath(['/w/data/sms-covered.json', '/w/other/sms-uncovered.json'], { kind: 'files' }))
      .toBe(path.join('/w/data/.overlap', 'sms-covered+sms-uncovered.select.json'));
    expect(selectionOutputPath(['/w/train.json'], { kind: 'split-by', column: '@votes' })).toBe(path.join('/w/.overlap', 'train.json.by-votes.select.json'));
    expect(selectionOutputPath(['/w/t.csv'], { kind: 'split-by', column: 'data.origin site' })).toBe(path.join('/w/.overlap', 't.csv.by-data.origin_site.select.json'));
    expect(selectionOutputPath(['/w/t.csv'], { kind: 'reference-split' })).toBe(path.join('/w/.overlap', 't.csv.reference.select.json'));
  });

  it('keeps names short and file-system safe', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/w/a-rather-long-source-name-${i}.jsonl`);
    expect(path.basename(selectionOutputPath(many, { kind: 'files' }))).toBe('a-rather-long-source-name-0+11-more.select.json');
    expect(path.basename(selectionOutputPath(['/w/a b?.json', '/w/c:d.json'], { kind: 'files' }))).toBe('a_b+c_d.select.json');
    expect(() => selectionOutputPath([], { kind: 'files' })).toThrow();
  });
});

describe('request defaults and inputs', () => {
  it("defaults to the CLI's plan; optimal only where densities are known", () => {
    expect(COMPARE_DEFAULTS).toEqual({ rounds: DEFAULT_ROUNDS, seeds: 10, bonus: 'code' });
    expect(defaultStrategies({ kind: 'files' })).toEqual(['ucb', 'random']);
    expect(defaultStrategies({ kind: 'split-by', column: '@votes' })).toEqual(['ucb', 'random']);
    expect(defaultStrategies({ kind: 'reference-split' })).toEqual(['ucb', 'random', 'optimal']);
    expect([modeNeeded(0), modeNeeded(1), modeNeeded(2), modeNeeded(5)]).toEqual(['none', 'split', 'files', 'files']);
  });

  it('validates whole numbers in range, empty only where a default exists', () => {
    expect(intInputError('30', 1, 100)).toBeUndefined();
    expect(intInputError(' 7 ', 1, 100)).toBeUndefined();
    expect(intInputError('0', 1, 100)).toBe('a whole number from 1 to 100');
    expect(intInputError('2.5', 1, 100)).toBe('a whole number from 1 to 100');
    expect(intInputError('', 1, 100)).toBe('a whole number from 1 to 100');
    expect(intInputError('', 1, 100, true)).toBeUndefined();
    expect(intInputError('x', 1, 100, true)).toMatch(/or empty for the default/);
  });

  it('reads programmatic arguments and ignores what is not one', () => {
    expect(compareArgsFrom(undefined)).toBeNull();
    expect(compareArgsFrom({ fsPath: '/a' })).toBeNull();
    expect(compareArgsFrom(['/a'])).toBeNull();
    expect(compareArgsFrom({ paths: ['/a', '/b'], rounds: 20, seeds: 3, strategies: ['ucb', 'bogus', 'random'], perRound: 0, bonus: 'ucb1', seed: 0 }))
      .toEqual({ paths: ['/a', '/b'], rounds: 20, seeds: 3, strategies: ['ucb', 'random'], bonus: 'ucb1', seed: 0 });
    expect(compareArgsFrom({ paths: ['/t.json'], splitBy: ' @votes ', reference: 'nope' })).toEqual({ paths: ['/t.json'], splitBy: '@votes' });
  });

  it('describes the sources and the plan for pickers and the log', () => {
    expect(describeMode(['/w/a.json', '/w/b.json'], { kind: 'files' })).toBe('2 sources (a.json, b.json)');
    expect(describeMode(['/w/t.json'], { kind: 'split-by', column: '@votes' })).toBe('t.json split by labelling-function coverage');
    expect(describeMode(['/w/t.json'], { kind: 'split-by', column: 'site' })).toBe('t.json split by column "site"');
    expect(describePlan({ rounds: 50, strategies: ['ucb', 'random'], seeds: 10, seed: 0, bonus: 'code' })).toBe('50 rounds × auto points · ucb, random · 10 seeds from 0 · bonus code');
    expect(describePlan({ rounds: 5, perRound: 12, strategies: ['ucb'], seeds: 1, seed: 3, bonus: 'ucb1' })).toBe('5 rounds × 12 points · ucb · 1 seed from 3 · bonus ucb1');
  });
});
