/**
 * The huge cases of the corpus, written at test time into a temporary folder (never committed): a 1 GB sparse file,
 * a 1 GB file that must be streamed to its last line, and 10 MB single lines.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

export interface Generated {
  file: string;
  /** The line an error must name, when the generator knows it. */
  line?: number;
  /** Rows a successful read must return. */
  rows?: number;
}

const goodRow = (i: number) =>
  JSON.stringify({ text: `row ${i} of a huge file`, label: i % 2, weak_acts: [i % 3, 1], strong_acts: [1, i % 5, 2] });

function writeAll(file: string, parts: Iterable<string | Uint8Array>): void {
  const fd = openSync(file, 'w');
  try {
    for (const p of parts) writeSync(fd, typeof p === 'string' ? Buffer.from(p) : p);
  } finally {
    closeSync(fd);
  }
}

export function generate(kind: string, dir: string): Generated {
  switch (kind) {
    case 'sparse-1gb': {
      // 1 GiB of zero bytes without writing them: the reader must stop at the first chunk, not load the file.
      const file = join(dir, 'huge-1gb-sparse.jsonl');
      const fd = openSync(file, 'w');
      ftruncateSync(fd, GIB);
      closeSync(fd);
      return { file };
    }
    case 'padded-1gb': {
      // 30 rows, then 1 GiB of blank 1 MiB lines (JSONL skips them), then a malformed row: only a reader that streams
      // to the end finds it, and its memory must stay far below the file size.
      const file = join(dir, 'huge-1gb-streamed.jsonl');
      const head = Array.from({ length: 30 }, (_, i) => goodRow(i)).join('\n') + '\n';
      const blank = Buffer.alloc(MIB, 0x20);
      blank[MIB - 1] = 0x0a;
      const pads = GIB / MIB;
      writeAll(file, (function* () {
        yield head;
        for (let k = 0; k < pads; k++) yield blank;
        yield '{"text": "the last row", "label": 1,,}\n';
      })());
      return { file, line: 30 + pads + 1 };
    }
    case 'array-10mb-line': {
      // A minified JSON array: every row on line 1 of a 10 MB line.
      const file = join(dir, 'huge-10mb-single-line.json');
      const rows: string[] = [];
      let bytes = 2;
      while (bytes < 10 * MIB) {
        const r = goodRow(rows.length);
        rows.push(r);
        bytes += r.length + 1;
      }
      writeAll(file, [`[${rows.join(',')}]`]);
      return { file, rows: rows.length };
    }
    case 'garbage-10mb-line': {
      // One 10 MB line that never closes its string: the message must name line 1 and stay short.
      const file = join(dir, 'huge-10mb-single-line.jsonl');
      writeAll(file, ['{"text": "', 'x'.repeat(10 * MIB), '\n']);
      return { file, line: 1 };
    }
    case 'quote-10mb-line': {
      const file = join(dir, 'huge-10mb-unclosed-quote.csv');
      writeAll(file, ['text,label\n"', 'y'.repeat(10 * MIB), ',0\n']);
      return { file, line: 2 };
    }
    default:
      throw new Error(`unknown generator ${kind}`);
  }
}
