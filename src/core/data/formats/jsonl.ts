import type { ErrorPolicy } from '../errorPolicy';
import { parseJsonAt } from '../jsonParse';
import type { LineBatch } from '../lines';
import { describeType, isPlainObject, type RecordParser, type RecordSink } from '../records';

/** JSON Lines: one object per line; blank lines are skipped. */
export class JsonlParser implements RecordParser {
  constructor(
    private readonly policy: ErrorPolicy,
    private readonly sink: RecordSink,
  ) {}

  pushLines(batch: LineBatch): void {
    for (let k = 0; k < batch.lines.length; k++) {
      const text = batch.lines[k];
      if (text.trim().length === 0) continue;
      const line = batch.first + k;
      const parsed = parseJsonAt(text, line);
      if ('error' in parsed) {
        this.policy.rowError(parsed.error, parsed.line);
        continue;
      }
      if (!isPlainObject(parsed.value)) {
        this.policy.rowError(`expected one JSON object per line, got ${describeType(parsed.value)}`, line);
        continue;
      }
      this.sink({ fields: parsed.value, line, endLine: line });
    }
  }

  end(): void {}
}
