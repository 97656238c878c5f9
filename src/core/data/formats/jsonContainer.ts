import type { ErrorPolicy } from '../errorPolicy';
import { parseJsonAt } from '../jsonParse';
import { TopLevelJsonScanner, type JsonElement } from '../jsonScanner';
import type { LineBatch } from '../lines';
import { describeType, isPlainObject, type RecordParser, type RecordSink } from '../records';

/**
 * A JSON array of row objects (`[{...}, ...]`, line = the line of the row's `{`), or a WRENCH file: one object keyed
 * by row id, `{"0": {"label": .., "weak_labels": [..], "data": {"text": ..}}, ...}` (line = the line of the key).
 * Both stream member by member; rows keep file order.
 */
export class JsonContainerParser implements RecordParser {
  private readonly scanner: TopLevelJsonScanner;

  constructor(
    container: 'array' | 'object',
    private readonly policy: ErrorPolicy,
    private readonly sink: RecordSink,
    truncatedOk = false,
  ) {
    this.scanner = new TopLevelJsonScanner(container, policy, (el) => this.element(el), truncatedOk);
  }

  pushLines(batch: LineBatch): void {
    this.scanner.pushLines(batch);
  }

  end(): void {
    this.scanner.end();
  }

  private element(el: JsonElement): void {
    const parsed = parseJsonAt(el.text, el.line);
    if ('error' in parsed) {
      this.policy.rowError(parsed.error, parsed.line);
      return;
    }
    if (!isPlainObject(parsed.value)) {
      const what = el.key === undefined ? 'array item' : `value of key "${el.key}"`;
      this.policy.rowError(`expected each ${what} to be a row object, got ${describeType(parsed.value)}`, el.line);
      return;
    }
    this.sink({ fields: parsed.value, line: el.line, endLine: el.endLine, ...(el.key !== undefined ? { key: el.key } : {}) });
  }
}
