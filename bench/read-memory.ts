/**
 * bench/read-memory (issue 14, item 6): memory and time of reading large files of short rows with readDataset, the
 * CLI's reader. Writes a JSONL ({"text": 40-80 characters, "label": 0|1}) and a `text,label` CSV of READ_MEMORY_MB
 * (default 1000) MB each under os.tmpdir(), reads each in a fresh Node process with the CLI's default heap limit, and
 * reports peak RSS (VmHWM) minus the RSS before the read. Env: READ_MEMORY_MB; READ_MEMORY_BEFORE=<git ref> also
 * reads each file with the reader of that commit (a temporary git worktree, bundled with this checkout's
 * node_modules), so before and after come from the same run; READ_MEMORY_OBJECTS=1 also reads with every row kept
 * as an object (OVERLAP_COMPACT_FROM past the row count). Files and worktree are removed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineLine, table } from './common';

const MB = Number(process.env.READ_MEMORY_MB ?? 1000);
const BEFORE = process.env.READ_MEMORY_BEFORE;
const OBJECTS = process.env.READ_MEMORY_OBJECTS === '1';
const ROOT = resolve(__dirname, '..', '..');

/** The child: reads one file and prints rows, seconds and RSS growth as JSON. */
const CHILD = (dataModule: string) => `
import { readFileSync } from 'node:fs';
import { readDataset } from ${JSON.stringify(dataModule)};
const kb = (key: string) => Number(new RegExp(key + ':\\\\s+(\\\\d+)').exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
(async () => {
  const before = kb('VmRSS');
  const t0 = performance.now();
  const d = await readDataset(process.argv[2]);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rows: d.rows.length, seconds, growth: kb('VmHWM') - before, last: d.rows[d.rows.length - 1].text }));
})();
`;

function words(seed: { s: number }): string {
  const vocab = ['the', 'movie', 'was', 'not', 'bad', 'at', 'all', 'really', 'great', 'plot', 'acting', 'a', 'story', 'quite', 'dull', 'fun', 'café', 'scenes'];
  const next = () => (seed.s = (Math.imul(seed.s, 1103515245) + 12345) >>> 0) >>> 8;
  const len = 40 + (next() % 41);
  let t = '';
  while (t.length < len) t += (t ? ' ' : '') + vocab[next() % vocab.length];
  return t.slice(0, len);
}

/** A file of short rows of about `bytes` bytes; returns its row count. */
function writeRows(file: string, format: 'jsonl' | 'csv', bytes: number): number {
  const fd = openSync(file, 'w');
  const seed = { s: 12345 };
  let size = 0;
  let rows = 0;
  if (format === 'csv') size += writeSync(fd, 'text,label\n');
  while (size < bytes) {
    const parts: string[] = [];
    for (let k = 0; k < 20_000; k++, rows++) {
      const text = words(seed);
      const label = (seed.s >>> 3) & 1;
      parts.push(format === 'csv' ? `${text},${label}\n` : `{"text": "${text}", "label": ${label}}\n`);
    }
    size += writeSync(fd, parts.join(''));
  }
  closeSync(fd);
  return rows;
}

function bundle(dir: string, name: string, dataModule: string): string {
  // Loaded at run time (not bundled into this bench).
  const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild');
  const out = join(dir, `${name}.js`);
  esbuild.buildSync({
    stdin: { contents: CHILD(dataModule), loader: 'ts', resolveDir: dir },
    outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
    nodePaths: [join(ROOT, 'node_modules')], external: ['onnxruntime-node', 'vscode'],
  });
  return out;
}

function measure(script: string, file: string, env: NodeJS.ProcessEnv = {}): { rows: number; seconds: number; growth: number } | string {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [script, file], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && line.startsWith('{')) return JSON.parse(line) as { rows: number; seconds: number; growth: number };
  const oom = /heap out of memory/.test(r.stderr);
  return `${oom ? 'out of memory' : `failed (${r.status ?? r.signal})`} after ${((performance.now() - t0) / 1000).toFixed(0)} s`;
}

const dir = mkdtempSync(join(tmpdir(), 'overlap-read-memory-'));
let worktree: string | undefined;
try {
  console.log(machineLine());
  const readers: { name: string; script: string; env?: NodeJS.ProcessEnv }[] = [];
  if (BEFORE) {
    worktree = join(dir, 'before');
    execFileSync('git', ['worktree', 'add', '--detach', worktree, BEFORE], { cwd: ROOT, stdio: 'ignore' });
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: worktree, encoding: 'utf8' }).trim();
    readers.push({ name: `before (${commit})`, script: bundle(dir, 'before', join(worktree, 'src', 'core', 'data')) });
  }
  const now = bundle(dir, 'now', join(ROOT, 'src', 'core', 'data'));
  if (OBJECTS) readers.push({ name: 'rows as objects', script: now, env: { OVERLAP_COMPACT_FROM: String(Number.MAX_SAFE_INTEGER) } });
  readers.push({ name: 'this checkout', script: now });
  const out: string[][] = [];
  for (const format of ['jsonl', 'csv'] as const) {
    const file = join(dir, `short.${format}`);
    const rows = writeRows(file, format, MB * 1e6);
    const size = statSync(file).size;
    for (const reader of readers) {
      const m = measure(reader.script, file, reader.env);
      const cells = typeof m === 'string'
        ? [m, '', '', '']
        : [m.seconds.toFixed(1), (m.growth / 2 ** 20).toFixed(0), (m.growth / size).toFixed(2), (m.growth / m.rows).toFixed(0)];
      if (typeof m !== 'string' && m.rows !== rows) cells[0] += ` (${m.rows} rows read!)`;
      out.push([format, reader.name, (size / 2 ** 20).toFixed(0), rows.toLocaleString('en-US'), ...cells]);
    }
    rmSync(file, { force: true });
  }
  console.log(table(['format', 'reader', 'file MiB', 'rows', 'seconds', 'RSS growth MiB', 'x file', 'bytes/row'], out));
} finally {
  if (worktree) execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
