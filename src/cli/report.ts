import * as path from 'node:path';
import { renderHtmlReport } from '../core/report/html';
import { refuseOutputsOverInputs } from '../pipeline/outputs';
import { loadResult, writeFileAtomic } from '../pipeline/results';
import { UsageError } from './errors';
import { parse } from './options';

const HELP = `overlap-density report: a self-contained HTML report (regime plot, histograms, partition) from a result JSON

  overlap-density report RESULT.json [--out report.html]   (default: next to the result, .html instead of .json)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one RESULT.json');
  const out = values.out ?? positionals[0].replace(/(\.result)?\.json$/i, '') + '.html';
  await refuseOutputsOverInputs([{ path: out, role: values.out ? '--out' : 'the report file' }], [{ path: positionals[0], role: 'the result file' }]);
  const result = await loadResult(positionals[0]);
  await writeFileAtomic(out, renderHtmlReport(result));
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  return 0;
}
