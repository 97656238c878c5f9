/** The words of "Curate Training Set...": input vs curated as Markdown (no vscode import, so unit tests read it). */
import * as path from 'node:path';
import { compareAnalyses, curationSummary } from '../core/curate';
import { verdictOf } from '../core/experiment/verdict';
import type { CurateOutcome } from '../pipeline/curate';
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

