/**
 * What a researcher who dumps hidden states with numpy / safetensors runs into (the sweep of 2026-12-07): synth over
 * their own arrays, --force over an input, flags the arrays form does not use, a tensor of a .safetensors file,
 * split files that leave a part or a class out, activations scaled far below the probes' penalty, and a report
 * aimed at the files a result was computed from. Each asserts the outcome a user sees: exit code, message, files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/core/activations/npy';
import { buildCli } from '../bad-input/cli';

let cli = '';
let dir = '';
let dispose = () => {};

const N = 300;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');

/** A safetensors file of named float32 / int64 tensors (8-byte header length, JSON header, data). */
function safetensors(tensors: Record<string, { dtype: 'F32' | 'I64'; shape: number[]; data: Float32Array | BigInt64Array }>): Buffer {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    parts.push(bytes);
    at += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...parts]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-sweep-'));
  ({ file: cli, dispose } = await buildCli());
  // labels with a signal the strong side sees better than the weak one
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const labels = BigInt64Array.from({ length: N }, (_, i) => BigInt(i % 2));
  const weak = new Float32Array(N * 8);
  const strong = new Float32Array(N * 16);
  for (let i = 0; i < N; i++) {
    const s = i % 2 ? 1 : -1;
    for (let j = 0; j < 8; j++) weak[i * 8 + j] = (j < 2 ? 0.6 * s : 0) + 2 * (rnd() - 0.5) * 1.7;
    for (let j = 0; j < 16; j++) strong[i * 16 + j] = (j < 6 ? 0.8 * s : 0) + 2 * (rnd() - 0.5) * 1.7;
  }
  const w = (f: string, bytes: Uint8Array | Buffer) => fs.writeFileSync(path.join(dir, f), bytes);
  w('W.npy', writeNpy(weak, [N, 8]));
  w('S.npy', writeNpy(strong, [N, 16]));
  w('S_small.npy', writeNpy(strong.map((v) => v * 1e-4), [N, 16]));
  w('L.npy', writeNpy(labels, [N]));
  w('bundle.safetensors', safetensors({
    hidden_8: { dtype: 'F32', shape: [N, 8], data: weak },
    hidden_16: { dtype: 'F32', shape: [N, 16], data: strong },
    labels: { dtype: 'I64', shape: [N], data: labels },
  }));
  // a split whose weak-train rows (code 0) are all class 0; one with no test rows
  w('split_weak1.npy', writeNpy(Int32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? (i % 2 === 0 ? 0 : 1) : i % 3)), [N]));
  w('split_notest.npy', writeNpy(Int32Array.from({ length: N }, (_, i) => i % 2), [N]));
});
afterAll(() => {
  dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const arrays = ['--device', 'cpu', '--seeds', '1', '--quiet'];

describe('the arrays form as numpy and safetensors users write it', () => {
  it('reads FILE#TENSOR for activations and labels, and the result names the tensor', () => {
    const r = run('analyze', '--weak-acts', 'bundle.safetensors#hidden_8', '--strong-acts', 'bundle.safetensors#hidden_16',
      '--labels', 'bundle.safetensors#labels', ...arrays, '--out', 'tensors.json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(fs.readFileSync(path.join(dir, 'tensors.json'), 'utf8'));
    expect(res.encoders.weak.id).toBe('bundle.safetensors#hidden_8');
    expect(res.encoders.strong.id).toBe('bundle.safetensors#hidden_16');
    // the same numbers as the .npy files of the same arrays
    const n = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', ...arrays, '--out', 'npy.json');
    expect(n.status).toBe(0);
    const npy = JSON.parse(fs.readFileSync(path.join(dir, 'npy.json'), 'utf8'));
    expect(res.accuracy).toEqual(npy.accuracy);
  });

  it('refuses dataset flags it would ignore (a test file never read)', () => {
    const r = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--test-file', 'nothere.npy', '--weak', 'glove-mean', '--out', 'x.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--weak, --test-file apply to a DATASET file/);
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
  });

  it('takes --class-names, one per class in ascending order of the label values', () => {
    const ok = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--class-names', 'neg,pos', ...arrays, '--out', 'names.json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'names.json'), 'utf8')).dataset.labelNames).toEqual(['neg', 'pos']);
    const bad = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--class-names', 'a,b,c', ...arrays, '--out', 'names2.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--class-names gives 3 names but L\.npy holds 2 classes/);
    // VALUE=NAME in any order names each label value
    const byValue = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--class-names', '1=pos,0=neg', ...arrays, '--out', 'names3.json');
    expect(byValue.status, byValue.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'names3.json'), 'utf8')).dataset.labelNames).toEqual(['neg', 'pos']);
    const wrongValue = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--class-names', '1=pos,2=neg', ...arrays, '--out', 'names4.json');
    expect(wrongValue.stderr).toMatch(/--class-names names the label values 1, 2 but L\.npy holds 0, 1/);
  });

  it('refuses the labels file given as activations, and warns of a copy of the labels among the activations', () => {
    const r = run('analyze', '--weak-acts', 'L.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', ...arrays, '--out', 'leak.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/L\.npy: --weak-acts is the --labels file: the probes would read the answer/);
    fs.copyFileSync(path.join(dir, 'L.npy'), path.join(dir, 'L_copy.npy'));
    const copy = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'L_copy.npy', '--labels', 'L.npy', '--device', 'cpu', '--seeds', '1', '--out', 'leak2.json');
    expect(copy.status).toBe(0);
    expect(copy.stderr).toMatch(/warning: .*L_copy\.npy \(strong activations\): column 0 of the strong activations holds the label \(one value per class on every row: 0: 0, 1: 1\), and it is their only column/);
  });

  it('blames a split whose weak-train rows hold one class, or that has no test rows, on the split file', () => {
    const one = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--split', 'split_weak1.npy', ...arrays, '--out', 's1.json');
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/split_weak1\.npy: the weak-train split holds class 0 only/);
    const none = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--split', 'split_notest.npy', ...arrays, '--out', 's2.json');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/split_notest\.npy: the test split is empty: the split marks no row 2/);
  });

  it('warns when rows are far too short for the probes\' penalty, and says by how much to scale them', () => {
    const r = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S_small.npy', '--labels', 'L.npy', '--device', 'cpu', '--seeds', '1', '--out', 'small.json');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: the strong activations' rows are short \(median length [0-9.e-]+\) for the probes' penalty \(l2 0\.001\).*multiply every value by one constant \(for example 1000\)/);
    const plain = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--device', 'cpu', '--seeds', '1', '--out', 'plain.json');
    expect(plain.stderr).not.toMatch(/rows are short/);
  });
});

describe('curate with activation files', () => {
  it('writes the curated file and says why it is not analysed (the files hold the input\'s rows)', () => {
    fs.writeFileSync(path.join(dir, 'd.jsonl'), Array.from({ length: N }, (_, i) => JSON.stringify({ text: `row ${i}`, label: i % 2 })).join('\n') + '\n');
    const r = run('curate', 'd.jsonl', '--size', '50', '--weak', 'npy:W.npy', '--strong', 'npy:S.npy', '--device', 'cpu', '--seeds', '1', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote d\.curated\.jsonl \(50 rows/);
    expect(r.stderr).toMatch(/the curated file was written but could not be analysed: --weak and --strong name activation files with one row per row of d\.jsonl, not of the curated file/);
    expect(fs.existsSync(path.join(dir, 'd.curated.test.jsonl'))).toBe(false);
  });
});

describe('outputs never replace inputs', () => {
  it('synth refuses files it did not write, replaces its own, and refuses its own once changed', () => {
    fs.mkdirSync(path.join(dir, 'mine'));
    fs.copyFileSync(path.join(dir, 'W.npy'), path.join(dir, 'mine', 'weak.npy'));
    const before = sha('mine/weak.npy');
    const r = run('synth', '--scenario', 'easy', '--n-overlap', '30', '--n-nonoverlap', '30', '--out', 'mine');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/mine\/weak\.npy: already there, and overlap-density synth did not write it/);
    expect(sha('mine/weak.npy')).toBe(before);
    expect(fs.readdirSync(path.join(dir, 'mine'))).toEqual(['weak.npy']);
    // its own folder: written again freely
    expect(run('synth', '--scenario', 'easy', '--n-overlap', '30', '--n-nonoverlap', '30', '--out', 'syn').status).toBe(0);
    expect(run('synth', '--scenario', 'mixed', '--n-overlap', '40', '--n-nonoverlap', '30', '--out', 'syn').status).toBe(0);
    // ...until a file in it changes
    fs.copyFileSync(path.join(dir, 'L.npy'), path.join(dir, 'syn', 'labels.npy'));
    const again = run('synth', '--scenario', 'easy', '--n-overlap', '30', '--n-nonoverlap', '30', '--out', 'syn');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/labels\.npy: already there, and overlap-density synth did not write it \(or it changed since\)/);
    // --force replaces
    expect(run('synth', '--scenario', 'easy', '--n-overlap', '30', '--n-nonoverlap', '30', '--out', 'mine', '--force').status).toBe(0);
  });

  it('report never writes over the arrays a result was computed from, with --force too', () => {
    const r = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--split', 'split_weak1.npy', ...arrays, '--out', 'ignored.json');
    expect(r.status).toBe(2); // (that split is refused; use one that works)
    fs.writeFileSync(path.join(dir, 'thirds.npy'), writeNpy(Int32Array.from({ length: N }, (_, i) => i % 3), [N]));
    expect(run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', '--split', 'thirds.npy', ...arrays, '--out', 'arr.json').status).toBe(0);
    const hashes = ['W.npy', 'S.npy', 'L.npy', 'thirds.npy'].map(sha);
    for (const [target, role] of [['thirds.npy', 'an input of this result'], ['S.npy', 'the strong activations of this result'], ['W.npy', 'the weak activations of this result'], ['L.npy', '']] as const) {
      const rep = run('report', 'arr.json', '--out', target, '--force');
      expect(rep.status, target).toBe(2);
      expect(rep.stderr, target).toMatch(new RegExp(`${target.replace('.', '\\.')}: .*${role}.*writing it would destroy an input`));
    }
    expect(['W.npy', 'S.npy', 'L.npy', 'thirds.npy'].map(sha)).toEqual(hashes);
    const ok = run('report', 'arr.json', '--out', 'arr.html');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/row texts: left out because an analysis of activation arrays \(\.npy\) has no row texts/);
  });

  it('select does not replace an analysis result, and report says what a selection result is', () => {
    const sel = run('select', 'syn', 'syn', '--rounds', '3', '--seeds', '1', '--quiet', '--out', 'arr.json');
    expect(sel.status).toBe(2);
    expect(sel.stderr).toMatch(/arr\.json: --out is an analysis result, and this run writes a selection result/);
    expect(run('synth', '--scenario', 'easy', '--n-overlap', '30', '--n-nonoverlap', '30', '--out', 'selA').status).toBe(0);
    expect(run('synth', '--scenario', 'hard', '--n-overlap', '30', '--n-nonoverlap', '30', '--seed', '3', '--out', 'selB').status).toBe(0);
    expect(run('select', 'selA', 'selB', '--rounds', '3', '--seeds', '1', '--quiet', '--out', 'sel.json').status).toBe(0);
    const rep = run('report', 'sel.json');
    expect(rep.status).toBe(2);
    expect(rep.stderr).toMatch(/sel\.json: this is a selection result \(overlap-density select\), not an analysis result/);
    const over = run('analyze', '--weak-acts', 'W.npy', '--strong-acts', 'S.npy', '--labels', 'L.npy', ...arrays, '--out', 'sel.json');
    expect(over.status).toBe(2);
    expect(over.stderr).toMatch(/sel\.json: --out is a selection result, and this run writes an analysis result/);
  });
});
