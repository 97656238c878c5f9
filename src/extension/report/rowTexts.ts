/**
 * Row texts for the report table. Results carry no text, so the host reads the dataset (once, on the first page
 * that needs it) with the same readers the analysis used, and serves one page of snippets at a time.
 */
import { readDataset, type DatasetFormat } from '../../core/data';

export class RowTexts {
  private loaded: Promise<{ texts: (string | null)[]; lines: Int32Array }> | null = null;

  constructor(
    private readonly datasetPath: string,
    private readonly format?: DatasetFormat,
    private readonly read: typeof readDataset = readDataset,
  ) {}

  async get(indices: number[], maxChars: number): Promise<(string | null)[]> {
    const { texts } = await this.load();
    return indices.map((i) => {
      const t = texts[i];
      if (t === undefined || t === null) return null;
      return t.length > maxChars ? t.slice(0, maxChars) + '…' : t;
    });
  }

  /** Dataset row indices whose text contains `query`, case-insensitively, ascending. */
  async search(query: string): Promise<Int32Array> {
    const { texts } = await this.load();
    const q = query.toLowerCase();
    const hits: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i];
      if (t !== null && t.toLowerCase().includes(q)) hits.push(i);
    }
    return Int32Array.from(hits);
  }

  async all(): Promise<(string | null)[]> {
    return (await this.load()).texts;
  }

  /** 1-based start line of a row as the reader sees the file now; -1 when unknown. */
  async line(index: number): Promise<number> {
    const { lines } = await this.load();
    return index >= 0 && index < lines.length ? lines[index] : -1;
  }

  private load(): Promise<{ texts: (string | null)[]; lines: Int32Array }> {
    this.loaded ??= this.read(this.datasetPath, { format: this.format, lenient: true }).then((d) => {
      const n = d.rows.reduce((m, r) => Math.max(m, r.index + 1), 0);
      const texts = new Array<string | null>(n).fill(null);
      const lines = new Int32Array(n).fill(-1);
      for (const r of d.rows) {
        texts[r.index] = typeof r.text === 'string' ? r.text : null;
        lines[r.index] = r.line;
      }
      return { texts, lines };
    });
    // A failed read is not cached: the user may fix the file and try again.
    this.loaded.catch(() => (this.loaded = null));
    return this.loaded;
  }
}
