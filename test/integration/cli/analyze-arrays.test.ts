import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../bad-input/cli';

/**
 * The CLI as a user runs it: synth writes arrays, analyze reads them and writes the versioned result JSON. The bundle
 * is bad-input/cli.ts's, where onnxruntime-node resolves: the arrays form runs its products on it too.
 */
let cli = '';
let dir = '';
let dispose = () => {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-cli-'));
  ({ file: cli, dispose } = await buildCli());
});
afterAll(() => {
  dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });

describe('overlap-density synth + analyze on arrays', () => {
  it('writes every documented field and a one-line summary', () => {
    const s = run('synth', '--scenario', 'mixed', '--n-overlap', '600', '--n-nonoverlap', '1200', '--seed', '2', '--out', 'syn');
    expect(s.status).toBe(0);
    for (const f of ['weak', 'strong', 'labels', 'split', 'membership']) expect(fs.existsSync(path.join(dir, 'syn', `${f}.npy`))).toBe(true);
    const a = run('analyze', '--device', 'cpu', '--weak-acts', 'syn/weak.npy', '--strong-acts', 'syn/strong.npy', '--labels', 'syn/labels.npy',
      '--split', 'syn/split.npy', '--membership', 'syn/membership.npy', '--hard-rule', 'probing', '--align', 'abs-cosine-max',
      '--pseudo', 'hard', '--seeds', '2', '--quiet', '--out', 'r.json');
    // The only warnings allowed are the detector's sanity notices (abs-cosine-max on 2 seeds may well not separate).
    expect(a.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('overlap-density: warning: detector sanity: '))).toEqual([]);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^weak 0\.\d{3} · strong 0\.\d{3} · W2S 0\.\d{3} · PGR .* · overlap density .* · regime (low|medium|high|undetermined)/);
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'r.json'), 'utf8'));
    // The verdict line is the stored verdict's sentence; the effect has one value per mixing seed.
    expect(a.stdout.split('\n')[1]).toBe(`verdict: ${r.verdict.sentence}`);
    expect(r.overlapEffect.vsNonOverlap.perSeed).toHaveLength(2);
    expect(r.sanity.notices.map((n: string) => `overlap-density: warning: detector sanity: ${n}`)).toEqual(
      a.stderr.split('\n').filter((l) => l.startsWith('overlap-density: warning: detector sanity: ')),
    );
    expect(r.schemaVersion).toBe(1);
    for (const k of ['weak', 'strong', 'w2s']) expect(r.accuracy[k]).toBeGreaterThan(0.5);
    expect(r.detection.hardRule).toBe('probing');
    expect(r.detection.align).toBe('abs-cosine-max');
    for (const k of ['confidenceThreshold', 'confidenceBreakpoint', 'alignThreshold', 'alignBreakpoint', 'usedFallback', 'overlapDensity']) {
      expect(r.detection).toHaveProperty(k);
    }
    expect(Object.keys(r.detection.counts).sort()).toEqual(['easy', 'hard', 'overlap']);
    expect(r.rows).toHaveLength(1800);
    expect(r.rows[0]).toHaveProperty('index');
    expect(r.rows.some((x: { category: string | null }) => x.category === 'overlap')).toBe(true);
    expect(r.mixing.proportions).toHaveLength(11);
    expect(r.mixing.perSeed).toHaveLength(2);
    expect(r.regime.rule).toContain(r.regime.label);
    expect(r.groundTruth.perCategory.overlap).toHaveProperty('f1');
    expect(typeof r.pgr === 'number' || r.pgr === null).toBe(true);
  });

  it('documents every option in --help and refuses unknown ones with exit 2', () => {
    const h = run('analyze', '--device', 'cpu', '--help');
    expect(h.status).toBe(0);
    for (const flag of ['--weak-acts', '--strong-acts', '--labels', '--split', '--membership', '--hard-rule', '--align', '--pseudo', '--l2', '--seed', '--seeds', '--out']) {
      expect(h.stdout).toContain(flag);
    }
    const bad = run('analyze', '--device', 'cpu', '--frobnicate');
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('is reproducible: the same seed gives the same result', () => {
    const args = ['analyze', '--device', 'cpu', '--weak-acts', 'syn/weak.npy', '--strong-acts', 'syn/strong.npy', '--labels', 'syn/labels.npy', '--seeds', '1', '--quiet'];
    run(...args, '--out', 'a.json');
    run(...args, '--out', 'b.json');
    const strip = (f: string) => {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      delete r.createdAt;
      delete r.timings;
      return r;
    };
    expect(strip('a.json')).toEqual(strip('b.json'));
  });
});
