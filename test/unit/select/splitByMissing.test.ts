import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/select';
import type { DatasetRow } from '../../../src/core/data/types';
import type { SelectionResult } from '../../../src/core/select/schema';
import { setupFromColumn, type LoadedData } from '../../../src/pipeline/sources';

/** `select --split-by COLUMN`: rows without a value are left out with a warning naming them; none with a value is refused. */

function loaded(n: number, fields: (i: number) => Record<string, unknown>, opts: { keys?: boolean } = {}): LoadedData {
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const rows: DatasetRow[] = Array.from({ length: n }, (_, i) => ({
    index: i, line: opts.keys ? 1 : i + 2, endLine: opts.keys ? 1 : i + 2, label: labels[i], fields: fields(i),
    ...(opts.keys ? { key: String(100 + i) } : {}),
  }));
  return {
    name: 'mix.jsonl', path: '/data/mix.jsonl',
    weak: { kind: 'activations', acts: { rows: n, cols: 2, data: Float32Array.from({ length: n * 2 }, (_, k) => k % 5) } },
    strong: { rows: n, cols: 3, data: Float32Array.from({ length: n * 3 }, (_, k) => (k % 7) - 3) },
    labels, numClasses: 2, rows,
    encoders: { weak: { id: 'w', kind: 'activations', dim: 2 }, strong: { id: 's', kind: 'activations', dim: 3 } },
    notes: [],
  };
}

describe('setupFromColumn: rows without a value', () => {
  it('leaves them out with a warning naming the file, the count and the first lines', () => {
    const missing = new Set([3, 10, 11, 40, 41, 42, 77]);
    const s = setupFromColumn(loaded(90, (i) => (missing.has(i) ? {} : { origin: i % 2 ? 'web' : 'sms' })), 'origin', 0);
    const note = 'mix.jsonl: 7 of 90 rows have no value in column "origin" and were left out of every source (first at lines 5, 12, 13, 42, 43, ...)';
    expect(s.notes).toContain(note);
    const rows = s.sources.reduce((n, x) => n + x.labels.length + x.weakTrainRows! + x.testRows!, 0);
    expect(rows).toBe(83);
  });

  it('names one row, and the record of a keyed (WRENCH) file', () => {
    const one = setupFromColumn(loaded(30, (i) => (i === 0 ? { origin: null } : { origin: i % 2 })), 'origin', 0);
    expect(one.notes).toContain('mix.jsonl: 1 of 30 rows has no value in column "origin" and was left out of every source (at line 2)');
    const empty = setupFromColumn(loaded(30, (i) => (i < 2 ? { origin: '' } : { origin: i % 2 })), 'origin', 0);
    expect(empty.notes).toContain('mix.jsonl: 2 of 30 rows have no value in column "origin" and were left out of every source (first at lines 2, 3)');
    const w = setupFromColumn(loaded(30, (i) => (i === 4 ? {} : { origin: i % 2 }), { keys: true }), 'origin', 0);
    expect(w.notes).toContain('mix.jsonl: 1 of 30 rows has no value in column "origin" and was left out of every source (at line 1 (record "104"))');
  });

  it('says nothing when every row has a value', () => {
    const s = setupFromColumn(loaded(30, (i) => ({ origin: i % 2 })), 'origin', 0);
    expect(s.notes?.some((n) => n.includes('left out'))).toBe(false);
  });

  it('refuses a column no row has, with the file and the number of rows read', () => {
    expect(() => setupFromColumn(loaded(30, () => ({ other: 1 })), 'origin', 0)).toThrow(
      '/data/mix.jsonl: no row has a value in column "origin" (30 rows read; check the name; nested fields use dots, e.g. data.source)',
    );
  });
});

describe('select --split-by on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overlap-split-by-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** 240 rows with activations as fields; `origin` as `origin(i)` says. */
  function dataset(origin: (i: number) => string | undefined): string {
    const file = join(dir, `data-${Math.random().toString(36).slice(2)}.jsonl`);
    const lines = Array.from({ length: 240 }, (_, i) => {
      const y = i % 2;
      const o = origin(i);
      return JSON.stringify({
        text: `row ${i}`, label: y, ...(o !== undefined ? { origin: o } : {}),
        weak_acts: [y + Math.sin(i), Math.cos(i)], strong_acts: [y * 2 + Math.sin(3 * i) / 2, Math.cos(i), y - Math.sin(i)],
      });
    });
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  async function select(file: string): Promise<{ code: number; stderr: string; result?: SelectionResult }> {
    const out = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await run([
        file, '--split-by', 'origin', '--weak', 'field:weak_acts', '--strong', 'field:strong_acts',
        '--rounds', '2', '--per-round', '5', '--seeds', '1', '--quiet', '--out', out,
      ]);
      return { code, stderr: stderr.mock.calls.map((c) => String(c[0])).join(''), result: JSON.parse(readFileSync(out, 'utf8')) as SelectionResult };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('warns on stderr which rows of which file were left out, and records it in the result', async () => {
    const missing = new Set([5, 17, 60]);
    const file = dataset((i) => (missing.has(i) ? undefined : i % 4 < 2 ? 'sms' : 'web'));
    const { code, stderr, result } = await select(file);
    expect(code).toBe(0);
    const note = `${file.split('/').pop()}: 3 of 240 rows have no value in column "origin" and were left out of every source (first at lines 6, 18, 61)`;
    expect(stderr).toContain(`overlap-density: warning: ${note}\n`);
    expect(result!.warnings).toContain(note);
    expect(result!.sources.map((s) => s.name)).toEqual(['origin = sms', 'origin = web']);
  });

  it('refuses a column no row has', async () => {
    const file = dataset(() => undefined);
    await expect(select(file)).rejects.toThrow(`${file}: no row has a value in column "origin" (240 rows read;`);
  });
});
