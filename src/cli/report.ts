import * as path from 'node:path';
import { renderHtmlReport } from '../core/report/html';
import { refuseForeignOutputs, refuseOutputsOverInputs, type PathRole } from '../pipeline/outputs';
import { loadResult, writeFileAtomic } from '../pipeline/results';
import { datasetFileOf, reportTexts, resultFileCandidates } from '../pipeline/rowTexts';
import { UsageError } from './errors';
import { parse } from './options';
import { writeWarning } from './warnings';

const HELP = `overlap-density report: a self-contained HTML report (regime plot, histograms, partition) from a result JSON

  overlap-density report RESULT.json [--out report.html] [--no-texts]

  --out       the HTML file (default: next to the result, .html instead of .json)
  --force     replace an existing --out that is not an overlap-density file (an earlier report is replaced anyway;
              the result file and the dataset it describes never are)
  --no-texts  leave the row texts out (for sharing). By default the table shows each W2S-train row's text, read
              from the analysed dataset when it is there and unchanged (same sha256 as at the analysis); otherwise
              the report is written without texts and this command says why.
  --quiet     accepted as by every command (report shows no progress)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' }, force: { type: 'boolean' }, 'no-texts': { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one RESULT.json');
  const out = values.out ?? positionals[0].replace(/(\.result)?\.json$/i, '') + '.html';
  const role = values.out ? '--out' : 'the report file';
  await refuseOutputsOverInputs([{ path: out, role }], [{ path: positionals[0], role: 'the result file' }]);
  const result = await loadResult(positionals[0]);
  // nor over the dataset the result describes (its texts are read from there), or its test file, with --force too
  const inputs: PathRole[] = [];
  const dataset = datasetFileOf(result, positionals[0]);
  for (const [file, what] of [[dataset, 'the dataset this result describes'], [result.dataset.testFile, 'the test file of this result']] as const) {
    if (!file) continue;
    for (const p of resultFileCandidates(file, positionals[0])) inputs.push({ path: p, role: what });
  }
  // nor over the activation files it was computed from (npy: / safetensors: specs, beside the dataset; the arrays
  // form's --weak-acts / --strong-acts, --split and --membership, recorded with absolute paths)
  const sourceDir = dataset ? path.dirname(path.resolve(path.dirname(positionals[0]), dataset)) : path.dirname(positionals[0]);
  for (const side of ['weak', 'strong'] as const) {
    const source = result.encoders[side].source;
    if (source) inputs.push({ path: path.resolve(sourceDir, source), role: `the ${side} activations of this result` }, { path: path.resolve(source), role: `the ${side} activations of this result` });
  }
  for (const f of result.dataset.inputs ?? []) inputs.push({ path: f, role: 'an input of this result' });
  await refuseOutputsOverInputs([{ path: out, role }], inputs);
  await refuseForeignOutputs([{ path: out, role }], Boolean(values.force));
  const got = values['no-texts'] ? null : await reportTexts(result, positionals[0]);
  await writeFileAtomic(out, renderHtmlReport(result, got?.texts ? { texts: got.texts } : {}));
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  // `--out report.md` is a natural guess for a Markdown report: the page is HTML whatever the name, so say so
  if (!/\.html?$/i.test(out)) {
    writeWarning(`${path.basename(out)} holds an HTML page (the report has no other format): open it in a browser, or name it .html`);
  }
  process.stdout.write(
    got === null
      ? 'row texts: left out (--no-texts)\n'
      : got.texts
        ? `row texts: included, read from ${path.relative(process.cwd(), got.file) || got.file} (unchanged since the analysis)\n`
        : `row texts: left out because ${got.reason}\n`,
  );
  return 0;
}
