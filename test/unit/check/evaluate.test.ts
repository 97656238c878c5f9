import { describe, expect, it } from 'vitest';
import {
  baselineRows, densityDropMargin, evaluateCheck, pgrDropMargin, type BaselineResult, type CheckReport, type Finding,
} from '../../../src/core/check';
import type { AnalysisResult } from '../../../src/core/result/schema';
import { buildResult, rowText } from '../report/build';

const ids = (r: CheckReport, level?: Finding['level']) => [...new Set(r.findings.filter((f) => !level || f.level === level).map((f) => f.ruleId))];
const outcome = (r: CheckReport, id: string) => r.checks.find((c) => c.ruleId === id)!;
const textsOf = (r: AnalysisResult) => r.rows.map((row) => rowText(row.index));

/** A result whose mixing curve gives per-seed slopes `slopes` (so the overlap effect's interval is known). */
function withSlopes(slopes: number[], o: Parameters<typeof buildResult>[0] = {}): AnalysisResult {
  const r = buildResult(o);
  const P = r.mixing!.proportions;
  r.mixing!.perSeed = slopes.map((s) => P.map((p) => 0.7 + s * p));
  r.mixing!.seeds = slopes.map((_, i) => i);
  r.mixing!.randomBaseline = { mean: 0.7, std: 0, perSeed: slopes.map(() => 0.7) };
  return r;
}

describe('evaluateCheck: dataset-level rules', () => {
  it('defaults on a result with a rising curve: pass, nothing to report; the effect rule is off by default', () => {
    const r = buildResult();
    const rep = evaluateCheck(r, {}, { texts: textsOf(r) });
    expect(rep.status).toBe('pass');
    expect(rep.findings).toEqual([]);
    expect(outcome(rep, 'overlap-effect').outcome).toBe('skipped');
    expect(evaluateCheck(withSlopes([-0.05, -0.06, -0.055]), {}).status).toBe('pass');
    expect(outcome(evaluateCheck(r, { overlapEffect: 'not-negative' }), 'overlap-effect').outcome).toBe('pass');
    expect(outcome(rep, 'density-drop')).toEqual({ ruleId: 'density-drop', outcome: 'skipped', detail: 'no baseline' });
    expect(rep.summary).toMatch(/^pass: 0 errors, 0 warnings, 0 notes · overlap density \d+\.\d% · PGR 0\.38/);
  });

  it('minDensity: pass at or under the density, alarm above it, with the numbers', () => {
    const r = buildResult();
    const d = r.detection.overlapDensity;
    expect(evaluateCheck(r, { minDensity: d }).status).toBe('pass');
    const rep = evaluateCheck(r, { minDensity: d + 0.01 });
    expect(rep.status).toBe('alarm');
    const f = rep.findings.find((x) => x.ruleId === 'min-density')!;
    expect(f).toMatchObject({ level: 'error', line: 1, evidence: { density: d, minDensity: d + 0.01 } });
    expect(f.message).toContain(`${r.detection.counts.overlap} of ${r.dataset.splits.w2sTrain} W2S-train rows`);
    expect(rep.summary).toMatch(/^ALARM: 1 error, 0 warnings, 0 notes · /);
  });

  it('minPgr: pass, alarm, and a warning (not an alarm unless failOn warning) when PGR cannot be measured', () => {
    const r = buildResult(); // PGR (0.76 - 0.7) / (0.86 - 0.7) = 0.375
    expect(evaluateCheck(r, { minPgr: 0.3 }).status).toBe('pass');
    const low = evaluateCheck(r, { minPgr: 0.5 });
    expect(low.status).toBe('alarm');
    expect(low.findings[0]).toMatchObject({ ruleId: 'min-pgr', level: 'error', evidence: { pgr: r.pgr, minPgr: 0.5 } });
    const flat = buildResult({ accuracy: { weak: 0.7, strong: 0.7, w2s: 0.7 } });
    flat.pgr = null;
    flat.regime = { label: 'undetermined', rule: 'undetermined' };
    const rep = evaluateCheck(flat, { minPgr: 0.1 });
    expect(rep.status).toBe('pass');
    expect(rep.findings.map((f) => [f.ruleId, f.level])).toEqual([['min-pgr', 'warning']]);
    expect(evaluateCheck(flat, { minPgr: 0.1, failOn: 'warning' }).status).toBe('alarm');
  });

  it('overlapEffect: positive / not-negative / any against positive, unresolved and negative effects', () => {
    const positive = withSlopes([0.05, 0.06, 0.055]);
    const unresolved = withSlopes([0.05, -0.04, 0.01]);
    const negative = withSlopes([-0.05, -0.06, -0.055]);
    const status = (r: AnalysisResult, req: 'positive' | 'not-negative' | 'any') => evaluateCheck(r, { overlapEffect: req }).status;
    expect([status(positive, 'positive'), status(positive, 'not-negative'), status(positive, 'any')]).toEqual(['pass', 'pass', 'pass']);
    expect([status(unresolved, 'positive'), status(unresolved, 'not-negative'), status(unresolved, 'any')]).toEqual(['alarm', 'pass', 'pass']);
    expect([status(negative, 'positive'), status(negative, 'not-negative'), status(negative, 'any')]).toEqual(['alarm', 'alarm', 'pass']);
    const f = evaluateCheck(negative, { overlapEffect: 'not-negative' }).findings[0];
    expect(f).toMatchObject({ ruleId: 'overlap-effect', level: 'error', line: 1, evidence: { direction: 'negative', required: 'not-negative' } });
    expect(f.message).toContain('worse than training on non-overlap rows (-0.055, 95% CI');
  });

  it('an unmeasured effect (one seed) alarms only when a positive effect is required', () => {
    const one = withSlopes([0.08]);
    expect(evaluateCheck(one, { overlapEffect: 'positive' }).status).toBe('alarm');
    const rep = evaluateCheck(one, { overlapEffect: 'not-negative' });
    expect(rep.status).toBe('pass');
    expect(rep.findings.map((f) => [f.ruleId, f.level])).toEqual([['overlap-effect', 'note']]);
    expect(rep.findings[0].message).toContain('not measured');
  });
});

/** Results as the analysis of SST-2 dev gave them with seeds 0..5 (872 rows: 290 W2S-train, 291 test; docs/check.md). */
const SST2_SEEDS = [
  { weak: 0.601, strong: 0.735, w2s: 0.653, pgr: 0.38, density: 0.345 },
  { weak: 0.619, strong: 0.784, w2s: 0.629, pgr: 0.06, density: 0.362 },
  { weak: 0.622, strong: 0.739, w2s: 0.656, pgr: 0.29, density: 0.431 },
  { weak: 0.66, strong: 0.766, w2s: 0.643, pgr: -0.16, density: 0.414 },
  { weak: 0.595, strong: 0.746, w2s: 0.625, pgr: 0.2, density: 0.466 },
  { weak: 0.656, strong: 0.77, w2s: 0.663, pgr: 0.06, density: 0.448 },
];

function sst2Like(s: (typeof SST2_SEEDS)[number], seed: number): AnalysisResult {
  const r = buildResult({ seed: 11 + seed, accuracy: { weak: s.weak, strong: s.strong, w2s: s.w2s } });
  r.pgr = s.pgr;
  r.detection.overlapDensity = s.density;
  r.dataset.splits = { weakTrain: 291, w2sTrain: 290, test: 291 };
  r.options.seed = seed;
  return r;
}

describe('evaluateCheck: drops against a baseline, and their noise margins', () => {
  it('another analysis seed on SST-2 dev never raises a drop alarm (all 30 ordered pairs of 6 seeds)', () => {
    const results = SST2_SEEDS.map(sst2Like);
    for (const base of results) {
      for (const cur of results) {
        if (base === cur) continue;
        const rep = evaluateCheck(cur, { overlapEffect: 'any' }, { baseline: base });
        expect(ids(rep, 'error'), `baseline seed ${base.options.seed}, current seed ${cur.options.seed}`).toEqual([]);
      }
    }
    // The largest density fall among them (46.6% -> 34.5%) is within 0.05 + the margin, but not within the margin alone.
    const m = densityDropMargin(results[4], results[0]);
    expect(0.466 - 0.345).toBeGreaterThan(m);
    expect(0.466 - 0.345).toBeLessThan(0.05 + m);
  });

  it('a real fall beyond the margin alarms, with the margin in the evidence', () => {
    const base = sst2Like(SST2_SEEDS[0], 0);
    const fell = sst2Like({ ...SST2_SEEDS[0], density: 0.15 }, 0);
    const rep = evaluateCheck(fell, { overlapEffect: 'any' }, { baseline: base });
    expect(rep.status).toBe('alarm');
    const f = rep.findings.find((x) => x.ruleId === 'density-drop')!;
    expect(f.evidence).toMatchObject({ density: 0.15, baselineDensity: 0.345, maxDensityDrop: 0.05 });
    expect(f.evidence.margin).toBeCloseTo(densityDropMargin(base, fell), 12);
    // maxDensityDrop loosens it.
    expect(evaluateCheck(fell, { overlapEffect: 'any', maxDensityDrop: 0.2 }, { baseline: base }).status).toBe('pass');
  });

  it('PGR: the margin is the verdict margin carried to PGR; a large set makes a small fall visible', () => {
    const big = (pgr: number, w2s: number) => {
      const r = buildResult({ accuracy: { weak: 0.7, strong: 0.9, w2s } });
      r.pgr = pgr;
      r.dataset.splits = { weakTrain: 20000, w2sTrain: 20000, test: 20000 };
      return r;
    };
    const base = big(0.6, 0.82);
    const cur = big(0.35, 0.77);
    const m = pgrDropMargin(base, cur)!;
    // eps = max(0.005, sqrt(0.7 * 0.3 / 20000) = 0.0032) = 0.005; se = sqrt(2) eps / 0.2 = 0.0354 per result;
    // margin = 2 * sqrt(se^2 + se^2) = 0.1.
    expect(m).toBeCloseTo(0.1, 6);
    const rep = evaluateCheck(cur, { overlapEffect: 'any' }, { baseline: base });
    expect(ids(rep, 'error')).toEqual(['pgr-drop']);
    expect(evaluateCheck(big(0.52, 0.804), { overlapEffect: 'any' }, { baseline: base }).status).toBe('pass');
  });

  it('a detection without hard-only rows (density 0 by construction) is a warning, not a density alarm', () => {
    // SMS (WRENCH) with analysis seed 2: the stage-1 threshold fell on confidence 0, so no row was hard-only.
    const base = sst2Like(SST2_SEEDS[0], 0);
    const none = sst2Like({ ...SST2_SEEDS[0], density: 0 }, 2);
    none.detection.counts = { easy: 290, hard: 0, overlap: 0 };
    none.detection.confidenceThreshold = 0;
    const rep = evaluateCheck(none, { overlapEffect: 'any', minDensity: 0.1 }, { baseline: base });
    expect(rep.status).toBe('pass');
    expect(rep.findings.map((f) => [f.ruleId, f.level])).toEqual([['min-density', 'warning'], ['density-drop', 'warning']]);
    expect(rep.findings[1].message).toContain('no hard-only rows (confidence threshold 0.000)');
    expect(evaluateCheck(none, { overlapEffect: 'any' }, { baseline: base }).findings.map((f) => f.ruleId)).toEqual(['density-drop']);
    // The same density with hard-only rows present is a real fall.
    none.detection.counts = { easy: 200, hard: 90, overlap: 0 };
    expect(ids(evaluateCheck(none, { overlapEffect: 'any' }, { baseline: base }), 'error')).toEqual(['density-drop']);
  });

  it('PGR drop is skipped when either PGR is not measurable', () => {
    const base = buildResult();
    const flat = buildResult({ accuracy: { weak: 0.7, strong: 0.7, w2s: 0.7 } });
    flat.pgr = null;
    expect(pgrDropMargin(base, flat)).toBeNull();
    expect(outcome(evaluateCheck(flat, {}, { baseline: base }), 'pgr-drop').outcome).toBe('skipped');
  });
});

describe('evaluateCheck: row-level rules', () => {
  it('duplicate texts with different labels: one warning per row at its own line; same labels are fine', () => {
    const r = buildResult();
    const texts = textsOf(r);
    const [a, b, c] = r.rows;
    texts[b.index] = `  ${texts[a.index]}\n`; // same after trimming
    b.label = 1 - a.label;
    texts[c.index] = texts[a.index].replace(/ /g, '   '); // same after collapsing white space
    c.label = a.label;
    const rep = evaluateCheck(r, {}, { texts });
    const dup = rep.findings.filter((f) => f.ruleId === 'duplicate-label');
    expect(dup.map((f) => f.line)).toEqual([a.line, b.line, c.line]);
    expect(dup.map((f) => f.rowIndex)).toEqual([a.index, b.index, c.index]);
    expect(dup[0].level).toBe('warning');
    expect(dup[0].message).toContain(`line ${a.line} (${r.dataset.labelNames![a.label]})`);
    expect(rep.status).toBe('pass'); // warnings do not fail by default
    expect(evaluateCheck(r, { failOn: 'warning' }, { texts }).status).toBe('alarm');
    expect(evaluateCheck(r, { duplicateLabels: false }, { texts }).findings).toEqual([]);
    // Same labels: no finding.
    b.label = a.label;
    expect(evaluateCheck(r, {}, { texts }).findings).toEqual([]);
  });

  it('class names from the data cannot put control characters or fake lines into a message', () => {
    const r = buildResult();
    r.dataset.labelNames = ['neg\u001b[31m', 'pos\nfake.jsonl:1: error [min-density] x'];
    const texts = textsOf(r);
    texts[r.rows[1].index] = texts[r.rows[0].index];
    r.rows[0].label = 0;
    r.rows[1].label = 1;
    const dup = evaluateCheck(r, {}, { texts }).findings.filter((f) => f.ruleId === 'duplicate-label');
    expect(dup).toHaveLength(2);
    for (const f of dup) {
      expect(f.message).not.toMatch(/[\u0000-\u001f]/);
      expect(f.message).toContain('neg\ufffd[31m');
    }
  });

  it('row findings are bounded per rule, then one finding says how many more', () => {
    const r = buildResult({ w2s: 400 });
    const texts = r.rows.map(() => 'the same text');
    r.rows.forEach((row, i) => (row.label = i % 2));
    const rep = evaluateCheck(r, { maxRowFindings: 25 }, { texts });
    const dup = rep.findings.filter((f) => f.ruleId === 'duplicate-label');
    expect(dup).toHaveLength(26);
    expect(dup[25]).toMatchObject({ line: 1, evidence: { total: r.rows.length, listed: 25 } });
    expect(dup[25].message).toContain(`${r.rows.length - 25} more`);
  });

  it('category changes: matched by index when the file is unchanged, by text otherwise; notes, not alarms', () => {
    const base = buildResult();
    base.dataset.contentHash = 'a'.repeat(64);
    const cur = structuredClone(base);
    const moved = cur.rows.filter((x) => x.category === 'overlap').slice(0, 3);
    for (const row of moved) row.category = 'easy';
    const rep = evaluateCheck(cur, {}, { baseline: base });
    const notes = rep.findings.filter((f) => f.ruleId === 'category-changed');
    expect(notes.map((f) => f.rowIndex)).toEqual(moved.map((x) => x.index));
    expect(notes[0]).toMatchObject({ level: 'note', line: moved[0].line, evidence: { before: 'overlap', after: 'easy' } });
    expect(rep.status).toBe('pass');
    expect(outcome(rep, 'category-changed').detail).toContain('matched by row');

    // The file changed (another hash) and a row was inserted at the top: without texts nothing can be matched ...
    const shifted = structuredClone(cur);
    shifted.dataset.contentHash = 'b'.repeat(64);
    for (const row of shifted.rows) {
      row.index += 1;
      row.line! += 1;
    }
    expect(outcome(evaluateCheck(shifted, {}, { baseline: base }), 'category-changed').outcome).toBe('skipped');
    // ... with the texts of both, the same three rows are found at their new lines.
    const curTexts: (string | null)[] = ['a new first row', ...textsOf(base)];
    const byText = evaluateCheck(shifted, {}, { baseline: base, texts: curTexts, baselineTexts: textsOf(base) });
    const found = byText.findings.filter((f) => f.ruleId === 'category-changed');
    expect(found.map((f) => f.line)).toEqual(moved.map((x) => x.line! + 1));
    expect(found[0].message).toContain(`(line ${moved[0].line} in the baseline)`);
    // The baseline's stored text hashes do the same as its texts.
    const stored: BaselineResult = { ...base, checkBaseline: baselineRows(base, textsOf(base)) };
    expect(evaluateCheck(shifted, {}, { baseline: stored, texts: curTexts }).findings).toEqual(byText.findings);
  });

  it('overlap rows removed: alarm when removals hit overlap rows, not when they hit rows at random', () => {
    const base = buildResult({ w2s: 600 });
    const stored: BaselineResult = { ...base, checkBaseline: baselineRows(base, textsOf(base)) };
    const overlap = new Set(base.rows.filter((x) => x.category === 'overlap').map((x) => x.index));
    const without = (drop: (i: number) => boolean) => textsOf(base).map((t, i) => (drop(i) ? null : t));
    const cur = structuredClone(base);
    const hit = evaluateCheck(cur, {}, { baseline: stored, texts: without((i) => overlap.has(i)) });
    expect(hit.status).toBe('alarm');
    const f = hit.findings.find((x) => x.ruleId === 'overlap-rows-removed')!;
    expect(f.evidence).toMatchObject({ removedOverlap: overlap.size, baselineOverlap: overlap.size, removedOther: 0 });
    // Every 8th row removed: overlap rows at about the same rate as the rest.
    const random = evaluateCheck(cur, {}, { baseline: stored, texts: without((i) => i % 8 === 3) });
    expect(outcome(random, 'overlap-rows-removed').outcome).toBe('pass');
    expect(ids(random, 'error')).toEqual([]);
    // Without texts in the baseline it cannot run.
    expect(outcome(evaluateCheck(cur, {}, { baseline: base, texts: textsOf(base) }), 'overlap-rows-removed').outcome).toBe('skipped');
    // Not one row in common: another dataset's baseline is a warning, not a removal of every row.
    const other = evaluateCheck(cur, {}, { baseline: stored, texts: textsOf(base).map((t) => (t === null ? null : `other ${t}`)) });
    expect(outcome(other, 'overlap-rows-removed').outcome).toBe('skipped');
    const w = other.findings.find((x) => x.ruleId === 'overlap-rows-removed')!;
    expect(w.level).toBe('warning');
    expect(w.message).toMatch(/none of the baseline's \d+ rows is in this file.*another dataset's baseline/);
  });
});
