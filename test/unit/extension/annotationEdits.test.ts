import { describe, expect, it } from 'vitest';
import { AnnotationMismatchError, annotationScope, applyEdits, planAnnotation, sidecarJsonl } from '../../../src/extension/annotationEdits';
import type { ResultRow } from '../../../src/core/result/schema';
import { row } from './builders';

const NAMES = { category: 'overlap_category', score: 'overlap_score', confidence: 'weak_confidence' };

function annotate(text: string, format: Parameters<typeof planAnnotation>[1], rows: ResultRow[], names = NAMES): string {
  const plan = planAnnotation(text, format, rows, names);
  if (plan.kind !== 'edits') throw new Error('expected edits');
  return applyEdits(text, plan.edits);
}

const lines = (s: string) => s.split('\n').length;

describe('annotation edits', () => {
  const rows = [
    row(0, 1, 'overlap', { confidence: 0.812345678, alignment: 0.9 }),
    row(1, 2, 'hard', { confidence: 0.05 }),
    row(2, 3, null),
  ];

  it('JSONL: appends the three fields to each row object and keeps every row on its line', () => {
    const text = '{"text": "good", "label": 1}\n{"text":"bad","label":0}\n{"text": "meh", "label": 1}\n';
    const out = annotate(text, 'jsonl', rows);
    expect(out).toBe(
      '{"text": "good", "label": 1, "overlap_category": "overlap", "overlap_score": 0.9, "weak_confidence": 0.812346}\n' +
        '{"text":"bad","label":0, "overlap_category": "hard-only", "overlap_score": null, "weak_confidence": 0.05}\n' +
        '{"text": "meh", "label": 1}\n',
    );
    expect(lines(out)).toBe(lines(text));
    for (const l of out.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('JSONL: annotating twice gives the same text (existing fields are replaced in place)', () => {
    const text = '{"text": "good", "label": 1}\n{"text":"bad","label":0}\n{"text": "meh", "label": 1}\n';
    const once = annotate(text, 'jsonl', rows);
    expect(annotate(once, 'jsonl', rows)).toBe(once);
    const changed = rows.map((r) => (r.index === 0 ? { ...r, category: 'easy' as const } : r));
    expect(annotate(once, 'jsonl', changed)).toContain('"overlap_category": "easy-only"');
  });

  it('JSONL: uses configured field names', () => {
    const out = annotate('{"a":1}\n', 'jsonl', [row(0, 1, 'easy', { alignment: 0.25 })], { category: 'cat', score: 's', confidence: 'c' });
    expect(JSON.parse(out)).toEqual({ a: 1, cat: 'easy-only', s: 0.25, c: 0.8 });
  });

  it('JSON array of pretty-printed objects: inserts after the last member, no new lines', () => {
    const text = '[\n  {\n    "text": "a",\n    "label": 1\n  },\n  {\n    "text": "b, c",\n    "label": 0\n  }\n]\n';
    const rs = [row(0, 2, 'easy', { alignment: 0.1 }), row(1, 6, 'overlap')];
    const out = annotate(text, 'json', rs);
    expect(lines(out)).toBe(lines(text));
    const parsed = JSON.parse(out) as Record<string, unknown>[];
    expect(parsed[0]).toMatchObject({ text: 'a', overlap_category: 'easy-only', overlap_score: 0.1 });
    expect(parsed[1]).toMatchObject({ text: 'b, c', overlap_category: 'overlap', overlap_score: 0.9 });
  });

  it('JSON: minified arrays (all rows on line 1) pair rows by position', () => {
    const text = '[{"t":"a","label":1},{"t":"b","label":0}]';
    const out = annotate(text, 'json', [row(0, 1, 'easy'), row(1, 1, 'hard')]);
    expect((JSON.parse(out) as { overlap_category: string }[]).map((o) => o.overlap_category)).toEqual(['easy-only', 'hard-only']);
  });

  it('WRENCH: annotates each row object keyed by id, leaving data and weak_labels alone', () => {
    const text = '{\n  "0": {"label": 1, "weak_labels": [-1, 1], "data": {"text": "win {cash}"}},\n  "1": {"label": 0, "weak_labels": [0, -1], "data": {"text": "hi"}}\n}\n';
    const out = annotate(text, 'wrench', [row(0, 2, 'overlap'), row(1, 3, 'easy')]);
    const parsed = JSON.parse(out) as Record<string, Record<string, unknown>>;
    expect(parsed['0']).toMatchObject({ weak_labels: [-1, 1], data: { text: 'win {cash}' }, overlap_category: 'overlap' });
    expect(parsed['1']!.overlap_category).toBe('easy-only');
    expect(lines(out)).toBe(lines(text));
  });

  it('annotates W2S-train rows only and says how many it left, with the UI category words', () => {
    const text = '{"a":1}\n{"a":2}\n{"a":3}\n';
    const plan = planAnnotation(text, 'jsonl', rows, NAMES);
    expect(plan).toMatchObject({ kind: 'edits', rows: 2 });
    expect(annotationScope(rows)).toEqual({ annotated: 2, left: 1, note: 'the other 1 rows (weak-train and test splits) are left as they are: overlap is looked for in the W2S-train split only' });
    expect(sidecarJsonl(rows, NAMES).trim().split('\n').map((l) => JSON.parse(l).overlap_category)).toEqual(['overlap', 'hard-only']);
  });

  it('CSV: adds three header columns and a value per record, quoted fields with newlines intact', () => {
    const text = 'text,label\n"hello, ""world""",1\n"two\nlines",0\nplain,1\n';
    const rs = [row(0, 2, 'overlap', { alignment: 0.5 }), row(1, 3, 'hard'), row(2, 5, null)];
    const out = annotate(text, 'csv', rs);
    expect(out).toBe(
      'text,label,overlap_category,overlap_score,weak_confidence\n' +
        '"hello, ""world""",1,overlap,0.5,0.8\n' +
        '"two\nlines",0,hard-only,,0.1\n' +
        'plain,1,,,\n',
    );
  });

  it('CSV: replaces existing annotation columns instead of adding new ones, CRLF kept', () => {
    const text = 'overlap_category,text,label\r\nold,a,1\r\nold,b,0\r\n';
    const out = annotate(text, 'csv', [row(0, 2, 'easy', { alignment: 0.2 }), row(1, 3, 'overlap')]);
    expect(out).toBe('overlap_category,text,label,overlap_score,weak_confidence\r\neasy-only,a,1,0.2,0.8\r\noverlap,b,0,0.9,0.8\r\n');
  });

  it('TSV: tab-delimited', () => {
    const out = annotate('text\tlabel\nhi there\t1\n', 'tsv', [row(0, 2, 'hard')]);
    expect(out).toBe('text\tlabel\toverlap_category\toverlap_score\tweak_confidence\nhi there\t1\thard-only\t\t0.1\n');
  });

  it('sends delimited files the in-place edits would get wrong to a sidecar file (sweep of 2026-12-07)', () => {
    const sep = planAnnotation('sep=;\ntext;label\nhi;1\n', 'csv', [row(0, 3, 'hard')], NAMES);
    expect(sep).toEqual({ kind: 'sidecar', reason: 'the file starts with an Excel "sep=" line, whose separator the annotation would not keep' });
    const repeated = planAnnotation('text,label\nhi,1\ntext,label\nho,0\n', 'csv', [row(0, 2, 'hard'), row(1, 4, 'easy')], NAMES);
    expect(repeated).toEqual({ kind: 'sidecar', reason: 'the header row is repeated at line 3 (files joined with their headers)' });
    const headerless = planAnnotation('hi,1\nho,0\n', 'csv', [row(0, 1, 'hard'), row(1, 2, 'easy')], NAMES, false);
    expect(headerless).toEqual({ kind: 'sidecar', reason: 'the file has no header row to add the annotation columns to' });
    // an ordinary file still gets its columns
    expect(planAnnotation('text,label\nhi,1\n', 'csv', [row(0, 2, 'hard')], NAMES, true).kind).toBe('edits');
  });

  it('sends SST and Parquet to a sidecar file', () => {
    expect(planAnnotation('1 good film\n', 'sst', [row(0, 1, 'easy')], NAMES)).toEqual({ kind: 'sidecar', reason: 'sst rows cannot hold extra fields' });
    expect(planAnnotation('', 'parquet', [], NAMES).kind).toBe('sidecar');
    const side = sidecarJsonl([row(0, 1, 'easy', { alignment: 0.123456789 })], NAMES);
    expect(JSON.parse(side.trim())).toEqual({ index: 0, line: 1, overlap_category: 'easy-only', overlap_score: 0.123457, weak_confidence: 0.8 });
  });

  it('refuses when the file no longer matches the results', () => {
    expect(() => planAnnotation('{"a":1}\n', 'jsonl', [row(0, 1, 'easy'), row(1, 2, 'hard')], NAMES)).toThrow(AnnotationMismatchError);
    expect(() => planAnnotation('{"a":1}\n', 'jsonl', [row(0, 1, 'easy')], { category: 'x', score: 'x', confidence: 'y' })).toThrow(/must differ/);
  });

  it('reports a syntax error with its line', () => {
    expect(() => planAnnotation('{"a":1}\n{"a": }\n', 'jsonl', [row(0, 1, 'easy')], NAMES)).toThrow(/line 2/);
  });

  it('JSONL: survives CRLF line ends, a byte-order mark, braces and escaped quotes inside strings, and empty objects', () => {
    const text = '\uFEFF{"text": "a } \\" {", "label": 1}\r\n{}\r\n';
    const out = annotate(text, 'jsonl', [row(0, 1, 'easy', { alignment: 0.3 }), row(1, 2, 'hard')]);
    expect(out.split('\r\n').length).toBe(text.split('\r\n').length);
    const [a, b] = out.replace(/^\uFEFF/, '').split('\r\n');
    expect(JSON.parse(a!)).toEqual({ text: 'a } " {', label: 1, overlap_category: 'easy-only', overlap_score: 0.3, weak_confidence: 0.8 });
    expect(JSON.parse(b!)).toEqual({ overlap_category: 'hard-only', overlap_score: null, weak_confidence: 0.1 });
  });

  it('JSON: finds rows in a {"data": [...]} wrapper', () => {
    const text = '{"meta": {"v": 1}, "data": [\n{"t": "a", "label": 0},\n{"t": "b", "label": 1}\n]}\n';
    const out = annotate(text, 'json', [row(0, 2, 'overlap'), row(1, 3, 'easy')]);
    const parsed = JSON.parse(out) as { meta: unknown; data: { overlap_category: string }[] };
    expect(parsed.meta).toEqual({ v: 1 });
    expect(parsed.data.map((d) => d.overlap_category)).toEqual(['overlap', 'easy-only']);
  });

  it('CSV: quotes a configured column name that needs it and pads short records', () => {
    const text = 'text,label,extra\nhi,1\n';
    const out = annotate(text, 'csv', [row(0, 2, 'hard')], { category: 'cat, v2', score: 's', confidence: 'c' });
    expect(out).toBe('text,label,extra,"cat, v2",s,c\nhi,1,,hard-only,,0.1\n');
  });
});
