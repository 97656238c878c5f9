import { InputError, type Warning } from '../errors';

/** Lenient mode keeps at most this many warnings; the rest are counted in one summary line. */
const MAX_WARNINGS = 100;

/**
 * Decides what a row-level problem does: in strict mode it is fatal (an InputError naming file and line), in lenient
 * mode the row is skipped and the problem becomes a warning. Structural problems (binary file, truncated JSON) are
 * always fatal and use `fatal` directly.
 */
export class ErrorPolicy {
  readonly warnings: Warning[] = [];
  private suppressed = 0;
  skippedRows = 0;

  constructor(
    readonly file: string,
    readonly lenient: boolean,
  ) {}

  /** A bad row: throws in strict mode; in lenient mode records a warning and returns, and the caller skips the row. */
  rowError(message: string, line?: number): void {
    if (!this.lenient) throw this.fatal(message, line);
    this.skippedRows++;
    this.warn(`${message} (row skipped)`, line);
  }

  warn(message: string, line?: number): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ message, file: this.file, line });
    else this.suppressed++;
  }

  fatal(message: string, line?: number): InputError {
    return new InputError(message, { file: this.file, line });
  }

  /** The warnings, with one summary line when some were dropped to keep the list readable. */
  finalWarnings(): Warning[] {
    if (this.suppressed === 0) return this.warnings;
    return [...this.warnings, { message: `${this.suppressed} more warnings not shown`, file: this.file }];
  }
}
