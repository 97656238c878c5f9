/**
 * The hostile-input families of the bad-input corpus (issue 13, test/fixtures/bad/cases.hostile.json): the runners
 * that go beyond readers and the CLI (what Annotate would edit, what a hover renders, where the reveal command may
 * go), the files built at test time (links, hard links, a `.overlap` folder that leads elsewhere, nesting 100,000
 * deep), and a snapshot that shows a refused run wrote and overwrote nothing.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { markdownTokens, permissiveMarkdown } from '../../lib/markdown';
import { expect } from 'vitest';
import { detectFormat } from '../../../src/core/data';
import type { DatasetFormat } from '../../../src/core/data/types';
import type { AnalysisResult } from '../../../src/core/result/schema';
import {
  AnnotationMismatchError, applyEdits, fieldsNeedingConfirmation, overwriteQuestion, planAnnotation, sidecarJsonl, StructureError,
  type AnnotationFieldNames,
} from '../../../src/extension/annotationEdits';
import { buildHoverMarkdown, REVEAL_ROW_COMMAND, revealRowUri, shorten } from '../../../src/extension/hoverText';
import { buildRowIndex, revealTarget } from '../../../src/extension/rowIndex';
import { analyzeDatasetFile } from '../../../src/pipeline/analyzeFile';
import { loadResult } from '../../../src/pipeline/results';
import type { Generated } from './huge';

export const HOSTILE_RUNNERS = ['annotate', 'hover', 'reveal'] as const;
export type HostileRunner = (typeof HOSTILE_RUNNERS)[number];

export interface HostileCase {
  id: string;
  /** Annotation field names (default: the settings' defaults). */
  names?: Partial<AnnotationFieldNames>;
  /** Annotate through the sidecar (SST, Parquet, large files) instead of in place. */
  sidecar?: boolean;
  /** Reveal requests: [path, row index]; "{file}" is the analysed dataset's path. */
  reveal?: Array<[unknown, unknown]>;
  expect: {
    error?: string;
    line?: number;
    ok?: boolean;
    /** Fields Annotate must not overwrite without the user's confirmation by name. */
    confirm?: string[];
    /** For reveal: how many requests must be refused (the others must reach their row's line). */
    refused?: number;
  };
}

const DEFAULT_NAMES: AnnotationFieldNames = { category: 'overlap_category', score: 'overlap_score', confidence: 'weak_confidence' };
const FIELDS = { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' } } as const;

/** The analysis the editor features work on: a results file as it is, or a dataset analysed with its own activations. */
async function resultOf(file: string, work: string): Promise<AnalysisResult> {
  if (file.endsWith('.result.json')) return loadResult(file);
  return (await analyzeDatasetFile(file, { ...FIELDS, outFile: join(work, `${basename(file)}.result.json`) })).result;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export async function runHostile(c: HostileCase, runner: HostileRunner, file: string, work: string): Promise<void> {
  const where = `${c.id} via ${runner}`;
  const before = sha(file);
  const result = await resultOf(file, work);
  switch (runner) {
    case 'annotate':
      annotate(c, file, result, where);
      break;
    case 'hover':
      hover(file, result, where);
      break;
    case 'reveal':
      reveal(c, file, result, where);
      break;
  }
  expect(sha(file), `${where}: the dataset's bytes are unchanged`).toBe(before);
}

function annotate(c: HostileCase, file: string, result: AnalysisResult, where: string): void {
  const names = { ...DEFAULT_NAMES, ...c.names };
  const text = readFileSync(file, 'utf8');
  const format = detectFormat(file, new TextEncoder().encode(text.slice(0, 65536))) as DatasetFormat;
  let failure: unknown;
  try {
    if (c.sidecar) {
      const sidecar = sidecarJsonl(result.rows, names);
      for (const line of sidecar.trim().split('\n')) {
        const obj = JSON.parse(line) as Record<string, unknown>;
        for (const n of Object.values(names)) expect(Object.hasOwn(obj, n), `${where}: sidecar field ${n}`).toBe(true);
      }
    } else {
      const plan = planAnnotation(text, format, result.rows, names);
      if (plan.kind !== 'edits') throw new Error(`${where}: expected edits, got a sidecar (${plan.reason})`);
      // Which rows get values is the annotation's own rule (all analysed rows, or W2S-train only): some, none beyond.
      expect(plan.rows, `${where}: rows annotated`).toBeGreaterThan(0);
      expect(plan.rows, `${where}: rows annotated`).toBeLessThanOrEqual(result.rows.length);
      const confirm = fieldsNeedingConfirmation(plan, []);
      expect(confirm, `${where}: fields that need the user's confirmation`).toEqual(c.expect.confirm ?? []);
      // Fields it wrote itself are rewritten without asking.
      expect(fieldsNeedingConfirmation(plan, Object.values(names)), `${where}: its own fields`).toEqual([]);
      if (confirm.length > 0) {
        const q = overwriteQuestion(basename(file), confirm, plan.rows);
        for (const f of confirm) {
          expect(q.message, `${where}: the question names ${f}`).toContain(JSON.stringify(f));
          expect(q.button, `${where}: the button names ${f}`).toContain(JSON.stringify(f));
        }
        expect(q.message).toContain(basename(file));
      }
      const annotated = applyEdits(text, plan.edits);
      expect(annotated.split('\n').length, `${where}: no line added or removed`).toBe(text.split('\n').length);
      if (format === 'jsonl') for (const l of annotated.trim().split('\n')) expect(() => JSON.parse(l), `${where}: ${l.slice(0, 80)}`).not.toThrow();
    }
  } catch (e) {
    failure = e;
  }
  if (c.expect.error === undefined) {
    if (failure) throw failure;
    return;
  }
  expect(failure, `${where} must fail`).toBeDefined();
  if (!(failure instanceof AnnotationMismatchError || failure instanceof StructureError)) throw failure;
  expect(failure.message, where).toMatch(new RegExp(c.expect.error));
  if (c.expect.line !== undefined) expect((failure as StructureError).line, `${where}: line`).toBe(c.expect.line);
}

const markdown = permissiveMarkdown;
const tokens = markdownTokens;

/**
 * Every row's hover, rendered by a CommonMark parser with HTML and bare-URL links switched on (the most permissive
 * reading): no image, no HTML, no link but the reveal link the extension builds, no theme icon from data, and every
 * class name and row text shows as text.
 */
function hover(file: string, result: AnalysisResult, where: string): void {
  const lines = existsSync(file) && !file.endsWith('.result.json') ? readFileSync(file, 'utf8').split('\n') : [];
  const revealPrefix = `command:${REVEAL_ROW_COMMAND}?`;
  for (const row of result.rows) {
    const near = row.nearestHard ?? row.index;
    const md = buildHoverMarkdown({
      row,
      result,
      nearest: { line: 1, text: lines[(row.line ?? 1) - 1] ?? 'x', revealUri: revealRowUri(file, near) },
    });
    const text: string[] = [];
    for (const t of tokens(markdown.parse(md, {}))) {
      expect(['image', 'html_inline', 'html_block'], `${where}: row ${row.index}: ${t.type} in ${md}`).not.toContain(t.type);
      if (t.type === 'link_open') expect(t.attrGet('href') ?? '', `${where}: row ${row.index}: a link in ${md}`).toMatch(new RegExp(`^${revealPrefix.replace(/[?.]/g, '\\$&')}`));
      if (t.type === 'text' || t.type === 'code_inline') text.push(t.content);
    }
    expect(md, `${where}: a theme icon from data`).not.toMatch(/(^|[^\\])\$\(/);
    const shown = text.join('');
    // VS Code renders theme icons in the text Markdown leaves (its escapes removed): none may be there
    expect(shown, `${where}: a theme icon in the rendered hover`).not.toMatch(/\$\(/);
    for (const label of [row.label, row.pseudoLabel]) {
      const name = label === null ? undefined : result.dataset.labelNames?.[label];
      // (read as a person reads it: the zero-width space that breaks `$(` is not seen)
      if (name && name !== String(label)) expect(shown.replace(/\u200b/g, ''), `${where}: the class name shows as text`).toContain(shorten(name, 60));
    }
  }
}

function reveal(c: HostileCase, file: string, result: AnalysisResult, where: string): void {
  const entries = new Map([[file, { result, index: buildRowIndex(result.rows) }]]);
  let refused = 0;
  for (const [p, idx] of c.reveal ?? []) {
    const path = p === '{file}' ? file : p;
    const target = revealTarget(typeof path === 'string' ? entries.get(path) : undefined, idx);
    if ('refused' in target) refused++;
    else {
      const row = result.rows.find((r) => r.index === idx);
      expect(target.line, `${where}: [${String(p)}, ${String(idx)}] reaches its row's line`).toBe(row?.line);
    }
  }
  expect(refused, `${where}: refused requests`).toBe(c.expect.refused ?? 0);
}

// ---- files built at test time ---------------------------------------------------------------------------------------

const HOSTILE = (bad: string, ...parts: string[]) => join(bad, 'hostile', ...parts);

/** Nesting `depth` deep in row 3 (an array) and row 5 (an object) of a 30-row dataset. */
function deepRows(bad: string, depth: number): string {
  const rows = readFileSync(HOSTILE(bad, 'data', 'plain.jsonl'), 'utf8').trim().split('\n');
  const array = '['.repeat(depth) + ']'.repeat(depth);
  const object = '{"o":'.repeat(depth) + '1' + '}'.repeat(depth);
  rows[2] = rows[2]!.replace(/}$/, `, "meta": ${array}}`);
  rows[4] = rows[4]!.replace(/}$/, `, "meta": ${object}}`);
  return rows.join('\n') + '\n';
}

/** The hostile generators by name; undefined for a name they do not know (huge.ts's then). */
export function generateHostile(kind: string, dir: string, bad: string): Generated | undefined {
  const plain = HOSTILE(bad, 'data', 'plain.jsonl');
  const deep = /^deep-(\d+)(-json)?$/.exec(kind);
  if (deep) {
    const text = deepRows(bad, Number(deep[1]));
    const file = join(dir, deep[2] ? 'deep.json' : 'deep.jsonl');
    writeFileSync(file, deep[2] ? `[\n${text.trim().split('\n').join(',\n')}\n]\n` : text);
    return { file, rows: 30 };
  }
  switch (kind) {
    case 'links': {
      // One dataset reachable by several names (a symbolic link, a hard link, a path through a folder), inputs of
      // every kind, and a results file with links to it: every output aimed at one of them must be refused.
      const data = join(dir, 'data.jsonl');
      copyFileSync(plain, data);
      copyFileSync(plain, join(dir, 'test.jsonl'));
      symlinkSync('data.jsonl', join(dir, 'link.jsonl'));
      linkSync(data, join(dir, 'hard.jsonl'));
      mkdirSync(join(dir, 'sub'));
      copyFileSync(HOSTILE(bad, 'npy', 'acts30.npy'), join(dir, 'acts.npy'));
      copyFileSync(HOSTILE(bad, 'npy', 'labels30.npy'), join(dir, 'labels.npy'));
      symlinkSync('acts.npy', join(dir, 'acts-link.npy'));
      copyFileSync(HOSTILE(bad, 'results', 'valid.result.json'), join(dir, 'r.result.json'));
      symlinkSync('r.result.json', join(dir, 'r-link.json'));
      linkSync(join(dir, 'r.result.json'), join(dir, 'r-hard.json'));
      writeFileSync(join(dir, 'model.onnx'), 'an ONNX model the run must never replace\n');
      // The default result path itself a link to the dataset.
      mkdirSync(join(dir, '.overlap'));
      symlinkSync(join('..', 'data.jsonl'), join(dir, '.overlap', 'data.jsonl.result.json'));
      mkdirSync(join(dir, 'syn'));
      for (const f of ['weak.npy', 'strong.npy']) copyFileSync(HOSTILE(bad, 'npy', 'acts30.npy'), join(dir, 'syn', f));
      copyFileSync(HOSTILE(bad, 'npy', 'labels30.npy'), join(dir, 'syn', 'labels.npy'));
      return { file: data };
    }
    case 'overlap-link-out':
    case 'overlap-cache-link-out':
    case 'overlap-dangling':
    case 'overlap-link-inside': {
      // A dataset whose .overlap folder (or .overlap/cache) is a link; "elsewhere" stands for the rest of the disk.
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir);
      mkdirSync(join(dir, 'elsewhere'));
      const file = join(dataDir, 'data.jsonl');
      copyFileSync(plain, file);
      if (kind === 'overlap-link-out') symlinkSync(join('..', 'elsewhere'), join(dataDir, '.overlap'));
      if (kind === 'overlap-dangling') symlinkSync(join(dir, 'elsewhere', 'not-yet'), join(dataDir, '.overlap'));
      if (kind === 'overlap-cache-link-out') {
        mkdirSync(join(dataDir, '.overlap'));
        symlinkSync(join('..', '..', 'elsewhere'), join(dataDir, '.overlap', 'cache'));
      }
      if (kind === 'overlap-link-inside') {
        mkdirSync(join(dataDir, 'results-here'));
        symlinkSync('results-here', join(dataDir, '.overlap'));
      }
      return { file };
    }
    default:
      return undefined;
  }
}

/** Size, modification time and hash of each path (a folder or a dangling link says so): what a refused run must keep. */
export function fileStates(paths: readonly string[], base = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    out.set(base ? relative(base, p) : p, !st ? 'dangling link' : st.isFile() ? `${st.size} ${st.mtimeMs} ${sha(p)}` : 'folder');
  }
  return out;
}

/** fileStates of everything under `dir`. */
export function snapshot(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return fileStates(readdirSync(dir, { recursive: true }).map((name) => join(dir, String(name))), dir);
}
