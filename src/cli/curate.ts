import * as path from 'node:path';
import { compareAnalyses, curationSummary, DEFAULT_CURATION_FRACTION, type CurationBudget } from '../core/curate';
import { curateDataset } from '../pipeline/curate';
import { createLocalInference } from '../inference/local';
import { DATASET_FLAGS, datasetPipelineOptions, summaryLine, verdictLine } from './analyze';
import { UsageError } from './errors';
import { ANALYSIS_HELP, parse, type FlagValues } from './options';
import { stderrProgress } from './progress';

const HELP = `overlap-density curate: write a W2S training set chosen by the detected overlap, and analyse it

  overlap-density curate DATASET [--size N | --fraction F] [--seed S] [--out FILE] [--force] [--no-analyze]

The dataset is analysed (the activation cache makes a second run cheap), then its W2S-train rows are chosen:
every detected overlap row first, then easy-only rows (most aligned with the hard rows first), then hard-only rows
(most confident first), until the budget is reached. The curated file has the input's format and each chosen
row's text byte for byte (a CSV/TSV header line is kept); it holds W2S-train rows only. docs/curation.md says why.

  --size N         rows to keep (at most the W2S-train rows)
  --fraction F     share of the W2S-train rows to keep, 0 < F <= 1 (default ${DEFAULT_CURATION_FRACTION})
  --seed S         seed of the analysis split and of the curation's draws (default 0)
  --out FILE       the curated file (default <name>.curated.<ext> beside the input; never the input itself)
  --results-dir DIR  where both analyses' results go (default: the .overlap folder beside each file); with it no
                   history copy is written beside the data either (read-only data: give --out and --results-dir)
  --no-history     keep no copy of the results in <data dir>/.overlap/history/ (default: kept, as analyze does)
  --force          replace an existing output file
  --no-analyze     only write the file; by default it is analysed on the input's test set and the two analyses
                   are printed side by side. Without a test file, the input's test rows are written to
                   <name>.curated.test.<ext> and used as the curated file's test file.
  --weak, --strong, --test-file, --text-field, --label-field, --header, --class-names, --device, --threads,
  --cache-dir, --quiet: as for "overlap-density analyze" (see its --help)

${ANALYSIS_HELP}

Exit codes: 0 written, 2 bad input or usage (nothing written), 1 internal error.`;

function budgetFrom(values: FlagValues): CurationBudget {
  if (values.size !== undefined && values.fraction !== undefined) throw new UsageError('give --size or --fraction, not both');
  if (values.size !== undefined) {
    const n = Number(values.size);
    if (values.size.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--size must be a whole number of rows >= 1, got "${values.size}"`);
    return { size: n };
  }
  if (values.fraction !== undefined) {
    const f = Number(values.fraction);
    if (values.fraction.trim() === '' || !Number.isFinite(f) || f <= 0 || f > 1) throw new UsageError(`--fraction must be in (0, 1], got "${values.fraction}"`);
    return { fraction: f };
  }
  return { fraction: DEFAULT_CURATION_FRACTION };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      ...DATASET_FLAGS,
      size: { type: 'string' }, fraction: { type: 'string' },
      out: { type: 'string' }, 'results-dir': { type: 'string' }, 'no-history': { type: 'boolean' }, force: { type: 'boolean' }, 'no-analyze': { type: 'boolean' }, analyze: { type: 'boolean' },
      quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give one DATASET file');
  if (values.analyze && values['no-analyze']) throw new UsageError('give --analyze or --no-analyze, not both');
  const budget = budgetFrom(values);
  const options = { ...(await datasetPipelineOptions(values, positionals[0]!)), history: !values['no-history'] && !values['results-dir'] };
  const backend = createLocalInference({ device: options.device ?? 'auto', threads: options.threads });
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await curateDataset(
      positionals[0]!,
      options,
      { budget, ...(values.out ? { out: values.out } : {}), ...(values['results-dir'] ? { resultsDir: values['results-dir'] } : {}), force: Boolean(values.force), analyze: !values['no-analyze'] },
      { progress: stderrProgress(!values.quiet), inference: backend },
    );
  } finally {
    await backend.dispose();
  }
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const { input, plan, written, testWritten, curated, curatedError } = outcome;
  process.stdout.write(`input: ${summaryLine(input.result)} · ${rel(input.resultPath)}\n`);
  process.stdout.write(`input ${verdictLine(input.result)}\n`);
  process.stdout.write(`curated: ${curationSummary(plan)}\n`);
  for (const note of plan.notes) process.stdout.write(`curated: note: ${note}\n`);
  process.stdout.write(`wrote ${rel(written.file)} (${written.rows} row${written.rows === 1 ? '' : 's'}, ${written.format}, rows copied byte for byte)\n`);
  if (testWritten) process.stdout.write(`wrote ${rel(testWritten.file)} (the input's ${testWritten.rows} test rows, the curated file's test set)\n`);
  if (curated) {
    const { lines, note } = compareAnalyses(input.result, curated.result, plan);
    const rows = lines.filter((l) => l.label !== 'verdict');
    const w0 = Math.max(...rows.map((l) => l.label.length));
    const w1 = Math.max(5, ...rows.map((l) => l.input.length));
    process.stdout.write(`\n${''.padEnd(w0)}   ${'input'.padEnd(w1)}   curated\n`);
    for (const l of rows) process.stdout.write(`${l.label.padEnd(w0)}   ${l.input.padEnd(w1)}   ${l.curated}\n`);
    process.stdout.write(`\n${note}\n`);
    process.stdout.write(`curated ${verdictLine(curated.result)}\n(curated result: ${rel(curated.resultPath)})\n`);
    for (const w of curated.result.warnings) process.stderr.write(`overlap-density: warning (curated): ${w}\n`);
  }
  if (curatedError) process.stderr.write(`overlap-density: warning: the curated file was written but could not be analysed: ${curatedError}\n`);
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}
