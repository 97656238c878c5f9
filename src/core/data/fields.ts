import type { FieldMap } from './types';

type Role = keyof FieldMap;

/** Field names tried in order for each role (case-insensitive); the first present in the data wins. */
const CANDIDATES: Record<Role, string[]> = {
  text: ['text', 'sentence', 'content', 'data.text'],
  label: ['label', 'labels', 'y', 'target', 'class'],
  weakLabels: ['weak_labels'],
  weakActs: ['weak_acts', 'weak_activation', 'weak_activations'],
  strongActs: ['strong_acts', 'strong_activation', 'strong_activations'],
  weakProbs: ['weak_prob', 'weak_probs', 'weak_score'],
  split: ['split'],
};

const ROLES = Object.keys(CANDIDATES) as Role[];

/** A text column found by content rather than name must average at least this many characters ("a long string"). */
const LONG_TEXT_CHARS = 20;

/** Reads a field by name; a dotted name reaches into nested objects (`data.text`) unless the dot is part of a key. */
export function getField(record: Record<string, unknown>, path: string): unknown {
  if (path in record) return record[path];
  if (!path.includes('.')) return undefined;
  let v: unknown = record;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The field paths present in the records: top-level keys and the keys of nested objects one level down. */
export function fieldPaths(records: readonly Record<string, unknown>[]): string[] {
  const paths = new Set<string>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      paths.add(k);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
        for (const sub of Object.keys(v)) paths.add(`${k}.${sub}`);
      }
    }
  }
  return [...paths];
}

/**
 * Chooses which field holds what, from a sample of records. Explicit entries in `overrides` win; an override set to
 * the empty string turns that role off. Returns the map and the overrides that name no field in the sample.
 */
export function detectFields(
  records: readonly Record<string, unknown>[],
  overrides: FieldMap = {},
): { fields: FieldMap; missing: { role: Role; name: string }[]; available: string[] } {
  const available = fieldPaths(records);
  const byLower = new Map<string, string>();
  for (const p of available) if (!byLower.has(p.toLowerCase())) byLower.set(p.toLowerCase(), p);

  const fields: FieldMap = {};
  const missing: { role: Role; name: string }[] = [];
  const used = new Set<string>();
  for (const role of ROLES) {
    const explicit = overrides[role];
    if (explicit === undefined) continue;
    if (explicit === '') continue;
    fields[role] = explicit;
    used.add(explicit);
    if (!available.includes(explicit) && !records.some((r) => getField(r, explicit) !== undefined)) {
      missing.push({ role, name: explicit });
    }
  }
  for (const role of ROLES) {
    if (overrides[role] !== undefined) continue;
    for (const candidate of CANDIDATES[role]) {
      const actual = byLower.get(candidate);
      if (actual === undefined || used.has(actual)) continue;
      // `labels` is sometimes a multi-label list; a class id must be a scalar.
      if (role === 'label' && records.some((r) => Array.isArray(getField(r, actual)))) continue;
      fields[role] = actual;
      used.add(actual);
      break;
    }
  }
  if (overrides.text === undefined && fields.text === undefined) {
    const found = findTextByContent(records, available, used);
    if (found !== undefined) fields.text = found;
  }
  return { fields, missing, available };
}

/** The first column of long, non-numeric strings; failing that, the string column with the longest values. */
function findTextByContent(records: readonly Record<string, unknown>[], paths: string[], used: Set<string>): string | undefined {
  let best: string | undefined;
  let bestLength = 0;
  for (const path of paths) {
    if (used.has(path)) continue;
    let total = 0;
    let count = 0;
    let textual = true;
    for (const r of records) {
      const v = getField(r, path);
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string' || looksNumericOrArray(v)) {
        textual = false;
        break;
      }
      total += v.length;
      count++;
    }
    if (!textual || count === 0) continue;
    const mean = total / count;
    if (mean >= LONG_TEXT_CHARS) return path;
    if (mean > bestLength) {
      best = path;
      bestLength = mean;
    }
  }
  return best;
}

function looksNumericOrArray(s: string): boolean {
  const t = s.trim();
  return t.startsWith('[') || (t !== '' && Number.isFinite(Number(t)));
}
