import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { generateSynthetic } from '../../../src/core/synth/generate';
import { syntheticJsonl } from '../../../src/extension/syntheticJsonl';
import { analyzeDatasetFile, resolveInputs } from '../../../src/pipeline/analyzeFile';

const OPTIONS = { weak: { kind: 'field', field: 'weak_acts' }, strong: { kind: 'field', field: 'strong_acts' }, analysis: { seeds: 1, pseudo: 'hard' }, history: false } as const;
const NOTE = /WRENCH folder without a test\.json: the test rows are a random third of train\.json/;

/** Synthetic rows as a WRENCH split: one object keyed by row id. */
function wrench(seed: number): string {
  const rows = syntheticJsonl(generateSynthetic({ scenario: 'mixed', nOverlap: 40, nNonOverlap: 80, seed })).trim().split('\n');
  return `{\n${rows.map((r, i) => `  "${i}": ${r}`).join(',\n')}\n}\n`;
}

describe('WRENCH folders and their test.json', () => {
  let root: string;
  let train: string;
  const folder = async (name: string, test?: string): Promise<string> => {
    const dir = path.join(root, name);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'train.json'), train);
    if (test !== undefined) await fs.writeFile(path.join(dir, 'test.json'), test);
    return dir;
  };
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'od-wrench-'));
    train = wrench(1);
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it('pairs train.json with a WRENCH test.json beside it', async () => {
    const dir = await folder('paired', wrench(2));
    const r = await resolveInputs(dir, undefined);
    expect(r).toMatchObject({ file: path.join(dir, 'train.json'), testFile: path.join(dir, 'test.json'), pairedBecause: expect.stringMatching(/WRENCH folder/) });
    expect(r.noTestBecause).toBeUndefined();
  });

  it('refuses a test.json that holds no records, is empty or has another layout, naming test.json', async () => {
    for (const [name, content, words] of [
      ['empty-object', '{}\n', /holds no records/],
      ['empty-array', '[ ]', /holds no records/],
      ['empty-file', '', /is empty/],
      ['rows-array', '[{"text": "a", "label": 0}]\n', /is not a WRENCH split file/],
    ] as const) {
      const dir = await folder(name, content);
      const err = await resolveInputs(dir, undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(new RegExp(`${name}/test\\.json: the test\\.json beside the WRENCH train\\.json`));
      expect((err as InputError).message).toMatch(words);
      expect((err as InputError).message).toMatch(/--test-file none/);
      // --test-file none and a named test file do not look at it
      await expect(resolveInputs(dir, null)).resolves.toEqual({ file: path.join(dir, 'train.json') });
    }
  });

  it('says when a WRENCH folder has no test.json: the test rows are a random third of train.json', async () => {
    const dir = await folder('no-test');
    expect((await resolveInputs(dir, undefined)).noTestBecause).toMatch(NOTE);
    const outcome = await analyzeDatasetFile(dir, { ...OPTIONS, outFile: path.join(root, 'no-test.result.json') });
    expect(outcome.result.warnings.filter((w) => NOTE.test(w))).toHaveLength(1);
    const none = await analyzeDatasetFile(dir, { ...OPTIONS, testFile: null, outFile: path.join(root, 'none.result.json') });
    expect(none.result.warnings.some((w) => NOTE.test(w))).toBe(false);
  });
});

describe('a weak probability field', () => {
  it('that is the label field is refused naming the file: the weak model would be the gold labels', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'od-problabel-'));
    try {
      const file = path.join(root, 'rows.jsonl');
      await fs.writeFile(file, syntheticJsonl(generateSynthetic({ scenario: 'mixed', nOverlap: 40, nNonOverlap: 80, seed: 3 })));
      const err = await analyzeDatasetFile(file, { ...OPTIONS, weak: { kind: 'probabilities', field: 'label' }, outFile: path.join(root, 'r.json') })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/rows\.jsonl: the weak probabilities' field "label" is the label field: the weak model would be the gold labels/);
      await expect(fs.stat(path.join(root, 'r.json'))).rejects.toThrow();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
