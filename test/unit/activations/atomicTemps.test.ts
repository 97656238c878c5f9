import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/core/activations/file';

const dir = mkdtempSync(join(tmpdir(), 'od-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has exited (a child run to its end). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('writeFileAtomic and the temporary files of killed writes', () => {
  it('removes the orphans of the same file whose process is gone, and nothing else', async () => {
    const dead = deadPid();
    const orphan = `.data.json.${dead}.0a1b2c3d.tmp`;
    const ours = `.data.json.${process.pid}.0a1b2c3e.tmp`; // a write of this process still in flight
    const alive = `.data.json.${process.ppid}.0a1b2c3f.tmp`; // a running process (the test runner's parent)
    const otherName = `.other.json.${dead}.0a1b2c40.tmp`;
    const notOurs = ['.data.json.notes.tmp', `.data.json.${dead}.tmp`, `data.json.${dead}.0a1b2c41.tmp`];
    for (const f of [orphan, ours, alive, otherName, ...notOurs]) writeFileSync(join(dir, f), 'x');
    await writeFileAtomic(join(dir, 'data.json'), '{"v": 1}');
    expect(readFileSync(join(dir, 'data.json'), 'utf8')).toBe('{"v": 1}');
    expect(existsSync(join(dir, orphan))).toBe(false);
    for (const f of [ours, alive, otherName, ...notOurs]) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('.data.json.') && f.endsWith('.tmp')).sort()).toEqual([ours, alive, `.data.json.${dead}.tmp`, '.data.json.notes.tmp'].sort());
  });
});
