/**
 * bench/curate-ucb (issue 17, part 3, second mode): is the training set UCB curates across sources better than a
 * random draw of the same size from the pooled sources, and than all pooled rows?
 *
 * Sources: WRENCH SMS train (../shared/data/sms/train.json, read-only) split into "covered" (some labelling function
 * votes) and "uncovered" (none does) files in /tmp, as the select e2e journey does (test/e2e/select.e2e.ts).
 * Weak side: the labelling functions' majority vote; strong side: bundled USE-Lite (the CLI's auto choice).
 * For each seed s and budget N, exactly the steps of `overlap-density curate --sources ... --size N --seed s`
 * (src/pipeline/curateSources.ts) without the file writing:
 *   1. the sources split into weak-train / pool / test with seed s (setupFromFiles); shared test = the test thirds;
 *   2. one UCB run (runSelection, ucb only, seed s, plan ucbCurationRequest(N)); its drawn rows up to N;
 *   3. W2S probes (strong activations, the weak model's soft pseudo-labels) on: the UCB rows, a random draw of N rows
 *      from the pooled pools (seed s), and all pooled rows; each scored on the shared test set (compareUcbCuration).
 * Reported over seeds: mean ± sd (population sd, as select's bands) of each accuracy, the paired difference
 * curated - random, seeds where curated > random, the covered-source share and pseudo-label accuracy of each set,
 * and a hindsight control: N random rows of the covered source alone (the source UCB should find; not known beforehand).
 * Env: CURATE_UCB_SEEDS (default 10), CURATE_UCB_SIZES (default 150,300,600), CURATE_CACHE (default /tmp/od-cache).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkUcbBudget, compareUcbCuration, randomPooledRows, ucbCurationRequest, ucbDrawnRows, w2sScorer, type DrawnRow } from '../src/core/curate/sources';
import { argmaxLabels } from '../src/core/probe';
import { DEFAULT_SELECTION_OPTIONS, runSelection } from '../src/core/select/run';
import type { SelectionSetup } from '../src/core/select/setup';
import { createLocalInference } from '../src/inference/local';
import { loadSelectionData, setupFromFiles } from '../src/pipeline/sources';
import { machineLine, table } from './common';

const SEEDS = Number(process.env.CURATE_UCB_SEEDS ?? 10);
const SIZES = (process.env.CURATE_UCB_SIZES ?? '150,300,600').split(',').map(Number);
const CACHE = process.env.CURATE_CACHE ?? '/tmp/od-cache';
const SMS = '/work/shared/data/sms';
const WORK = '/tmp/od-bench-curate-ucb';

/** SMS train split by labelling-function coverage into two WRENCH files (the select e2e construction). */
function smsSources(): string[] {
  const rows = JSON.parse(fs.readFileSync(path.join(SMS, 'train.json'), 'utf8')) as Record<string, { weak_labels: number[] }>;
  const covered: Record<string, unknown> = {};
  const uncovered: Record<string, unknown> = {};
  for (const row of Object.values(rows)) {
    const into = row.weak_labels.some((v) => v !== -1) ? covered : uncovered;
    into[String(Object.keys(into).length)] = row;
  }
  const wrench = (o: Record<string, unknown>) => `{\n${Object.entries(o).map(([k, v]) => `\t${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`;
  fs.mkdirSync(WORK, { recursive: true });
  const files = [path.join(WORK, 'sms-covered.json'), path.join(WORK, 'sms-uncovered.json')];
  fs.writeFileSync(files[0]!, wrench(covered));
  fs.writeFileSync(files[1]!, wrench(uncovered));
  fs.copyFileSync(path.join(SMS, 'label.json'), path.join(WORK, 'label.json'));
  return files;
}

interface Row {
  curated: number;
  random: number;
  all: number;
  coveredOnly: number;
  coveredCurated: number;
  coveredRandom: number;
  pseudoCurated: number;
  pseudoRandom: number;
  drawn: number;
  adjusted: number;
}

/** Share of rows whose weak pseudo-label (argmax of the votes' probabilities) is the true label. */
function pseudoAccuracy(setup: SelectionSetup, rows: readonly DrawnRow[]): number {
  const C = setup.numClasses;
  const pl = setup.sources.map((s) => (s.weak.kind === 'probabilities' ? argmaxLabels(s.weak.probs, C) : null));
  let ok = 0;
  for (const r of rows) if (pl[r.source]?.[r.pool] === setup.sources[r.source]!.labels[r.pool]) ok++;
  return ok / rows.length;
}

async function main() {
  console.log(machineLine());
  const files = smsSources();
  const backend = createLocalInference({ device: 'cpu' });
  const t0 = performance.now();
  const bySize = new Map<number, Row[]>();
  let desc = '';
  try {
    const data = await loadSelectionData(files, { weak: { kind: 'votes' }, strong: { kind: 'bundled', id: 'use-lite' }, cacheDir: CACHE }, { inference: backend });
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${data.map((d) => `${d.name} ${d.labels.length} rows`).join(', ')}; weak ${data[0]!.encoders.weak.id}, strong ${data[0]!.encoders.strong.id}`);
    for (let s = 0; s < SEEDS; s++) {
      const setup = setupFromFiles(data, s);
      const sizes = setup.sources.map((x) => x.labels.length);
      desc = `pools ${sizes.join(' / ')} rows, shared test ${setup.test.labels.length} rows (seed ${s})`;
      for (const n of SIZES) {
        checkUcbBudget(n, setup.sources.map((x) => ({ name: x.name, rows: x.labels.length })));
        const opts = { ...DEFAULT_SELECTION_OPTIONS, evalEvery: Number.MAX_SAFE_INTEGER };
        const result = await runSelection(setup, ucbCurationRequest(n, 2, { seed: s }), opts, {
          mode: 'files', encoders: data[0]!.encoders,
        }, { kernel: backend.alignmentKernel() });
        const drawn = ucbDrawnRows(result.runs[0]!, result.plan, sizes, n);
        const cmp = compareUcbCuration(setup, drawn, result.options, s);
        const random = randomPooledRows(sizes, drawn.length, s);
        // Hindsight control: N random rows of the covered source alone (what "optimal" would pull; unknown beforehand).
        const coveredOnly = randomPooledRows([sizes[0]!, 0], drawn.length, s);
        const oracle = w2sScorer(setup, result.options).score(coveredOnly);
        const list = bySize.get(n) ?? [];
        list.push({
          curated: cmp.curated.accuracy, random: cmp.random.accuracy, all: cmp.all.accuracy, coveredOnly: oracle,
          coveredCurated: cmp.curated.perSource[0]! / drawn.length, coveredRandom: cmp.random.perSource[0]! / drawn.length,
          pseudoCurated: pseudoAccuracy(setup, drawn), pseudoRandom: pseudoAccuracy(setup, random),
          drawn: drawn.length, adjusted: result.plan.adjustments.length,
        });
        bySize.set(n, list);
        console.log(`seed ${s} N ${n}: plan ${result.plan.rounds} x ${result.plan.perRound}; curated ${cmp.curated.accuracy.toFixed(4)} random ${cmp.random.accuracy.toFixed(4)} all ${cmp.all.accuracy.toFixed(4)}; covered ${cmp.curated.perSource[0]} of ${drawn.length}`);
      }
    }
  } finally {
    await backend.dispose();
  }
  console.log(`${desc}; total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const ms = (xs: number[], sign = false) => `${sign && mean(xs) >= 0 ? '+' : ''}${mean(xs).toFixed(3)} ± ${sd(xs).toFixed(3)}`;
  const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(0)}%`;
  const rows = SIZES.map((n) => {
    const r = bySize.get(n)!;
    const diff = r.map((x) => x.curated - x.random);
    return [
      String(n), ms(r.map((x) => x.curated)), ms(r.map((x) => x.random)), ms(diff, true), `${diff.filter((d) => d > 0).length}/${r.length}`,
      ms(r.map((x) => x.all)), ms(r.map((x) => x.curated - x.all), true), ms(r.map((x) => x.coveredOnly)),
      `${pct(r.map((x) => x.coveredCurated))} / ${pct(r.map((x) => x.coveredRandom))}`,
      `${mean(r.map((x) => x.pseudoCurated)).toFixed(3)} / ${mean(r.map((x) => x.pseudoRandom)).toFixed(3)}`,
    ];
  });
  console.log(`SMS covered vs uncovered, ${SEEDS} seeds (0..${SEEDS - 1}: split, UCB arm orders, random draw); mean ± sd over seeds`);
  console.log(table(
    ['budget N', 'W2S acc UCB-curated', 'W2S acc random', 'curated - random', 'seeds curated > random', 'W2S acc all pools', 'curated - all', 'W2S acc covered source only (hindsight)', 'covered share cur / rand', 'pseudo-label acc cur / rand'],
    rows,
  ));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
