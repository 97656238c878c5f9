/** The CLI's option parsing: a negative number after an option that takes a value is that value, not an option. */
import { describe, expect, it } from 'vitest';
import { joinNegativeValues, parse, parseModelSpec } from '../../../src/cli/options';
import { UsageError } from '../../../src/cli/errors';

const options = { seed: { type: 'string' as const, short: 's' }, quiet: { type: 'boolean' as const, short: 'q' }, l2: { type: 'string' as const } };

describe('negative option values', () => {
  it('reach the option (its own range check then speaks), long and short', () => {
    expect(parse({ args: ['--seed', '-1'], options }).values.seed).toBe('-1');
    expect(parse({ args: ['-s', '-3'], options }).values.seed).toBe('-3');
    expect(parse({ args: ['--l2', '-.5', 'data.csv'], options, allowPositionals: true })).toEqual({ values: { l2: '-.5' }, positionals: ['data.csv'] });
    expect(parse({ args: ['--l2', '-1e-3'], options }).values.l2).toBe('-1e-3');
  });

  it('leave options, boolean flags, --name=value and everything after -- alone', () => {
    expect(joinNegativeValues(['--quiet', '-1'], options)).toEqual(['--quiet', '-1']); // a boolean takes no value
    expect(joinNegativeValues(['--seed=-2', '--l2', '-x'], options)).toEqual(['--seed=-2', '--l2', '-x']); // -x is no number
    expect(joinNegativeValues(['--', '--seed', '-1'], options)).toEqual(['--', '--seed', '-1']);
    expect(joinNegativeValues(['--unknown', '-1'], options)).toEqual(['--unknown', '-1']);
    // a value that is an option still fails as parseArgs says, as a usage error
    expect(() => parse({ args: ['--seed', '--quiet'], options })).toThrow(UsageError);
  });
});

describe('empty option values', () => {
  const options = { out: { type: 'string' as const }, quiet: { type: 'boolean' as const } };
  it('--out "" is a usage error naming the option, not the default silently', () => {
    expect(() => parse({ args: ['--out', ''], options })).toThrow(UsageError);
    expect(() => parse({ args: ['--out='], options })).toThrow(/--out needs a value, not an empty string/);
    expect(parse({ args: ['--out', 'r.json', '--quiet'], options }).values).toEqual({ out: 'r.json', quiet: true });
  });
  it('--weak glove-mean: without K is refused; glove-mean alone is the default vocabulary', () => {
    expect(() => parseModelSpec('glove-mean:', 'weak')).toThrow(/glove-mean:K needs K/);
    expect(parseModelSpec('glove-mean', 'weak')).toEqual({ kind: 'bundled', id: 'glove-mean' });
  });
});

describe('a dataset whose name starts with "-"', () => {
  it('is named, with the ./ form that works, instead of the option letters Node complains about', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { parse } = await import('../../../src/cli/options');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-dash-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      fs.writeFileSync('-data.csv', 'text,label\na,0\n');
      expect(() => parse({ args: ['-data.csv', '--quiet'], options: { quiet: { type: 'boolean' } }, allowPositionals: true }))
        .toThrow('-data.csv is read as options because its name starts with "-"; give it as ./-data.csv');
      expect(() => parse({ args: ['-x'], options: {}, allowPositionals: true })).toThrow(/Unknown option '-x'/);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--out -', () => {
  it('is refused rather than written as a file named "-"', () => {
    expect(() => parse({ args: ['--out', '-'], options: { out: { type: 'string' } } })).toThrow(/--out - would write a file named "-"; give a file path/);
    expect(parse({ args: ['--out', './-'], options: { out: { type: 'string' } } }).values.out).toBe('./-');
  });
});
