/**
 * The Datasets view's tooltip as Markdown. Pure: the tree gathers the parts, this builds the words.
 *
 * The tooltip is untrusted Markdown (no command links run), but a link or an image would still render, so nothing
 * from the workspace reaches it as Markdown: file and folder names, chosen column names and every line of a result
 * (class names, field names, warnings) come from the data. Sentences go through `escapeMarkdown` (every ASCII
 * punctuation character escaped, line breaks joined: no link, image, HTML, autolink or block can start), and the
 * result's lines go in code blocks whose fence is longer than any backtick run in them (`fencedBlock`), so no value
 * can close the block early. VS Code's `appendText` is not enough here: it leaves `<`, `:` and `.` as they are, so a
 * file named `www.example.com.csv` became a link.
 */
import { escapeMarkdown, fencedBlock } from './hoverText';

export interface DatasetTooltipParts {
  /** The dataset's path relative to the workspace. */
  relativePath: string;
  /** The sniffed format ("jsonl"). */
  format?: string;
  /** A WRENCH folder: the split files beside train.json that belong to it. */
  wrenchSplits?: readonly string[];
  /** The columns chosen for this file, in words (`describeColumns`). */
  columns?: string;
  /** Blocks of result lines (the summary, what was read, the alarms); absent when the file is not analysed. */
  blocks?: readonly string[];
  /** Over the size VS Code hands to extensions. */
  large?: boolean;
}

export function datasetTooltipMarkdown(p: DatasetTooltipParts): string {
  const text = (s: string) => `${escapeMarkdown(s)}\n\n`;
  let md = text(`${p.relativePath}${p.format ? ` (${p.format})` : ''}`);
  if (p.wrenchSplits) {
    md += text(
      `WRENCH folder: train.json is the pool${p.wrenchSplits.includes('test.json') ? ', test.json the test set' : ''}${p.wrenchSplits.includes('valid.json') ? ' (valid.json is not used)' : ''}.`,
    );
  }
  if (p.columns !== undefined) md += text(`Columns (chosen): ${p.columns}`);
  if (p.blocks) md += p.blocks.map((b) => fencedBlock(b)).join('');
  else md += text('Not analysed yet.');
  if (p.large) {
    md += `\n${text('Over 50 MB: VS Code does not hand such files to extensions, so decorations, hovers and CodeLens are off; analysis runs from disk.')}`;
  }
  return md;
}
