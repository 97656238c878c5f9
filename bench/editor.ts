/**
 * bench/editor: the editor features' costs on a 100,000-row JSONL file with its analysis result, measured in-process
 * on the pure functions the providers call (src/extension/rowIndex.ts, hoverText.ts, decorationRanges.ts,
 * staleness.ts, pipeline/results.ts): result load, line -> row index, one hover (line -> row, nearest hard-only
 * preview, Markdown) p50/p95/p99 over random lines, the decoration ranges of a scrolled viewport, the overview
 * ruler; and activation: dist/extension.js loaded and activate() called against a fake `vscode` module in fresh
 * child processes (bench/lib/activate-child.cjs), checking that onnxruntime is not loaded, next to the time a bare
 * `require('onnxruntime-node')` takes in the same run.
 * Yardstick (ours, the issue sets none): p95 under one 60 Hz frame (16.7 ms) for hover and scroll work.
 * Env: EDITOR_ROWS (default 100000), EDITOR_HOVERS (default 20000), EDITOR_ACTIVATIONS (default 7).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CategoryName } from '../src/core/detect/types';
import { tsAlignmentKernel } from '../src/core/detect/alignKernel';
import { runAnalysis } from '../src/core/experiment/analyze';
import { Rng } from '../src/core/random/rng';
import type { AnalysisResult } from '../src/core/result/schema';
import { overviewMarks, visibleCategoryRanges, visibleFlagRanges } from '../src/extension/decorationRanges';
import { buildHoverMarkdown, type NearestHardPreview } from '../src/extension/hoverText';
import { buildRowIndex, rowAtLine, rowsInLines, type RowIndex } from '../src/extension/rowIndex';
import { sha256Hex } from '../src/extension/staleness';
import { parseResult } from '../src/pipeline/results';
import { machineLine, table } from './common';
import { fmt, loadLine, median, quantile } from './lib/measure';

const ROWS = Number(process.env.EDITOR_ROWS ?? 100_000);
const HOVERS = Number(process.env.EDITOR_HOVERS ?? 20_000);
const ACTIVATIONS = Number(process.env.EDITOR_ACTIVATIONS ?? 7);
const VIEWPORT = 60;
const CATEGORIES: ReadonlySet<CategoryName> = new Set(['easy', 'hard', 'overlap']);

/** A JSONL dataset of ROWS rows (SST-2 sentences cycled, one object a line) and its real analysis result. */
async function makeDocumentAndResult(dir: string) {
  const sentences = fs.readFileSync('/work/shared/data/sst2/stsa.binary.train', 'utf8').split('\n').filter((l) => l.trim() !== '');
  const rng = new Rng(3);
  const d = 16;
  const labels = new Int32Array(ROWS);
  const strong = new Float32Array(ROWS * d);
  const weak = new Float32Array(ROWS * (d / 2));
  const lines: string[] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const y = rng.next() < 0.5 ? 0 : 1;
    labels[i] = y;
    const m = rng.int(3);
    for (let j = 0; j < d; j++) {
      const present = m === 2 || (j < d / 2 ? m === 0 : m === 1);
      strong[i * d + j] = (present ? (y ? 0.6 : -0.6) : 0) + rng.normal();
    }
    weak.set(strong.subarray(i * d, i * d + d / 2), (i * d) / 2);
    const text = sentences[i % sentences.length]!.slice(2);
    lines[i] = JSON.stringify({ id: i, text, label: y });
  }
  const text = `${lines.join('\n')}\n`;
  const file = path.join(dir, 'rows.jsonl');
  fs.writeFileSync(file, text);
  const result = await runAnalysis(
    {
      weak: { kind: 'activations', acts: { rows: ROWS, cols: d / 2, data: weak } },
      strong: { rows: ROWS, cols: d, data: strong },
      labels, numClasses: 2,
      encoders: { weak: { id: 'bench-weak', kind: 'arrays', dim: d / 2 }, strong: { id: 'bench-strong', kind: 'arrays', dim: d } },
      dataset: { path: file, format: 'jsonl', contentHash: sha256Hex(text) },
      lines: Int32Array.from({ length: ROWS }, (_, i) => i + 1),
    },
    { seeds: 1 },
    { kernel: tsAlignmentKernel },
  );
  const resultFile = path.join(dir, 'rows.jsonl.result.json');
  fs.writeFileSync(resultFile, JSON.stringify(result));
  return { text, docLines: lines, resultFile };
}

/** The provider's nearest-hard preview (src/extension/editorProviders.ts nearestPreview) over an array of lines. */
function nearestPreview(docLines: readonly string[], ix: RowIndex, result: AnalysisResult, nearest: number | null | undefined): NearestHardPreview | undefined {
  if (nearest === null || nearest === undefined) return undefined;
  const k = ix.byDatasetIndex.get(nearest);
  const line = k === undefined ? undefined : result.rows[k]!.line;
  if (line === undefined || line > docLines.length) return undefined;
  const span = rowsInLines(ix, line, line, docLines.length).find((s) => s.start === line);
  const last = Math.min(span?.end ?? line, line + 6 - 1, docLines.length);
  const parts: string[] = [];
  for (let l = line; l <= last; l++) parts.push(docLines[l - 1]!);
  const uri = 'file:///tmp/rows.jsonl';
  return { line, text: parts.join(' '), revealUri: `command:overlapDensity.revealRow?${encodeURIComponent(JSON.stringify([uri, line]))}` };
}

/** Per-call milliseconds of f over the given inputs (each call timed on its own). */
function perCall<T>(inputs: readonly T[], f: (x: T) => unknown): number[] {
  const ms = new Array<number>(inputs.length);
  let sink = 0;
  for (let i = 0; i < inputs.length; i++) {
    const t0 = performance.now();
    const r = f(inputs[i]!);
    ms[i] = performance.now() - t0;
    if (r) sink++;
  }
  if (sink < 0) console.log(sink);
  return ms;
}

interface ActivationOut {
  nodeStartToScriptMs: number;
  loadMs: number;
  activateMs: number;
  rssMiB: number;
  subscriptions: number;
  ortRequests: string[];
  ortInRequireCache: string[];
  logLines: string[];
  touched: string[];
  activateError?: string;
}

function activations(): { runs: ActivationOut[]; ortMs: number[]; ortRss: number[]; bareRss: number[]; error?: string } {
  const ext = path.join(process.cwd(), 'dist', 'extension.js');
  if (!fs.existsSync(ext)) return { runs: [], ortMs: [], ortRss: [], bareRss: [], error: `${ext} is missing (run node esbuild.js)` };
  const child = path.join(process.cwd(), 'bench', 'lib', 'activate-child.cjs');
  const runs: ActivationOut[] = [];
  const ortMs: number[] = [];
  const ortRss: number[] = [];
  const bareRss: number[] = [];
  for (let i = 0; i < ACTIVATIONS; i++) {
    const r = spawnSync(process.execPath, [child, ext, process.cwd()], { encoding: 'utf8' });
    if (r.status !== 0) return { runs, ortMs, ortRss, bareRss, error: r.stderr.split('\n').slice(0, 5).join(' ') };
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as ActivationOut);
    // The reference: what loading onnxruntime-node alone costs in a fresh process (what activation avoids).
    // (and the resident set it leaves, next to a bare Node process's).
    const o = spawnSync(process.execPath, ['-e', "const t=performance.now();require('onnxruntime-node');console.log(performance.now()-t, process.memoryUsage().rss/2**20)"], { encoding: 'utf8', cwd: process.cwd() });
    if (o.status === 0) {
      const [ms, rss] = o.stdout.trim().split(' ').map(Number);
      ortMs.push(ms!);
      ortRss.push(rss!);
    }
    const bare = spawnSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss/2**20)'], { encoding: 'utf8' });
    if (bare.status === 0) bareRss.push(Number(bare.stdout.trim()));
  }
  return { runs, ortMs, ortRss, bareRss };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlap-bench-editor-'));
  try {
    console.log(`building a ${ROWS}-row JSONL file and its analysis ...`);
    const { text, docLines, resultFile } = await makeDocumentAndResult(dir);
    const resultBytes = fs.statSync(resultFile).size;
    const rows: string[][] = [];
    const one = (name: string, f: () => unknown, reps = 5) => {
      const ms: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        f();
        ms.push(performance.now() - t0);
      }
      rows.push([name, String(reps), fmt(median(ms), 2), fmt(Math.max(...ms), 2)]);
    };
    const resultText = fs.readFileSync(resultFile, 'utf8');
    let result = parseResult(resultText, resultFile);
    one('load result (JSON.parse + validate), once per result file change', () => (result = parseResult(resultText, resultFile)));
    let ix = buildRowIndex(result.rows);
    one('build line -> row index, once per result file change', () => (ix = buildRowIndex(result.rows)));
    one('document sha256 (freshness), once per document version', () => sha256Hex(text));
    const lineCount = docLines.length;
    const rng = new Rng(11);
    const hoverLines = Array.from({ length: HOVERS }, () => 1 + rng.int(lineCount));
    // warm-up (JIT), then the measured passes
    perCall(hoverLines.slice(0, 2000), (l) => rowAtLine(ix, l, lineCount));
    const mapMs = perCall(hoverLines, (l) => rowAtLine(ix, l, lineCount));
    const hover = (line: number) => {
      const k = rowAtLine(ix, line, lineCount);
      if (k < 0) return undefined;
      const row = result.rows[k]!;
      return buildHoverMarkdown({ row, result, flagged: false, moved: false, nearest: nearestPreview(docLines, ix, result, row.nearestHard) });
    };
    perCall(hoverLines.slice(0, 2000), hover);
    const hoverMs = perCall(hoverLines, hover);
    const flagged = new Set(Array.from({ length: 100 }, () => rng.int(ROWS)));
    const scrolls = Array.from({ length: 5000 }, () => {
      const start = rng.int(lineCount - VIEWPORT);
      return [{ start, end: start + VIEWPORT - 1 }];
    });
    const decorate = (visible: { start: number; end: number }[]) => {
      const cats = visibleCategoryRanges(ix, result.rows, visible, lineCount, CATEGORIES);
      const flags = visibleFlagRanges(ix, result.rows, flagged, visible, lineCount);
      return cats.easy.length + cats.hard.length + cats.overlap.length + flags.length;
    };
    perCall(scrolls.slice(0, 500), decorate);
    const decoMs = perCall(scrolls, decorate);
    const rulerMs = perCall(Array.from({ length: 20 }, (_, i) => i), () => overviewMarks(ix, result.rows, lineCount, CATEGORIES));
    const sample = scrolls[0]!;
    const sampleCount = decorate(sample);
    const us = (ms: readonly number[]) => [fmt(1000 * quantile(ms, 0.5), 1), fmt(1000 * quantile(ms, 0.95), 1), fmt(1000 * quantile(ms, 0.99), 1), fmt(1000 * Math.max(...ms), 0)];
    const w2sLines = hoverLines.filter((l) => {
      const k = rowAtLine(ix, l, lineCount);
      return k >= 0 && result.rows[k]!.category !== null;
    });
    const hoverW2sMs = perCall(w2sLines, hover);
    const eventRows = [
      ['line -> row (rowAtLine), per hover', String(HOVERS), ...us(mapMs)],
      ['hover, random lines (2/3 are not W2S-train: short text)', String(HOVERS), ...us(hoverMs)],
      ['hover, W2S-train rows only (category, scores, nearest hard-only preview)', String(w2sLines.length), ...us(hoverW2sMs)],
      [`decorations for a ${VIEWPORT}-line viewport (+50 lines margin each side), categories + flags, per scroll`, String(scrolls.length), ...us(decoMs)],
      ['overview ruler marks (whole file; cached per document version)', '20', ...us(rulerMs)],
    ];
    const act = activations();
    const actRows: string[][] = [];
    let ortLoaded = false;
    if (act.runs.length > 0) {
      const med = (f: (r: ActivationOut) => number) => fmt(median(act.runs.map(f)), 1);
      ortLoaded = act.runs.some((r) => r.ortRequests.length > 0 || r.ortInRequireCache.length > 0);
      actRows.push(['node start -> script (fresh process)', String(act.runs.length), med((r) => r.nodeStartToScriptMs)]);
      actRows.push(['require(dist/extension.js)', String(act.runs.length), med((r) => r.loadMs)]);
      actRows.push(['activate(context)', String(act.runs.length), med((r) => r.activateMs)]);
      actRows.push(['require + activate', String(act.runs.length), med((r) => r.loadMs + r.activateMs)]);
      if (act.ortMs.length) actRows.push(["reference: require('onnxruntime-node') alone (fresh process)", String(act.ortMs.length), fmt(median(act.ortMs), 1)]);
      actRows.push(['resident set after activate (MiB)', String(act.runs.length), med((r) => r.rssMiB)]);
      if (act.ortRss.length) actRows.push(["reference: resident set after require('onnxruntime-node') (MiB)", String(act.ortRss.length), fmt(median(act.ortRss), 1)]);
      if (act.bareRss.length) actRows.push(['reference: resident set of a bare Node process (MiB)', String(act.bareRss.length), fmt(median(act.bareRss), 1)]);
    }

    console.log(machineLine());
    console.log(loadLine());
    console.log(
      `document: ${ROWS.toLocaleString('en-US')} JSONL rows, ${fmt(text.length / 2 ** 20, 1)} MiB; result file ${fmt(resultBytes / 2 ** 20, 1)} MiB; ` +
        `categories easy/hard/overlap ${result.detection.counts.easy}/${result.detection.counts.hard}/${result.detection.counts.overlap}; a sample viewport gets ${sampleCount} ranges`,
    );
    console.log(table(['once per change (pure functions, in-process)', 'reps', 'median ms', 'max ms'], rows));
    console.log(table(['per editor event (pure functions, in-process)', 'calls', 'p50 us', 'p95 us', 'p99 us', 'max us'], eventRows));
    if (actRows.length) {
      console.log(`activation: fake vscode module, ${act.runs[0]!.subscriptions} disposables registered, ${act.runs[0]!.touched.length} VS Code APIs touched; extension log: "${act.runs[0]!.logLines.join(' | ')}"`);
      console.log(table(['activation step', 'runs', 'median'], actRows));
      const errs = act.runs.filter((r) => r.activateError).map((r) => r.activateError);
      if (errs.length) console.log(`activate() threw under the fake vscode: ${errs[0]}`);
      console.log(`onnxruntime loaded by activation: ${ortLoaded ? `YES (${[...new Set(act.runs.flatMap((r) => [...r.ortRequests, ...r.ortInRequireCache]))].join(', ')})` : 'no (no require of onnxruntime* through Module._load, none in require.cache 500 ms after activate)'}`);
    }
    if (act.error) console.log(`activation not measured: ${act.error}`);
    const hoverP95 = Math.max(quantile(hoverMs, 0.95), quantile(hoverW2sMs, 0.95));
    const decoP95 = quantile(decoMs, 0.95);
    const activateMs = act.runs.length ? median(act.runs.map((r) => r.loadMs + r.activateMs)) : NaN;
    const ok = hoverP95 < 16.7 && decoP95 < 16.7 && !ortLoaded && act.runs.length > 0;
    console.log(
      `verdict: hover p95 ${fmt(hoverP95, 3)} ms (worse of the two hover rows), viewport decorations p95 ${fmt(decoP95, 3)} ms on ${ROWS.toLocaleString('en-US')} rows (yardstick < 16.7 ms), ` +
        `activation ${fmt(activateMs, 1)} ms with onnxruntime ${ortLoaded ? 'LOADED' : 'not loaded'}: ${ok ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
