/**
 * CLI messages quote data (class names, labels): each stays one plain line on the terminal, and a report asked for
 * under another format's name says it is HTML.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../src/cli/errors';
import { run as runReport } from '../../../src/cli/report';
import { writeWarning } from '../../../src/cli/warnings';
import { InputError } from '../../../src/core/errors';
import { buildResult } from '../report/build';

let written: string[] = [];
let dir = '';

beforeEach(() => {
  written = [];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-cli-msg-'));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('data in CLI messages', () => {
  it('a warning naming a class with a newline and an escape sequence is one line without control characters', () => {
    writeWarning('class neg\n\u001b[31mlong has only 1 row (line 6); check that it is a class label');
    expect(written).toEqual(['overlap-density: warning: class neg\ufffd\ufffd[31mlong has only 1 row (line 6); check that it is a class label\n']);
  });

  it('an input error quoting a label is one line too', () => {
    expect(reportError(new InputError('label "x\ny" is not one of the class names in label.json (a, b)', { file: 'd.jsonl', line: 3 }))).toBe(2);
    expect(written).toEqual(['overlap-density: error: d.jsonl:3: label "x\ufffdy" is not one of the class names in label.json (a, b)\n']);
  });
});

describe('report --out with another format\'s name', () => {
  it('writes the HTML page and says so for report.md; a .html name gets no warning', async () => {
    const result = path.join(dir, 'r.json');
    fs.writeFileSync(result, JSON.stringify(buildResult({ w2s: 40 })));
    expect(await runReport([result, '--out', path.join(dir, 'report.md'), '--no-texts'])).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(written.join('')).toContain('overlap-density: warning: report.md holds an HTML page (the report has no other format)');
    written = [];
    expect(await runReport([result, '--out', path.join(dir, 'report.html'), '--no-texts'])).toBe(0);
    expect(written.join('')).toBe('');
  });
});
