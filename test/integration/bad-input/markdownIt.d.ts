// The part of markdown-it's API the hostile-input corpus uses to render hovers (markdown-it ships no types).
declare module 'markdown-it' {
  interface Token {
    type: string;
    content: string;
    children: Token[] | null;
    attrGet(name: string): string | null;
  }
  export default class MarkdownIt {
    constructor(options?: { html?: boolean; linkify?: boolean });
    parse(src: string, env: object): Token[];
  }
}
