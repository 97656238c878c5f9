import { FieldValueError } from './coerce';
import type { ErrorPolicy } from './errorPolicy';
import { describeType } from './records';
import type { DatasetRow } from './types';

/** A label read from one row: a class id now, no label, or a class name resolved once all names are known. */
export type RawLabel = number | null | { name: string };

/**
 * Turns raw label values into class ids. Integers (also integral floats, numeric strings, booleans) are ids as they
 * are; other strings are class names, numbered in sorted order once the whole file is read (or by a label.json).
 */
export class LabelNormalizer {
  private readonly named: { row: DatasetRow; name: string }[] = [];
  private maxId = -1;
  private firstIdLine?: number;

  constructor(
    private readonly field: string,
    private readonly presetNames?: readonly string[],
  ) {}

  read(v: unknown): RawLabel {
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return this.checkId(Number(v), v);
    if (typeof v === 'number') return this.checkId(v, v);
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return null;
      const x = Number(t);
      if (Number.isFinite(x)) return this.checkId(x, v);
      return { name: t };
    }
    throw new FieldValueError(`label field "${this.field}" should be a class id or name, got ${describeType(v)}`);
  }

  /** Records the label of a row that was kept. */
  assign(row: DatasetRow, label: RawLabel): void {
    if (label === null || typeof label === 'number') {
      row.label = label;
      if (label !== null) {
        this.maxId = Math.max(this.maxId, label);
        this.firstIdLine ??= row.line;
      }
      return;
    }
    const preset = this.presetNames?.indexOf(label.name) ?? -1;
    if (preset >= 0) {
      row.label = preset;
      this.maxId = Math.max(this.maxId, preset);
      return;
    }
    row.label = null;
    this.named.push({ row, name: label.name });
  }

  /** Numbers the class names and returns the class count. Mixing ids and unknown names is an error. */
  finish(policy: ErrorPolicy): { labelNames?: string[]; numClasses: number } {
    if (this.named.length > 0) {
      const first = this.named[0];
      if (this.presetNames) {
        const known = this.presetNames.join(', ');
        throw policy.fatal(`label "${first.name}" is not one of the class names in label.json (${known})`, first.row.line);
      }
      if (this.firstIdLine !== undefined) {
        throw policy.fatal(
          `labels mix class ids (line ${this.firstIdLine}) and class names ("${first.name}" at line ${first.row.line}); use one or the other`,
          first.row.line,
        );
      }
      const names = [...new Set(this.named.map((n) => n.name))].sort();
      const ids = new Map(names.map((name, i) => [name, i]));
      for (const { row, name } of this.named) row.label = ids.get(name)!;
      return { labelNames: names, numClasses: names.length };
    }
    const numClasses = Math.max(this.maxId + 1, this.presetNames?.length ?? 0);
    return { labelNames: this.presetNames ? [...this.presetNames] : undefined, numClasses };
  }

  private checkId(x: number, raw: unknown): number {
    if (!Number.isInteger(x)) throw new FieldValueError(`label ${describeType(raw)} is not an integer class id`);
    if (x < 0) throw new FieldValueError(`label ${x} is negative; class ids start at 0`);
    return x;
  }
}
