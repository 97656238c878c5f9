import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CancelledError } from '../core/encoder';
import { InputError, type InputHint } from '../core/errors';
import { cliName, OptionError } from '../pipeline/request';
import { printableText } from '../core/result/names';

/** How a CLI user makes the choice an input error asks for. */
const CLI_FIX: Record<InputHint, string> = {
  'text-field': 'set it with --text-field NAME, or several: --text-field title,description',
  'label-field': 'set it with --label-field NAME; for a CSV without a header row the columns are column_1, column_2, ...',
  header: 'set --header yes, no, or the column names',
  'class-names': 'set --class-names A,B,...',
};

/** File-system failures in words. Results and caches go to <data dir>/.overlap unless --out / --cache-dir say otherwise. */
const FS_WORDS: Record<string, string> = {
  EACCES: 'permission denied: this folder cannot be written here; give --out and --cache-dir (curate, check: --results-dir) in a folder you can write',
  EPERM: 'operation not permitted: give --out and --cache-dir (curate, check: --results-dir) in a folder you can write',
  EROFS: 'the file system is read-only: give --out and --cache-dir (curate, check: --results-dir) on a writable one',
  EEXIST: 'a file is in the way of a folder of that name (a .overlap that is a file?): move or remove it, or write elsewhere (analyze: --out and --cache-dir; check and curate: --results-dir; synth: another --out folder)',
  ENOTDIR: 'a part of this path is a file, not a folder: move it, or give another path',
  ENOSPC: 'no space left on the device: free some, or give --out and --cache-dir on another disk',
  EISDIR: 'this is a folder, not a file: give a file path',
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
    process.stderr.write(`overlap-density: error: ${printableText(e.message)}${fix}\n`);
    return 2;
  }
  if (e instanceof CancelledError) {
    process.stderr.write('overlap-density: cancelled\n');
    return 130;
  }
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && typeof sys.path === 'string') {
    // A file-system failure on a path the user gave (an --out folder that cannot be created): bad input, not a bug.
    // Said in words, with what to do; the system's own text follows for the record.
    // mkdir under a folder that exists fails with ENOENT on some read-only mounts (a bind mount): say what it means
    const unmakeable = sys.code === 'ENOENT' && sys.syscall === 'mkdir' && existsSync(dirname(sys.path));
    const words = unmakeable
      ? `this folder cannot be created in ${dirname(sys.path)} (a read-only or unwritable folder): give --out and --cache-dir (curate, check: --results-dir) in a folder you can write`
      : FS_WORDS[sys.code];
    process.stderr.write(`overlap-density: error: ${sys.path}: ${words ? `${words} (${sys.code})` : sys.message}\n`);
    return 2;
  }
  const err = e as Error;
  // A message without a stack: set OVERLAP_DEBUG=1 to see where an internal error came from.
  process.stderr.write(`overlap-density: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.OVERLAP_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return 1;
}
