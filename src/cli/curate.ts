import * as path from 'node:path';
import { compareAnalyses, curationSummary, DEFAULT_CURATION_FRACTION, type CurationBudget } from '../core/curate';
import { curateDataset } from '../pipeline/curate';
import { curateFromSources, type CurateSourcesOutcome } from '../pipeline/curateSources';
import { createLocalInference } from '../inference/local';
import { DATASET_FLAGS, datasetPipelineOptions, summaryLine, verdictLine } from './analyze';
import { UsageError } from './errors';
import { ANALYSIS_HELP, intOption, parse, type FlagValues } from './options';
import { stderrProgress } from './progress';
import { writeWarning } from './warnings';

const HELP = `overlap-density curate: write a W2S training set chosen by the detected overlap (or by UCB across sources), and analyse it

  overlap-density curate DATASET [--size N | --fraction F] [--seed S] [--out FILE] [--force] [--no-analyze]
  overlap-density curate --sources SOURCE SOURCE... --size N [--seed S] [--rounds T] [--per-round n] [--out FILE]
  overlap-density curate --sources FILE --split-by COLUMN|@votes --size N [...]

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

Across sources (--sources; docs/curation.md, "Across sources"): the paper's UCB data-source selection (as
"overlap-density select", Algorithm 1) runs once, UCB only, on seed S, and the curated file holds the rows that run
drew from the sources' pools, in the order it drew them, up to --size rows; each row's text byte for byte. The
sources must share one format (and CSV/TSV sources one header line, written once). Each source is split into
weak-train / pool / test as select does; the curated file is shown beside a random draw of the same size from the
pooled sources and beside all pooled rows (a W2S probe on each, scored on the sources' shared test set), and,
unless --no-analyze, analysed with those test rows (written as <name>.curated.test.<ext>) as its test file.

  --sources        the positionals are source files (two or more, or one with --split-by)
  --split-by COLUMN  one file, one source per distinct value of COLUMN, or @votes (rows some labelling function
                   votes on vs rows none does), as for "overlap-density select"
  --size N         rows to keep (required; at most the smallest source's pool: UCB may pull one source every round)
  --rounds T       UCB rounds (default ceil(N / n)); --per-round n points per pull (default max(7, ceil(N / 50)))
  --bonus code|ucb1  UCB bonus, as for select (default code)
  --out FILE       default <a>+<b>.curated.<ext> (or <name>.by-COLUMN.curated.<ext>) beside the first source
  --weak, --strong, --text-field, --label-field, --header, --class-names, --device, --threads,
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
      sources: { type: 'boolean' }, 'split-by': { type: 'string' }, rounds: { type: 'string' }, 'per-round': { type: 'string' }, bonus: { type: 'string' },
      quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.sources || values['split-by'] !== undefined) return runSources(values, positionals);
  for (const flag of ['rounds', 'per-round', 'bonus'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to curation across sources (--sources)`);
  }
  if (positionals.length !== 1) throw new UsageError('give one DATASET file (or --sources SOURCE SOURCE... for curation across sources)');
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
    for (const w of curated.result.warnings) writeWarning(w, 'warning (curated)');
  }
  if (curatedError) process.stderr.write(`overlap-density: warning: the curated file was written but could not be analysed: ${curatedError}\n`);
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** Curation across sources: UCB over the sources, the rows it drew up to --size, compared with a random draw. */
async function runSources(values: FlagValues, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('give the SOURCE files after --sources');
  if (values.size === undefined) throw new UsageError('curation across sources needs --size N (rows to keep)');
  if (values.fraction !== undefined) throw new UsageError('--fraction is for one DATASET; across sources give --size N');
  if (values['test-file'] !== undefined) throw new UsageError('across sources the test set is the sources\' own test thirds (as select); --test-file does not apply');
  if (values.analyze && values['no-analyze']) throw new UsageError('give --analyze or --no-analyze, not both');
  const budget = budgetFrom(values);
  if (!('size' in budget)) throw new Error('internal error: no size');
  const bonus = values.bonus ?? 'code';
  if (bonus !== 'code' && bonus !== 'ucb1') throw new UsageError(`--bonus must be code or ucb1, got "${bonus}"`);
  const options = { ...(await datasetPipelineOptions(values, positionals[0]!)), history: false };
  const analysis = options.analysis ?? {};
  const backend = createLocalInference({ device: options.device ?? 'auto', threads: options.threads });
  const t0 = performance.now();
  let o;
  try {
    o = await curateFromSources(
      positionals,
      options,
      {
        size: budget.size,
        seed: analysis.seed ?? 0,
        ...(values['split-by'] !== undefined ? { splitBy: values['split-by'] } : {}),
        ...(values.rounds !== undefined ? { rounds: intOption(values, 'rounds', 1, 1) } : {}),
        ...(values['per-round'] !== undefined ? { perRound: intOption(values, 'per-round', 1, 1) } : {}),
        bonus,
        selection: {
          ...(analysis.hardRule ? { hardRule: analysis.hardRule } : {}),
          ...(analysis.align ? { align: analysis.align } : {}),
          ...(analysis.jump !== undefined ? { jump: analysis.jump } : {}),
          ...(analysis.l2 !== undefined ? { l2: analysis.l2 } : {}),
          ...(analysis.pseudo ? { pseudo: analysis.pseudo } : {}),
        },
        ...(values.out ? { out: values.out } : {}),
        ...(values['results-dir'] ? { resultsDir: values['results-dir'] } : {}),
        force: Boolean(values.force),
        analyze: !values['no-analyze'],
      },
      { progress: stderrProgress(!values.quiet), inference: backend },
    );
  } finally {
    await backend.dispose();
  }
  process.stdout.write(`${sourcesReport(o)}\n${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** What the CLI prints for curation across sources. */
export function sourcesReport(o: CurateSourcesOutcome): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const p = o.selection.plan;
  const c = o.comparison;
  const share = (n: number) => `${((100 * n) / Math.max(1, c.size)).toFixed(0)}%`;
  const lines = [
    `UCB: ${p.rounds} rounds x ${p.perRound} points, bonus ${p.bonus}, seed ${p.seeds[0]} (${o.selection.mode})`,
    ...p.adjustments.map((a) => `plan adjusted: ${a}`),
    ...o.sources.map((s, k) => `source ${k}: ${s.name}: ${s.poolRows} pool rows, ${s.taken} curated (${share(s.taken)}), random draw ${c.random.perSource[k]} (${share(c.random.perSource[k]!)})`),
    `curated: ${o.rows.length} rows drawn by UCB, in draw order`,
    ...o.notes.filter((n) => !p.adjustments.includes(n)).map((n) => `curated: note: ${n}`),
    `wrote ${rel(o.written.file)} (${o.written.rows} rows, ${o.written.format}, rows copied byte for byte)`,
    ...(o.testWritten ? [`wrote ${rel(o.testWritten.file)} (the sources' ${o.testWritten.rows} test rows, the curated file's test set)`] : []),
    '',
    `W2S test accuracy on the sources' ${c.testRows} shared test rows (a strong probe on the weak model's pseudo-labels, as select):`,
    `  UCB-curated    ${String(c.size).padStart(6)} rows   ${c.curated.accuracy.toFixed(3)}`,
    `  random draw    ${String(c.size).padStart(6)} rows   ${c.random.accuracy.toFixed(3)}   (seed ${p.seeds[0]}, from the pooled sources)`,
    `  all pools      ${String(c.all.rows).padStart(6)} rows   ${c.all.accuracy.toFixed(3)}`,
    `  weak model                    ${c.weakAccuracy.toFixed(3)}`,
    `curated - random: ${c.curated.accuracy - c.random.accuracy >= 0 ? '+' : ''}${(c.curated.accuracy - c.random.accuracy).toFixed(3)} (one seed; docs/curation.md has the benchmark over seeds)`,
  ];
  if (o.curated) {
    lines.push('', `curated file, analysed on those test rows: ${summaryLine(o.curated.result)} · ${rel(o.curated.resultPath)}`, `curated ${verdictLine(o.curated.result)}`);
  }
  if (o.curatedError) lines.push(`warning: the curated file was written but could not be analysed: ${o.curatedError}`);
  return lines.join('\n');
}
