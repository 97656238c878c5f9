import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { generateSynthetic, type Scenario } from '../core/synth/generate';
import { randomThirds } from '../core/experiment/split';
import { sha256File, writeFileAtomic } from '../core/activations/file';
import { writeNpy } from '../core/activations/npy';
import { InputError } from '../core/errors';
import { TOOL_VERSION } from '../core/version';
import { ACTIVATION_FOLDER_FILES } from '../pipeline/outputs';
import { intOption, parse } from './options';
import { UsageError } from './errors';

const HELP = `overlap-density synth: the paper's Gaussian mixture with ground truth (METHOD.md section 5)

  --scenario mixed|easy|hard   what surrounds the overlap rows (mixed: half easy-only, half hard-only)
  --n-overlap N                overlap rows
  --n-nonoverlap N             easy-only + hard-only rows
  --seed S                     seed (default 0)
  --absent-noise X             std of noise in the absent block instead of zeros (default 0, the paper)
  --out DIR                    writes weak.npy strong.npy labels.npy split.npy membership.npy
                               (split: 0 weak-train, 1 W2S-train, 2 test; membership: 0 easy, 1 hard, 2 overlap)
                               and .overlap-synth (what it wrote, as JSON). Files of those names that synth did not write
                               (no .overlap-synth records them as they are) are refused, not replaced
  --force                      replace such files
  --quiet                      accepted as by every command (synth shows no progress)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse({
    args: argv,
    options: {
      scenario: { type: 'string' }, 'n-overlap': { type: 'string' }, 'n-nonoverlap': { type: 'string' },
      seed: { type: 'string' }, 'absent-noise': { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' }, force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const scenario = (values.scenario ?? 'mixed') as Scenario;
  if (!['mixed', 'easy', 'hard'].includes(scenario)) throw new UsageError(`--scenario must be mixed, easy or hard, got "${scenario}"`);
  if (!values.out) throw new UsageError('--out DIR is required');
  const absentNoise = values['absent-noise'] === undefined ? 0 : Number(values['absent-noise']);
  if (!Number.isFinite(absentNoise) || absentNoise < 0) throw new UsageError('--absent-noise must be a non-negative number');
  const seed = intOption(values, 'seed', 0, 0);
  const data = generateSynthetic({
    scenario,
    nOverlap: intOption(values, 'n-overlap', 0, 1000),
    nNonOverlap: intOption(values, 'n-nonoverlap', 0, 1000),
    seed,
    absentNoise,
  });
  if (data.labels.length < 21) throw new UsageError('need at least 21 rows in all (7 per split)');
  const split = randomThirds(data.labels.length, seed);
  const dir = values.out;
  const n = data.labels.length;
  const files = ACTIVATION_FOLDER_FILES.map((f) => path.join(dir, f));
  await refuseForeignFolderFiles(dir, Boolean(values.force));
  const arrays: [Parameters<typeof writeNpy>[0], number[]][] = [
    [data.weak.data, [n, data.weak.cols]], [data.strong.data, [n, data.strong.cols]], [data.labels, [n]], [split, [n]], [data.membership, [n]],
  ];
  const written: Record<string, string> = {};
  for (const [k, file] of files.entries()) {
    const bytes = writeNpy(arrays[k][0], arrays[k][1]);
    await writeFileAtomic(file, bytes);
    written[ACTIVATION_FOLDER_FILES[k]] = createHash('sha256').update(bytes).digest('hex');
  }
  // last: a file it names is one synth wrote, so the next synth into this folder may replace it
  const manifest = { tool: { name: 'overlap-density', version: TOOL_VERSION }, command: 'synth', scenario, seed, rows: n, sha256: written };
  await writeFileAtomic(path.join(dir, SYNTH_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`wrote ${n} rows (${scenario}) to ${dir}\n`);
  return 0;
}

/** What synth wrote into a folder: file name -> sha256 (the next synth may replace those files as they are). */
const SYNTH_MANIFEST = '.overlap-synth';

/**
 * Before anything is written: --out must be a folder (or nothing yet), and every file synth would write there either
 * absent or one that an earlier synth wrote and that has not changed since (its sha256 in .overlap-synth), unless
 * `force`: a researcher's own weak.npy or labels.npy (the names `select` asks for) is never replaced silently.
 */
async function refuseForeignFolderFiles(dir: string, force: boolean): Promise<void> {
  const info = await fs.stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new InputError('--out is a file; synth writes a folder of .npy files: give a folder path', { file: dir });
  if (!info || force) return;
  let recorded: Record<string, unknown> = {};
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, SYNTH_MANIFEST), 'utf8')) as { tool?: { name?: unknown }; sha256?: unknown };
    if (m?.tool?.name === 'overlap-density' && m.sha256 && typeof m.sha256 === 'object') recorded = m.sha256 as Record<string, unknown>;
  } catch {
    // no manifest (or not ours): every existing file is foreign
  }
  for (const name of [...ACTIVATION_FOLDER_FILES, SYNTH_MANIFEST]) {
    const file = path.join(dir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) continue;
    if (name === SYNTH_MANIFEST) {
      if (Object.keys(recorded).length === 0) throw new InputError('already there, and overlap-density synth did not write it; choose an empty folder, or pass --force to replace it', { file });
      continue;
    }
    const own = st.isFile() && Object.prototype.hasOwnProperty.call(recorded, name) && recorded[name] === (await sha256File(file));
    if (!own) {
      throw new InputError(
        'already there, and overlap-density synth did not write it (or it changed since): synth would replace it; choose an empty folder, or pass --force to replace it',
        { file },
      );
    }
  }
}
