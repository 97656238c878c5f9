/**
 * An error the user can act on: what failed, in which file and at which line (1-based) when known.
 * The CLI prints `message` without a stack; the extension shows it in a notification.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  /** Which choice fixes it; each surface names its own way to make it (a CLI flag, an editor command). */
  readonly hint?: InputHint;
  constructor(message: string, where?: { file?: string; line?: number; hint?: InputHint }) {
    const loc = where?.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
    super(loc + message);
    this.name = 'InputError';
    this.file = where?.file;
    this.line = where?.line;
    this.hint = where?.hint;
  }
}

/** A choice the user can make to fix an input error. */
export type InputHint = 'text-field' | 'label-field' | 'header' | 'class-names';

/** A problem that does not stop the work (a skipped line, a fallback). */
export interface Warning {
  message: string;
  file?: string;
  line?: number;
}

/** Thrown when an operation is cancelled through an AbortSignal. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
