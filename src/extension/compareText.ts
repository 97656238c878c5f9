/**
 * The page of "Compare with an Earlier Result..." as Markdown (pure, so its words are unit-tested): the numbers side
 * by side with their change, the verdicts, the counts per category change and the changed rows with their lines.
 */
import type { ResultComparison } from '../core/report/compare';
import { escapeMarkdown } from './hoverText';
import { fixed, percent, signedPoints } from './summaryText';

/** Rows listed in the page (the counts cover all of them). */
const MAX_LISTED = 200;

function rows(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function signed(x: number | null, digits = 3): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
}

/** The comparison as Markdown; every value from a results file or the data is escaped. */
export function comparisonPage(c: ResultComparison, names: { dataset: string; earlier: string; later: string }): string {
  const e = escapeMarkdown;
  const md = [
    `# ${e(names.dataset)}: ${e(names.earlier)} vs ${e(names.later)}`,
    '',
    '| | earlier | now | change |',
    '|---|---|---|---|',
    `| analysed | ${e(c.a.createdAt)} | ${e(c.b.createdAt)} | ${c.a.sha256 === c.b.sha256 ? 'same file contents' : 'file contents changed'} |`,
    `| overlap density | ${percent(c.a.density)} | ${percent(c.b.density)} | ${signedPoints(c.deltas.density)} |`,
    `| PGR | ${fixed(c.a.pgr)} | ${fixed(c.b.pgr)} | ${signed(c.deltas.pgr, 2)} |`,
    `| W2S accuracy change | | | ${signed(c.deltas.accuracy.w2s)} |`,
    `| weak / strong accuracy change | | | ${signed(c.deltas.accuracy.weak)} / ${signed(c.deltas.accuracy.strong)} |`,
    `| regime | ${e(c.a.regime)} | ${e(c.b.regime)} | |`,
    '',
    `**Earlier:** ${e(c.a.verdict)}`,
    '',
    `**Now:** ${e(c.b.verdict)}`,
    '',
    '## Rows whose category changed',
    '',
  ];
  if (c.matchedBy === 'none') {
    md.push(`Rows were not compared: ${e(c.reason ?? 'they could not be paired')}.`);
    return md.join('\n');
  }
  md.push(
    `Rows paired by ${c.matchedBy === 'text' ? 'their text' : 'row number (the file is unchanged)'}: ${c.matched.toLocaleString('en-US')}` +
      `${c.matchedBy === 'text' ? `; ${rows(c.onlyInA, 'earlier row is', 'earlier rows are')} gone or edited, ${rows(c.onlyInB, 'row is', 'rows are')} new or edited` : ''}.` +
      ` ${c.changed.toLocaleString('en-US')} paired row${c.changed === 1 ? '' : 's'} changed category.`,
  );
  if (c.transitions.length > 0) {
    md.push('', '| from | to | rows |', '|---|---|---|');
    for (const t of c.transitions) md.push(`| ${e(t.from)} | ${e(t.to)} | ${t.count} |`);
  }
  if (c.rows.length > 0) {
    const listed = c.rows.slice(0, MAX_LISTED);
    md.push('', '| row now | line now | was | is now |', '|---|---|---|---|');
    for (const r of listed) md.push(`| ${r.indexB + 1} | ${r.lineB ?? ''} | ${e(r.from)} | ${e(r.to)} |`);
    if (c.truncated || c.rows.length > listed.length) md.push('', `The first ${listed.length} of ${c.changed.toLocaleString('en-US')} changed rows are listed.`);
  }
  return md.join('\n');
}
