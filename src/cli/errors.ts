import { CancelledError } from '../core/encoder';
import { InputError } from '../core/errors';

/** Exit codes: 0 ok, 1 internal error, 2 bad input or usage, 130 cancelled. */
export class UsageError extends Error {}

export function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`overlap-density: ${e.message}\nRun "overlap-density --help" for usage.\n`);
    return 2;
  }
  if (e instanceof InputError) {
    process.stderr.write(`overlap-density: error: ${e.message}\n`);
    return 2;
  }
  if (e instanceof CancelledError) {
    process.stderr.write('overlap-density: cancelled\n');
    return 130;
  }
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && typeof sys.path === 'string') {
    // A file-system failure on a path the user gave (an --out folder that cannot be created): bad input, not a bug.
    process.stderr.write(`overlap-density: error: ${sys.path}: ${sys.message}\n`);
    return 2;
  }
  const err = e as Error;
  // A message without a stack: set OVERLAP_DEBUG=1 to see where an internal error came from.
  process.stderr.write(`overlap-density: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.OVERLAP_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return 1;
}
