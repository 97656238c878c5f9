/** The words of "Curate Training Set...": input vs curated as Markdown (no vscode import, so unit tests read it). */
import * as path from 'node:path';
import { compareAnalyses, curationSummary } from '../core/curate';
import { verdictOf } from '../core/experiment/verdict';
import type { CurateOutcome } from '../pipeline/curate';
import type { CurateSourcesOutcome } from '../pipeline/curateSources';
import { escapeMarkdown } from './hoverText';

/** Input vs curated as Markdown: every value from the data or a results file is escaped. */
export function comparisonMarkdown(outcome: Pick<CurateOutcome, 'input' | 'plan' | 'written' | 'testWritten' | 'curated' | 'curatedError'>): string {
  const { input, plan, written, testWritten, curated, curatedError } = outcome;
  const md: string[] = [
    `# Curated training set: ${escapeMarkdown(path.basename(written.file))}`,
    '',
    `From ${escapeMarkdown(path.basename(input.result.dataset.path ?? ''))}: ${escapeMarkdown(curationSummary(plan))}. Each row is copied byte for byte.`,
    ...plan.notes.map((n) => `- ${escapeMarkdown(n)}`),
  ];
  if (testWritten) md.push('', `The input's ${testWritten.rows} test rows were written to ${escapeMarkdown(path.basename(testWritten.file))}, the curated file's test set.`);
  if (curatedError) md.push('', `The curated file could not be analysed: ${escapeMarkdown(curatedError)}`);
  if (curated) {
    const { lines, note } = compareAnalyses(input.result, curated.result, plan);
    md.push('', '| | input | curated |', '|---|---|---|');
    for (const l of lines) md.push(`| ${escapeMarkdown(l.label)} | ${escapeMarkdown(l.input)} | ${escapeMarkdown(l.curated)} |`);
    md.push('', escapeMarkdown(note), '', `**Input:** ${escapeMarkdown(verdictOf(input.result).sentence)}`, '', `**Curated:** ${escapeMarkdown(verdictOf(curated.result).sentence)}`);
  }
  return md.join('\n');
}


/** Curation across sources (UCB) as Markdown: the sources, what UCB took, and curated vs random vs all pools. */
export function sourcesMarkdown(o: Pick<CurateSourcesOutcome, 'selection' | 'rows' | 'sources' | 'comparison' | 'written' | 'testWritten' | 'curated' | 'curatedError' | 'notes'>): string {
  const c = o.comparison;
  const p = o.selection.plan;
  const pct = (n: number) => `${((100 * n) / Math.max(1, c.size)).toFixed(0)}%`;
  const md: string[] = [
    `# Curated training set: ${escapeMarkdown(path.basename(o.written.file))}`,
    '',
    `The rows one UCB run (the paper's Algorithm 1: ${p.rounds} rounds x ${p.perRound} points, seed ${p.seeds[0]}) drew from the sources, in the order it drew them, up to ${c.size} rows. Each row is copied byte for byte.`,
    ...o.notes.map((n) => `- ${escapeMarkdown(n)}`),
    '',
    '| source | pool rows | curated | random draw |',
    '|---|---|---|---|',
    ...o.sources.map((s, k) => `| ${escapeMarkdown(s.name)} | ${s.poolRows} | ${s.taken} (${pct(s.taken)}) | ${c.random.perSource[k]} (${pct(c.random.perSource[k]!)}) |`),
    '',
    `W2S test accuracy on the sources' ${c.testRows} shared test rows (a strong probe trained on the weak model's pseudo-labels):`,
    '',
    '| training rows | rows | W2S accuracy |',
    '|---|---|---|',
    `| UCB-curated | ${c.size} | ${c.curated.accuracy.toFixed(3)} |`,
    `| random draw from the pooled sources | ${c.size} | ${c.random.accuracy.toFixed(3)} |`,
    `| all pooled rows | ${c.all.rows} | ${c.all.accuracy.toFixed(3)} |`,
    `| (weak model) | | ${c.weakAccuracy.toFixed(3)} |`,
    '',
    'One seed; docs/curation.md has the benchmark over seeds.',
  ];
  if (o.testWritten) md.push('', `The sources' ${o.testWritten.rows} test rows were written to ${escapeMarkdown(path.basename(o.testWritten.file))}, the curated file's test set.`);
  if (o.curatedError) md.push('', `The curated file could not be analysed: ${escapeMarkdown(o.curatedError)}`);
  if (o.curated) md.push('', `**Curated file, analysed on those test rows:** ${escapeMarkdown(verdictOf(o.curated.result).sentence)}`);
  return md.join('\n');
}
