/**
 * bench/read: the dataset readers (parseDatasetText) and the structure scanner that annotation and curate use
 * (core/data/structure) on large generated files: JSONL, JSON array, WRENCH, CSV with quoted fields (some holding
 * line breaks) and TSV. Median of READ_RUNS (default 5) runs after one warm-up. Env: READ_ROWS (default 200000).
 */
import { parseDatasetText } from '../src/core/data';
import { scanDelimited, scanJsonlObjects, scanJsonRowObjects } from '../src/core/data/structure';
import { machineLine, table } from './common';

const ROWS = Number(process.env.READ_ROWS ?? 200_000);
const RUNS = Number(process.env.READ_RUNS ?? 5);

function sentence(i: number): string {
  const words = ['the', 'movie', 'was', 'not', 'bad', 'at', 'all', 'really', '"great"', 'plot,', 'acting', 'a\\b'];
  const n = 8 + (i % 17);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(words[(i * 7 + k * 3) % words.length]!);
  return out.join(' ');
}

function row(i: number) {
  return { text: sentence(i), label: i % 2, weak_labels: [i % 2, -1, (i + 1) % 2], meta: { id: `r${i}`, score: (i % 97) / 97 } };
}

function files(): { name: string; format: 'jsonl' | 'json' | 'wrench' | 'csv' | 'tsv'; text: string }[] {
  const rows = Array.from({ length: ROWS }, (_, i) => row(i));
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const json = '[\n' + rows.map((r) => '  ' + JSON.stringify(r, null, 1).replace(/\n/g, '\n  ')).join(',\n') + '\n]\n';
  const wrench = '{\n' + rows.map((r, i) => `  "${i}": {"label": ${r.label}, "weak_labels": [${r.weak_labels.join(', ')}], "data": {"text": ${JSON.stringify(r.text)}}}`).join(',\n') + '\n}\n';
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const csv = 'text,label,score\n' + rows.map((r, i) => `${q(i % 50 === 0 ? r.text + '\nsecond line' : r.text)},${r.label},${r.meta.score}`).join('\n') + '\n';
  const tsv = 'text\tlabel\tscore\n' + rows.map((r) => `${r.text.replace(/"/g, '')}\t${r.label}\t${r.meta.score}`).join('\n') + '\n';
  return [
    { name: 'jsonl', format: 'jsonl', text: jsonl },
    { name: 'json array', format: 'json', text: json },
    { name: 'wrench', format: 'wrench', text: wrench },
    { name: 'csv (quoted)', format: 'csv', text: csv },
    { name: 'tsv', format: 'tsv', text: tsv },
  ];
}

function median(f: () => void): number {
  f();
  const t: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

console.log(machineLine());
console.log(`${ROWS.toLocaleString('en-US')} rows per file, median of ${RUNS} runs`);
const out: string[][] = [];
for (const f of files()) {
  const read = median(() => parseDatasetText(f.text, f.format, { path: `bench.${f.format}` }));
  const scan = median(() => {
    if (f.format === 'jsonl') scanJsonlObjects(f.text);
    else if (f.format === 'json' || f.format === 'wrench') scanJsonRowObjects(f.text);
    else scanDelimited(f.text, f.format === 'csv' ? ',' : '\t');
  });
  out.push([f.name, (f.text.length / 2 ** 20).toFixed(1), read.toFixed(0), scan.toFixed(0)]);
}
console.log(table(['file', 'MiB', 'read ms', 'structure scan ms'], out));
