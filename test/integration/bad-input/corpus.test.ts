/**
 * The bad-input corpus (test/fixtures/bad/cases.json): every case through every runner it names. A bad input must
 * give its expected message (naming the file and the line where there is one), as an InputError in process or as
 * exit code 2 with one line on stderr from the CLI; never a crash, never a stack trace, never a partial output file.
 * Cases marked ok must work (BOM, CRLF, string labels, tiny W2S-train sets with a warning).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readActivationFile, readNpyFile, sha256File } from '../../../src/core/activations/file';
import { readDataset } from '../../../src/core/data';
import { InputError } from '../../../src/core/errors';
import { createLocalInference } from '../../../src/inference/local';
import type { InferenceService } from '../../../src/inference/types';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { isResultStale, loadResult } from '../../../src/pipeline/results';
import type { ModelSpec } from '../../../src/pipeline/types';
import { buildCli, REPO, runCli, stackLines, type CliRun } from './cli';
import { fileStates, generateHostile, runHostile, snapshot, type HostileCase, type HostileRunner } from './hostile';
import { generate, type Generated } from './huge';

const BAD = join(REPO, 'test', 'fixtures', 'bad');

type Runner = 'reader' | 'cli' | 'cli-args' | 'cli-report' | 'activations' | 'npy' | 'onnx' | 'results' | 'stale' | 'pipeline' | HostileRunner;

interface Expectation {
  error?: string;
  usage?: string;
  line?: number;
  namesFile?: boolean;
  ok?: boolean;
  rows?: number;
  labelNames?: string[];
  warning?: string;
  stale?: boolean;
  maxRssGrowthMB?: number;
  lineFromGenerator?: boolean;
  rowsFromGenerator?: boolean;
  maxMessageChars?: number;
  /** Hostile runners (hostile.ts): fields Annotate must confirm by name, reveal requests to refuse. */
  confirm?: string[];
  refused?: number;
}

interface Case extends Omit<Partial<HostileCase>, 'expect'> {
  id: string;
  file?: string;
  generate?: string;
  run: Runner[];
  args?: string[];
  weak?: ModelSpec;
  strong?: ModelSpec;
  expect: Expectation;
}

// cases.json, then each family file beside it (cases.hostile.json: the hostile-input families of issue 13).
const manifestFiles = ['cases.json', ...readdirSync(BAD).filter((f) => /^cases\..+\.json$/.test(f)).sort()];
const manifest = { cases: manifestFiles.flatMap((f) => (JSON.parse(readFileSync(join(BAD, f), 'utf8')) as { cases: Case[] }).cases) };

/** What the corpus run found, printed at the end and checked by the last test. */
const tally = { cases: 0, runs: 0, crashes: [] as string[], stackTraces: [] as string[], partialOutputs: [] as string[] };

let cli: Awaited<ReturnType<typeof buildCli>>;
let inference: InferenceService;
const work = join(tmpdir(), `overlap-bad-corpus-${process.pid}`);

beforeAll(async () => {
  mkdirSync(work, { recursive: true });
  cli = await buildCli();
  inference = createLocalInference({ device: 'cpu' });
});

afterAll(async () => {
  await inference?.dispose();
  cli?.dispose();
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    `bad-input corpus: ${tally.cases} cases, ${tally.runs} runs; crashes ${tally.crashes.length}, ` +
      `stack traces ${tally.stackTraces.length}, partial outputs ${tally.partialOutputs.length}\n`,
  );
});

/** A fresh, empty output folder for one run; whatever appears in it afterwards was written by the run. */
function outputDir(id: string, runner: string): string {
  const dir = join(work, `${id}-${runner}`, 'out');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

const subst = (args: string[], out: string, gen = '') => args.map((a) => a.replaceAll('{bad}', BAD).replaceAll('{out}', out).replaceAll('{gen}', gen));

/** What a failing run must leave as it was: the generated folder, or the fixture files its arguments name. */
function guarded(args: string[], genDir: string | undefined): () => Map<string, string> {
  if (genDir) return () => snapshot(genDir);
  const files = args.filter((a) => a.startsWith(BAD) && existsSync(a));
  return () => fileStates(files);
}

/** An in-process failure must be an InputError with the expected message, file and line. */
function checkInputError(c: Case, runner: Runner, err: unknown, file: string | undefined, gen: Generated | undefined): void {
  const where = `${c.id} via ${runner}`;
  if (!(err instanceof InputError)) {
    tally.crashes.push(`${where}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    throw new Error(`${where}: expected an InputError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  const e = c.expect;
  expect(err.message, where).toMatch(new RegExp(e.error!));
  if (e.namesFile !== false && file) {
    expect(err.message, `${where}: the message names the file`).toContain(basename(file));
  }
  const line = e.lineFromGenerator ? gen?.line : e.line;
  if (line !== undefined) {
    expect(err.line, `${where}: the error's line`).toBe(line);
    expect(err.message, `${where}: the message names the line`).toContain(`${basename(file!)}:${line}: `);
  }
  if (e.maxMessageChars !== undefined) expect(err.message.length, `${where}: message length`).toBeLessThanOrEqual(e.maxMessageChars);
}

/** A CLI run: exit 2 and one clear stderr line for bad input, exit 0 for good input; never a stack or a crash. */
function checkCli(c: Case, runner: Runner, run: CliRun, file: string | undefined, out: string, gen: Generated | undefined): void {
  const where = `${c.id} via ${runner}`;
  const stack = stackLines(run.stderr);
  if (stack.length > 0) tally.stackTraces.push(`${where}: ${stack[0]}`);
  expect(stack, `${where}: stack lines on stderr`).toEqual([]);
  if (run.signal !== null || (run.code !== 0 && run.code !== 2)) {
    tally.crashes.push(`${where}: exit ${run.code} signal ${run.signal}: ${run.stderr.trim().split('\n')[0]}`);
  }
  const e = c.expect;
  const lines = run.stderr.trim().split('\n').filter((l) => l.length > 0);
  if (e.ok) {
    expect(run.code, `${where}: ${run.stderr}`).toBe(0);
    return;
  }
  const written = leftovers(dirname(out));
  if (written.length > 0) tally.partialOutputs.push(`${where}: ${written.join(', ')}`);
  expect(written, `${where}: files written by a failed run`).toEqual([]);
  expect(run.code, `${where}: exit code (stderr: ${run.stderr})`).toBe(2);
  expect(run.stdout, `${where}: stdout`).toBe('');
  if (e.usage) {
    expect(lines[0], where).toMatch(new RegExp(`^overlap-density: .*${e.usage}`));
    expect(lines.slice(1), where).toEqual(['Run "overlap-density --help" for usage.']);
    return;
  }
  expect(lines, `${where}: exactly one stderr line`).toHaveLength(1);
  expect(lines[0], where).toMatch(/^overlap-density: error: /);
  expect(lines[0], where).toMatch(new RegExp(e.error!));
  if (e.namesFile !== false && file) expect(lines[0], `${where}: names the file`).toContain(basename(file));
  const line = e.lineFromGenerator ? gen?.line : e.line;
  if (line !== undefined) expect(lines[0], `${where}: names the line`).toContain(`${basename(file!)}:${line}: `);
  if (e.maxMessageChars !== undefined) expect(lines[0].length, `${where}: message length`).toBeLessThanOrEqual(e.maxMessageChars + 40);
}

/** Runs `f` and returns what it threw, sampling the peak RSS growth meanwhile. */
async function measured<T>(f: (sample: () => void) => Promise<T>): Promise<{ value?: T; error?: unknown; rssGrowthMB: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  try {
    const value = await f(sample);
    return { value, rssGrowthMB: (peak - before) / (1024 * 1024) };
  } catch (error) {
    sample();
    return { error, rssGrowthMB: (peak - before) / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

async function runOne(c: Case, runner: Runner, file: string | undefined, gen: Generated | undefined, genDir?: string): Promise<void> {
  const e = c.expect;
  const where = `${c.id} via ${runner}`;
  const outDir = outputDir(c.id, runner);
  const out = join(outDir, 'result.json');
  tally.runs++;
  switch (runner) {
    case 'reader': {
      const r = await measured((sample) => readDataset(file!, { onProgress: sample }));
      if (e.maxRssGrowthMB !== undefined) {
        process.stdout.write(`${where}: peak RSS growth ${r.rssGrowthMB.toFixed(0)} MB\n`);
        expect(r.rssGrowthMB, `${where}: RSS growth (MB)`).toBeLessThan(e.maxRssGrowthMB);
      }
      if (e.ok) {
        if (r.error) throw r.error;
        const rows = e.rowsFromGenerator ? gen!.rows : e.rows;
        expect(r.value!.rows.length, where).toBe(rows);
        if (e.labelNames) expect(r.value!.labelNames, where).toEqual(e.labelNames);
        if (e.rowsFromGenerator) expect(r.value!.rows.every((row) => row.line === 1 && row.endLine === 1), `${where}: every row on line 1`).toBe(true);
        return;
      }
      expect(r.error, `${where} must fail`).toBeDefined();
      checkInputError(c, runner, r.error, file, gen);
      return;
    }
    case 'cli':
    case 'cli-args':
    case 'cli-report': {
      let args: string[];
      if (runner === 'cli-args') {
        args = subst(c.args!, out, genDir);
      } else if (runner === 'cli-report') {
        args = ['report', file!, '--out', join(outDir, 'report.html')];
      } else {
        const extra = subst(c.args ?? [], out);
        args = ['analyze', file!, ...extra, '--device', 'cpu', '--quiet', '--out', out];
        if (!extra.includes('--weak')) args.push('--weak', 'field:weak_acts');
        if (!extra.includes('--strong')) args.push('--strong', 'field:strong_acts');
      }
      const state = guarded(args, c.generate ? genDir : undefined);
      const before = state();
      const run = runCli(cli.file, args);
      checkCli(c, runner, run, file, out, gen);
      if (!e.ok) expect(state(), `${where}: files written or overwritten by a refused run`).toEqual(before);
      if (e.ok) {
        const result = await loadResult(out);
        expect(result.dataset.rows, where).toBe(e.rows);
        if (e.warning) expect(result.warnings.join('\n'), `${where}: warnings`).toMatch(new RegExp(e.warning));
        expect(leftovers(outDir), `${where}: only the result, no temporary files`).toEqual(['result.json']);
      }
      return;
    }
    case 'activations':
    case 'npy': {
      const read = runner === 'npy' ? readNpyFile : readActivationFile;
      if (e.ok) {
        // must read, with the rows it declares
        const got = await read(file!);
        expect('rows' in got ? got.rows : got.shape[0], where).toBe(e.rows);
        return;
      }
      const err = await read(file!).then(() => undefined, (x: unknown) => x ?? new Error('rejected with nothing'));
      expect(err, `${where} must fail`).toBeDefined();
      checkInputError(c, runner, err, file, gen);
      return;
    }
    case 'onnx': {
      const err = await inference.textEncoder({ kind: 'onnx', path: file! }).then(() => undefined, (x: unknown) => x);
      expect(err, `${where} must fail`).toBeDefined();
      checkInputError(c, runner, err, file, gen);
      return;
    }
    case 'results': {
      if (e.ok) {
        expect((await loadResult(file!)).rows.length, where).toBe(e.rows);
        return;
      }
      const err = await loadResult(file!).then(() => undefined, (x: unknown) => x);
      expect(err, `${where} must fail`).toBeDefined();
      checkInputError(c, runner, err, file, gen);
      return;
    }
    case 'stale': {
      const dataset = join(BAD, 'data', 'good.jsonl');
      const hash = await sha256File(dataset);
      const old = await loadResult(file!);
      expect(isResultStale(old, hash), `${where}: a result of another version of the data is stale`).toBe(e.stale);
      const fresh = await analyzeDatasetFile(dataset, { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' }, outFile: out });
      expect(isResultStale(await loadResult(fresh.resultPath), hash), `${where}: a result of this version is not stale`).toBe(false);
      return;
    }
    case 'pipeline': {
      const err = await analyzeDatasetFile(file!, { weak: c.weak!, strong: c.strong!, outFile: out }).then(() => undefined, (x: unknown) => x);
      expect(err, `${where} must fail`).toBeDefined();
      checkInputError(c, runner, err, file, gen);
      const written = leftovers(outDir);
      if (written.length > 0) tally.partialOutputs.push(`${where}: ${written.join(', ')}`);
      expect(written, `${where}: files written by a failed run`).toEqual([]);
      return;
    }
    default:
      await runHostile(c as HostileCase, runner, file!, outDir);
  }
}

describe('bad-input corpus (test/fixtures/bad/cases.json)', () => {
  for (const c of manifest.cases) {
    it(`${c.id} (${c.run.join(', ')})`, async () => {
      tally.cases++;
      let gen: Generated | undefined;
      let file = c.file ? resolve(BAD, c.file) : undefined;
      const genDir = join(work, `gen-${c.id}`);
      if (c.generate) {
        mkdirSync(genDir, { recursive: true });
        gen = generateHostile(c.generate, genDir, BAD) ?? generate(c.generate, genDir);
        file = gen.file;
      }
      try {
        for (const runner of c.run) await runOne(c, runner, file, gen, genDir);
      } finally {
        if (c.generate) rmSync(genDir, { recursive: true, force: true });
      }
    });
  }

  it('has at least 40 cases, and none crashed, showed a stack trace or left a partial output', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(40);
    expect(tally.cases).toBe(manifest.cases.length);
    expect(tally.crashes).toEqual([]);
    expect(tally.stackTraces).toEqual([]);
    expect(tally.partialOutputs).toEqual([]);
  });
});
