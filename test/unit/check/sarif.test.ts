import { describe, expect, it } from 'vitest';
import { evaluateCheck, relativeUri, RULE_INFO, toSarif, type CheckReport } from '../../../src/core/check';
import { buildResult, rowText } from '../report/build';
import { sarifSchema as schema, validateSarif as validate } from './sarifSchema';

function alarmingReport(): CheckReport {
  const r = buildResult();
  const texts = r.rows.map((row) => rowText(row.index));
  texts[r.rows[1].index] = texts[r.rows[0].index];
  r.rows[1].label = 1 - r.rows[0].label;
  return evaluateCheck(r, { minDensity: 0.99, minPgr: 0.9 }, { texts });
}

describe('SARIF output', () => {
  it('is the schema being used (the SARIF 2.1.0 title), and the schema refuses a broken log', () => {
    expect(schema.title).toMatch(/SARIF\) Version 2\.1\.0/);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false); // no tool
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    // Formats are checked: an artifact URI with a space is not a URI reference.
    const spaced = toSarif([{ relativePath: 'a.jsonl', report: alarmingReport() }], { version: '0.1.0' });
    (spaced.runs[0].results[0] as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }).locations[0].physicalLocation.artifactLocation.uri = 'my data.jsonl';
    expect(validate(spaced)).toBe(false);
  });

  it('validates against the SARIF 2.1.0 schema, with rules, levels, locations and evidence', () => {
    const report = alarmingReport();
    expect(report.status).toBe('alarm');
    const log = toSarif([{ relativePath: 'data/my reviews.jsonl', report }], { version: '0.1.0' });
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    expect((run.tool.driver.rules as { id: string }[]).map((r) => r.id)).toEqual(RULE_INFO.map((r) => r.id));
    const results = run.results as {
      ruleId: string; ruleIndex: number; level: string; message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      properties: Record<string, unknown>;
    }[];
    expect(results).toHaveLength(report.findings.length);
    for (const [i, f] of report.findings.entries()) {
      const r = results[i];
      expect(r.ruleId).toBe(f.ruleId);
      expect(RULE_INFO[r.ruleIndex].id).toBe(f.ruleId);
      expect(r.level).toBe(f.level);
      expect(r.message.text).toBe(f.message);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('data/my%20reviews.jsonl');
      expect(r.locations[0].physicalLocation.region.startLine).toBe(f.line);
      for (const [k, v] of Object.entries(f.evidence)) expect(r.properties[k]).toEqual(v);
    }
    expect(results.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['min-density', 'min-pgr', 'duplicate-label']));
  });

  it('a passing report and a base URI also validate; paths become URI references', () => {
    const r = buildResult();
    const log = toSarif([{ relativePath: 'a.jsonl', report: evaluateCheck(r, {}) }], { version: '0.1.0', baseUri: 'file:///repo' });
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].originalUriBaseIds).toEqual({ SRCROOT: { uri: 'file:///repo/' } });
    expect(relativeUri('./data\\sub dir/a#b.csv')).toBe('data/sub%20dir/a%23b.csv');
  });

  it('carries the analyses\' own warnings as tool notifications on each dataset (a pass must not read as all clear)', () => {
    const r = buildResult();
    const warning = 'the weak model is at chance level: test accuracy 0.500 against 0.500';
    const log = toSarif([
      { relativePath: 'a.jsonl', report: evaluateCheck(r, {}), warnings: [warning] },
      { relativePath: 'b c.jsonl', report: evaluateCheck(r, {}) },
    ], { version: '0.1.0' });
    expect(validate(log)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    const notes = (log.runs[0].invocations as { toolExecutionNotifications: { level: string; message: { text: string }; locations: unknown[] }[] }[])[0].toolExecutionNotifications;
    expect(notes).toEqual([{ level: 'warning', message: { text: warning }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.jsonl' } } }] }]);
  });
});
