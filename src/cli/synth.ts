import * as path from 'node:path';
import { generateSynthetic, type Scenario } from '../core/synth/generate';
import { randomThirds } from '../core/experiment/split';
import { writeNpyFile } from '../core/activations/file';
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
  --quiet                      accepted as by every command (synth shows no progress)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse({
    args: argv,
    options: {
      scenario: { type: 'string' }, 'n-overlap': { type: 'string' }, 'n-nonoverlap': { type: 'string' },
      seed: { type: 'string' }, 'absent-noise': { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' },
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
  const [weak, strong, labels, splitFile, membership] = ACTIVATION_FOLDER_FILES.map((f) => path.join(dir, f));
  await writeNpyFile(weak, data.weak.data, [n, data.weak.cols]);
  await writeNpyFile(strong, data.strong.data, [n, data.strong.cols]);
  await writeNpyFile(labels, data.labels, [n]);
  await writeNpyFile(splitFile, split, [n]);
  await writeNpyFile(membership, data.membership, [n]);
  process.stdout.write(`wrote ${n} rows (${scenario}) to ${dir}\n`);
  return 0;
}
