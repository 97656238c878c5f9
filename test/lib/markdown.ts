/**
 * The most permissive Markdown reading (CommonMark with raw HTML and bare-URL links on), for tests that check that
 * text built from data renders as text: no link, image or HTML from a hostile value.
 */
import MarkdownIt from 'markdown-it';

export const permissiveMarkdown = new MarkdownIt({ html: true, linkify: true });

export type MarkdownToken = ReturnType<MarkdownIt['parse']>[number];

/** Every token of a parse, inline children included, in document order. */
export function* markdownTokens(list: MarkdownToken[]): Generator<MarkdownToken> {
  for (const t of list) {
    yield t;
    if (t.children) yield* markdownTokens(t.children);
  }
}
