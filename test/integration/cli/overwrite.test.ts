import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOwnOutput } from '../../../src/pipeline/outputs';
import { buildCli } from '../bad-input/cli';

/**
 * An output replaces only what overlap-density wrote (an earlier result, report or check file), or anything with
 * --force; the report never replaces the dataset its result describes (it reads the texts from there).
 */
let built: Awaited<ReturnType<typeof buildCli>> | undefined;
let cli = '';
let dir = '';

afterAll(() => {
  built?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-overwrite-'));
  built = await buildCli();
  cli = built.file;
  const s = spawnSync(process.execPath, [cli, 'synth', '--scenario', 'mixed', '--n-overlap', '150', '--n-nonoverlap', '300', '--out', 'syn', '--quiet'], { cwd: dir });
  expect(s.status).toBe(0);
});

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
const arrays = ['--weak-acts', 'syn/weak.npy', '--strong-acts', 'syn/strong.npy', '--labels', 'syn/labels.npy', '--seeds', '1', '--quiet'];

describe('outputs over existing files', () => {
  it('analyze and report replace their own earlier files, refuse anyone else\'s without --force, and report never the dataset', () => {
    fs.writeFileSync(path.join(dir, 'notes.csv'), 'text,label\nkeep me,1\n');
    const refused = run('analyze', ...arrays, '--out', 'notes.csv');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/notes\.csv: --out exists and is not a file overlap-density wrote; .*--force/);
    expect(fs.readFileSync(path.join(dir, 'notes.csv'), 'utf8')).toBe('text,label\nkeep me,1\n');
    expect(run('analyze', ...arrays, '--out', 'r.json').status).toBe(0);
    expect(run('analyze', ...arrays, '--out', 'r.json').status).toBe(0); // its own result: replaced
    expect(run('report', 'r.json', '--out', 'r.html').status).toBe(0);
    expect(run('report', 'r.json', '--out', 'r.html').status).toBe(0); // its own report: replaced
    const overNotes = run('report', 'r.json', '--out', 'notes.csv');
    expect(overNotes.status).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'notes.csv'), 'utf8')).toBe('text,label\nkeep me,1\n');
    expect(run('report', 'r.json', '--out', 'notes.csv', '--force').status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'notes.csv'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    // a result that names its dataset: the report refuses to write over it, --force or not
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'data.jsonl'), '{"text":"a","label":0}\n');
    fs.writeFileSync(path.join(dir, 'withData.json'), JSON.stringify({ ...r, dataset: { ...r.dataset, path: 'data.jsonl' } }));
    for (const force of [[], ['--force']]) {
      const over = run('report', 'withData.json', '--out', 'data.jsonl', ...force);
      expect(over.status).toBe(2);
      expect(over.stderr).toContain('--out is the dataset this result describes');
    }
    expect(fs.readFileSync(path.join(dir, 'data.jsonl'), 'utf8')).toBe('{"text":"a","label":0}\n');
  });

  it('says what went wrong when a dataset is given as a result, a result is missing, or an option does not apply', () => {
    fs.writeFileSync(path.join(dir, 'rows.csv'), 'text,label\na,0\nb,1\n');
    const asResult = run('report', 'rows.csv');
    expect(asResult.status).toBe(2);
    expect(asResult.stderr).toContain('rows.csv: this is a dataset, not a results file: analyse it first');
    const missing = run('report', 'nothing.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nothing.json: results file: file not found');
    const shares = run('select', '--reference', 'synthetic', '--shares', '0.5', '--out', 's.json');
    expect(shares.status).toBe(2);
    expect(shares.stderr).toContain('--shares applies to --reference split only');
    const empty = run('analyze', ...arrays, '--out', '');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--out needs a value');
  });

  it('knows its own files by their first bytes', () => {
    expect(isOwnOutput('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "overlap-density",')).toBe(true);
    expect(isOwnOutput('<!DOCTYPE html>\n<html><head><meta name="generator" content="overlap-density 0.1.0">')).toBe(true);
    expect(isOwnOutput('data.csv: pass: 0 errors\n  result analysed now: .overlap/data.csv.result.json · rules: defaults')).toBe(true);
    expect(isOwnOutput('text,label\noverlap-density,1\n')).toBe(false);
    expect(isOwnOutput('{"name": "overlapdensity"}')).toBe(false);
    expect(isOwnOutput('')).toBe(false);
  });
});
