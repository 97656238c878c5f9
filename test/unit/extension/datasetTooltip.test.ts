/**
 * The Datasets view's tooltip is built from workspace data (file names, chosen columns, result lines); rendered by a
 * CommonMark parser with HTML and bare-URL links switched on (the most permissive reading), hostile values show as
 * text: no link, no image, no HTML, and every code block holds exactly the lines it was given.
 */
import { describe, expect, it } from 'vitest';
import { markdownTokens, permissiveMarkdown } from '../../lib/markdown';
import { datasetTooltipMarkdown } from '../../../src/extension/datasetTooltip';
import { fencedBlock } from '../../../src/extension/hoverText';

const markdown = permissiveMarkdown;
const tokens = markdownTokens;

/** The rendered tooltip: the text a person reads, the code blocks' contents, and any live construct found. */
function render(md: string): { text: string; code: string[]; live: string[] } {
  const text: string[] = [];
  const code: string[] = [];
  const live: string[] = [];
  for (const t of tokens(markdown.parse(md, {}))) {
    if (['link_open', 'image', 'html_inline', 'html_block'].includes(t.type)) live.push(`${t.type}: ${t.content}`);
    if (t.type === 'text') text.push(t.content);
    if (t.type === 'fence' || t.type === 'code_block') code.push(t.content);
  }
  return { text: text.join(''), code, live };
}

const HOSTILE = [
  '```',
  '````',
  '``````````',
  'a```b',
  '```\n![x](http://example.invalid/t.png)',
  '````\n[click](command:workbench.action.terminal.new)\n````',
  '``````````\n<img src=x onerror="alert(1)">\n``````````',
  '](javascript:alert(1))',
  '[x](javascript:alert(1))',
  '![x](http://example.invalid/t.png)',
  '<script>alert(1)</script>',
  '<https://example.invalid>',
  'https://example.invalid/p www.example.invalid',
  '$(zap) &amp; &#x3C;b&#x3E;',
  '# heading\n- list\n> quote\n***',
  '    indented\n\ttabbed',
];

describe('datasetTooltipMarkdown', () => {
  it('keeps the plain tooltip as it was (path, format, columns, blocks, size note)', () => {
    const md = datasetTooltipMarkdown({
      relativePath: 'data/train.jsonl',
      format: 'jsonl',
      columns: 'text: text · label: label',
      blocks: ['Overlap density 23.1%', 'classes: 2'],
      large: true,
    });
    const r = render(md);
    expect(r.live).toEqual([]);
    expect(r.text).toContain('data/train.jsonl (jsonl)');
    expect(r.text).toContain('Columns (chosen): text: text · label: label');
    expect(r.text).toContain('Over 50 MB: VS Code does not hand such files to extensions');
    expect(r.code).toEqual(['Overlap density 23.1%\n', 'classes: 2\n']);
    expect(render(datasetTooltipMarkdown({ relativePath: 'a.csv', wrenchSplits: ['valid.json', 'test.json'] })).text).toBe(
      'a.csv' + 'WRENCH folder: train.json is the pool, test.json the test set (valid.json is not used).' + 'Not analysed yet.',
    );
  });

  for (const value of HOSTILE) {
    it(`shows ${JSON.stringify(value)} as text wherever data goes`, () => {
      const md = datasetTooltipMarkdown({
        relativePath: `data/${value}.jsonl`,
        format: 'jsonl',
        columns: `text: ${value} · label: ${value}`,
        blocks: [`classes: 2: ${value}, ham`, value, `${value}\nwarning: ${value}`],
        large: true,
      });
      const r = render(md);
      expect(r.live, md).toEqual([]);
      // Each block stays one block with exactly its lines: nothing in it closed the fence early.
      expect(r.code, md).toEqual([`classes: 2: ${value}, ham\n`, `${value}\n`, `${value}\nwarning: ${value}\n`]);
      // Names are text (line breaks in a name become spaces: data cannot start a block).
      const oneLine = value.replace(/[\r\n]+/g, ' ');
      // (a zero-width space keeps `$(` from being a theme icon where the text is read: it reads the same)
      const read = r.text.replace(/\u200b/g, '');
      expect(read).toContain(`data/${oneLine}.jsonl (jsonl)`);
      expect(read).toContain(`Columns (chosen): text: ${oneLine} · label: ${oneLine}`);
      // VS Code renders theme icons after Markdown has removed the escapes: none may be left in the rendered text
      expect(r.text).not.toMatch(/\$\(/);
      // No theme icon outside the code blocks (the tooltip does not turn them on; escaped all the same).
      const sentences = datasetTooltipMarkdown({ relativePath: `data/${value}.jsonl`, columns: `text: ${value}` });
      expect(sentences).not.toMatch(/(^|[^\\])\$\(/);
    });
  }
});

describe('fencedBlock', () => {
  it('picks a fence longer than the longest backtick run, at either end of the text too', () => {
    for (const [text, fence] of [['plain', 3], ['a``b', 3], ['```', 4], ['x````', 5], ['``````````y', 11], ['`a` ``` ```` `', 5]] as const) {
      const block = fencedBlock(text);
      expect(block.startsWith(`\n${'`'.repeat(fence)}text\n`), text).toBe(true);
      expect(block.endsWith(`\n${'`'.repeat(fence)}\n`), text).toBe(true);
      const r = render(`before\n${block}after [x](http://example.invalid)`);
      expect(r.code).toEqual([`${text}\n`]);
    }
  });
});
