import { reportError, UsageError } from './errors';
import { TOOL_VERSION } from '../core/version';
import { followParent, relaunchWithHugePages } from './hugePages';

const USAGE = `overlap-density ${TOOL_VERSION}: overlap density and weak-to-strong generalization for a dataset

Usage:
  overlap-density analyze DATASET [--weak SPEC] [--strong SPEC] [--test-file FILE] [options] [--out result.json]
  overlap-density analyze --weak-acts W.npy --strong-acts S.npy --labels L.npy [--split SPLIT.npy]
                          [--membership M.npy] [options] --out result.json
  overlap-density synth --scenario mixed|easy|hard --n-overlap N --n-nonoverlap N [--seed S] --out DIR
  overlap-density select SOURCE... [--rounds T] [--per-round n] [--bonus code|ucb1]
                          [--strategies ucb,random,optimal] [--seeds K] [--reference synthetic|split]
                          [--split-by COLUMN|@votes] --out select.json
  overlap-density curate DATASET [--size N | --fraction F] [--seed S] [--out FILE] [--force] [--no-analyze]
  overlap-density check DATASET... [--config FILE] [--baseline RESULT.json] [--min-density X] [--min-pgr X]
                        [--format text|json|sarif] [--out FILE] [analysis options]   (exit 0 pass, 1 alarm, 2 bad input)
  overlap-density report RESULT.json [--out report.html]
  overlap-density demo [--out DIR]

Run "overlap-density COMMAND --help" for the options of a command.`;

type Command = (argv: string[]) => Promise<number>;

// A Map, not an object: a command name like "constructor" or "toString" must not find Object.prototype's.
const commands = new Map<string, () => Promise<{ run: Command }>>([
  ['analyze', () => import('./analyze')],
  ['synth', () => import('./synth')],
  ['select', () => import('./select')],
  ['curate', () => import('./curate')],
  ['check', () => import('./check')],
  ['report', () => import('./report')],
  ['demo', () => import('./demo')],
]);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const load = commands.get(name);
  if (!load) return reportError(new UsageError(`unknown command "${name}"`));
  try {
    return await (await load()).run(rest);
  } catch (e) {
    return reportError(e);
  }
}

/** Commands that analyse (and take hundreds of MB): they run with huge pages where the system offers them. */
const HEAVY = new Set(['analyze', 'check', 'curate', 'select', 'demo']);

/** main, or main again in a child started with huge pages (hugePages.ts) when the command is a heavy one. */
async function start(argv: string[]): Promise<number> {
  followParent();
  if (HEAVY.has(argv[0] ?? '')) {
    const code = await relaunchWithHugePages();
    if (code !== null) return code;
  }
  return main(argv);
}

if (require.main === module) {
  start(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => process.exit(reportError(e)),
  );
}
