import { CancelledError } from '../core/encoder';
import { InputError, type InputHint } from '../core/errors';
import { cliName, OptionError } from '../pipeline/request';

/** How a CLI user makes the choice an input error asks for. */
const CLI_FIX: Record<InputHint, string> = {
  'text-field': 'set it with --text-field NAME, or several: --text-field title,description',
  'label-field': 'set it with --label-field NAME; for a CSV without a header row the columns are column_1, column_2, ...',
  header: 'set --header yes, no, or the column names',
  'class-names': 'set --class-names A,B,...',
};

/** Exit codes: 0 ok, 1 internal error, 2 bad input or usage, 130 cancelled. */
export class UsageError extends Error {}

export function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`overlap-density: ${e.message}\nRun "overlap-density --help" for usage.\n`);
    return 2;
  }
  if (e instanceof OptionError) {
    // The request table names the option neutrally; the CLI says its flag.
    process.stderr.write(`overlap-density: ${cliName(e.option)} ${e.detail}\nRun "overlap-density --help" for usage.\n`);
    return 2;
  }
  if (e instanceof InputError) {
    const fix = e.hint ? ` (${CLI_FIX[e.hint]})` : '';
    process.stderr.write(`overlap-density: error: ${e.message}${fix}\n`);
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
