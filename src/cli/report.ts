import * as path from 'node:path';
import { renderHtmlReport } from '../core/report/html';
import { refuseOutputsOverInputs } from '../pipeline/outputs';
import { loadResult, writeFileAtomic } from '../pipeline/results';
import { reportTexts } from '../pipeline/rowTexts';
import { UsageError } from './errors';
import { parse } from './options';

const HELP = `overlap-density report: a self-contained HTML report (regime plot, histograms, partition) from a result JSON

  overlap-density report RESULT.json [--out report.html] [--no-texts]

  --out       the HTML file (default: next to the result, .html instead of .json)
  --no-texts  leave the row texts out (for sharing). By default the table shows each W2S-train row's text, read
              from the analysed dataset when it is there and unchanged (same sha256 as at the analysis); otherwise
              the report is written without texts and this command says why.
  --quiet     accepted as by every command (report shows no progress)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'no-texts': { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one RESULT.json');
  const out = values.out ?? positionals[0].replace(/(\.result)?\.json$/i, '') + '.html';
  await refuseOutputsOverInputs([{ path: out, role: values.out ? '--out' : 'the report file' }], [{ path: positionals[0], role: 'the result file' }]);
  const result = await loadResult(positionals[0]);
  const got = values['no-texts'] ? null : await reportTexts(result, positionals[0]);
  await writeFileAtomic(out, renderHtmlReport(result, got?.texts ? { texts: got.texts } : {}));
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  process.stdout.write(
    got === null
      ? 'row texts: left out (--no-texts)\n'
      : got.texts
        ? `row texts: included, read from ${path.relative(process.cwd(), got.file) || got.file} (unchanged since the analysis)\n`
        : `row texts: left out because ${got.reason}\n`,
  );
  return 0;
}
