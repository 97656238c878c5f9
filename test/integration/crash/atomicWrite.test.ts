/**
 * Crash safety of result writes (DESIGN.md "Bad input and safety"): a child process rewrites a ~2.5 MB results file
 * with the product's writeResult (writeFileAtomic) in a loop and is killed with SIGKILL at a random moment, again and
 * again. After every kill the file must be exactly the last version the child finished or the one it was writing
 * (parsed by loadResult, then compared byte for byte), never a mix, a truncation or nothing. Interrupted writes leave
 * their temporary files behind until the next completed write of the file removes them (their process is gone); the
 * test counts them and checks that the product's file patterns ignore them.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateKind } from '../../../src/extension/datasetFiles';
import { loadResult, writeResult } from '../../../src/pipeline/results';
import { resultOfVersion, versionOf } from './content';

const KILLS = 200;
/** Random kills land uniformly within this many ms after the writer is ready: several writes of the file. */
const MAX_DELAY_MS = 120;
/** Mid-write kills land within this many ms after the temporary file appears. */
const MAX_WRITE_DELAY_MS = 8;

const dir = mkdtempSync(join(tmpdir(), 'overlap-crash-'));
const target = join(dir, 'data.jsonl.result.json');
const writer = join(dir, 'writer.cjs');
const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const expectedHash = new Map<number, string>();
const hashOfVersion = (v: number) => {
  let h = expectedHash.get(v);
  if (!h) expectedHash.set(v, (h = sha(JSON.stringify(resultOfVersion(v)))));
  return h;
};

beforeAll(async () => {
  await build({
    entryPoints: [resolve(__dirname, 'writer.ts')], outfile: writer, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent',
  });
  await writeResult(target, resultOfVersion(0));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the writer at version `from` and kills it: `random` mode, `delayMs` after it is ready (any moment: building
 * the JSON, writing, fsync, rename, between writes); `mid-write` mode, `delayMs` after a new temporary file appears
 * (inside writeFileAtomic). Returns the last version the writer acknowledged.
 */
function killRun(from: number, mode: 'random' | 'mid-write' | 'after-ack' | 'naive', delayMs: number): Promise<{ acked: number }> {
  return new Promise((done, fail) => {
    const tempsBefore = new Set(readdirSync(dir).filter((f) => f.endsWith('.tmp')));
    const args = mode === 'naive' ? [writer, target, String(from), '--naive'] : [writer, target, String(from)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = from;
    let buffered = '';
    let stderr = '';
    let poll: NodeJS.Timeout | undefined;
    const killIn = (ms: number) => setTimeout(() => child.kill('SIGKILL'), ms);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line !== 'ready') {
          // `after-ack`: kill only once a write has completed, so the test makes progress however slow the machine.
          if (mode === 'after-ack' && acked === from) killIn(delayMs);
          acked = Number(line);
        } else if (mode === 'after-ack') continue;
        else if (mode !== 'mid-write') killIn(delayMs);
        else {
          poll = setInterval(() => {
            if (readdirSync(dir).some((f) => f.endsWith('.tmp') && !tempsBefore.has(f))) {
              clearInterval(poll);
              killIn(delayMs);
            }
          }, 1);
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal !== 'SIGKILL') fail(new Error(`writer exited by itself (code ${code}): ${stderr}`));
      else done({ acked });
    });
  });
}

describe('atomic result writes under SIGKILL', () => {
  it(`the file is always the old or the new version after each of ${KILLS} kills`, async () => {
    let version = 0;
    let newer = 0;
    let interrupted = 0;
    const problems: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const tempsBefore = new Set(readdirSync(dir).filter((f) => f.endsWith('.tmp')));
      // Half at random moments, half just after a write began; every tenth run after a completed write instead of at
      // a random moment (on a loaded machine one write can take longer than MAX_DELAY_MS, and then no random kill
      // would ever let a version finish: the file would be old every time and the test would prove less).
      const mode = k % 2 === 1 ? 'mid-write' : k % 10 === 0 ? 'after-ack' : 'random';
      const { acked } = await killRun(version, mode, Math.random() * (mode === 'mid-write' ? MAX_WRITE_DELAY_MS : MAX_DELAY_MS));
      const bytes = readFileSync(target);
      let v: number | undefined;
      try {
        v = versionOf(await loadResult(target));
      } catch (e) {
        problems.push(`kill ${k}: the file does not load: ${(e as Error).message}`);
        continue;
      }
      // Old = the last version whose write returned; new = the one in flight (its rename may precede the ack).
      if (v === undefined || (v !== acked && v !== acked + 1)) {
        problems.push(`kill ${k}: the file is version ${v}, expected ${acked} or ${acked + 1}`);
      } else if (sha(bytes) !== hashOfVersion(v)) {
        problems.push(`kill ${k}: the file claims version ${v} but its bytes differ from that version's`);
      }
      if (v === acked + 1) newer++;
      if (readdirSync(dir).some((f) => f.endsWith('.tmp') && !tempsBefore.has(f))) interrupted++;
      version = v ?? acked;
    }
    const temps = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    const partial = temps.filter((f) => statSync(join(dir, f)).size < statSync(target).size).length;
    process.stdout.write(
      `crash test: ${KILLS} kills (half just after a write began, the rest at random moments, 1 in 5 of them after a write ` +
        `completed), final version ${version}; ` +
        `${interrupted} kills interrupted a write (temporary file left, ` +
        `${partial} of them partial); ${newer} kills came after a rename but before its acknowledgement; ` +
        `${problems.length} torn or unreadable files; ${temps.length} temporary files left at the end (each write removes ` +
        `the orphans of the kills before it)\n`,
    );
    expect(problems).toEqual([]);
    expect(version, 'the writer made progress between kills').toBeGreaterThan(0);
    expect(interrupted, 'some kills landed mid-write (otherwise the test proves nothing)').toBeGreaterThan(0);
    expect(temps.length, 'orphaned temporary files do not pile up: a completed write removes those of dead writers').toBeLessThan(interrupted);

    // Leftover temporary files: dot-files ending in .tmp, never taken for a dataset or a results file.
    for (const t of temps) {
      expect(t.startsWith(`.${basename(target)}.`), t).toBe(true);
      expect(candidateKind(join(dir, t)), `${t} is never listed as a dataset`).toBe('never');
      expect(/\.result\.json$/.test(t), `${t} does not match the results pattern`).toBe(false);
    }
  });

  it('control: the same kills tear a file rewritten in place (so the check can see a torn file)', async () => {
    await writeResult(target, resultOfVersion(0));
    let version = 0;
    let torn = 0;
    let kills = 0;
    for (; kills < 200 && torn === 0; kills++) {
      const { acked } = await killRun(version, 'naive', Math.random() * MAX_DELAY_MS);
      try {
        const v = versionOf(await loadResult(target));
        if (v === undefined || sha(readFileSync(target)) !== hashOfVersion(v)) torn++;
        version = v ?? acked;
      } catch {
        torn++;
        version = acked;
      }
    }
    process.stdout.write(`crash test control: in-place writes: ${torn > 0 ? `a torn file after ${kills} kills` : 'no torn file in 200 kills'}\n`);
    expect(torn).toBeGreaterThan(0);
  });
});
