/**
 * An error the user can act on: what failed, in which file and at which line (1-based) when known.
 * The CLI prints `message` without a stack; the extension shows it in a notification.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, where?: { file?: string; line?: number }) {
    const loc = where?.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
    super(loc + message);
    this.name = 'InputError';
    this.file = where?.file;
    this.line = where?.line;
  }
}

/** A problem that does not stop the work (a skipped line, a fallback). */
export interface Warning {
  message: string;
  file?: string;
  line?: number;
}
