/**
 * A small structural checker for JSON read back from files (results written by this tool, but a file on disk can
 * hold anything): each check names the path of the value it refuses (`rows[12].label`) and says what it expected.
 * Unknown members are ignored, so a file written by a newer tool of the same schema version still reads.
 *
 * `Shape<T>` maps every member of a TypeScript interface to a check, so the compiler keeps a spec complete when the
 * interface grows.
 */

export class SchemaViolation extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'the file'}: ${problem}`);
    this.name = 'SchemaViolation';
  }
}

export type Check = (v: unknown, path: string) => void;

/** One check per member of T (optional members included: `optional(...)` accepts them missing). */
export type Shape<T> = { [K in keyof T]-?: Check };

/** A short description of a JSON value for messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const fail = (path: string, expected: string, v: unknown): never => {
  throw new SchemaViolation(path, `expected ${expected}, got ${describe(v)}`);
};

export function num(opts: { int?: boolean; min?: number; max?: number } = {}): Check {
  const what = `${opts.int ? 'an integer' : 'a finite number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`;
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, what, v);
    const x = v as number;
    if ((opts.int && !Number.isSafeInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max)) fail(path, what, v);
  };
}

export const str: Check = (v, path) => {
  if (typeof v !== 'string') fail(path, 'a string', v);
};

export const bool: Check = (v, path) => {
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
};

export function oneOf(values: readonly string[]): Check {
  return (v, path) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(path, `one of ${values.join(', ')}`, v);
  };
}

export function nullable(check: Check): Check {
  return (v, path) => {
    if (v !== null) check(v, path);
  };
}

/** A member that may be absent (undefined); present, it must pass `check`. */
export function optional(check: Check): Check {
  return (v, path) => {
    if (v !== undefined) check(v, path);
  };
}

/** Anything JSON can hold (members no reader of this tool interprets). */
export const any: Check = () => undefined;

export function arrayOf(item: Check, opts: { length?: number } = {}): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'an array', v);
    if (opts.length !== undefined && v.length !== opts.length) fail(path, `an array of ${opts.length}`, v);
    for (let i = 0; i < v.length; i++) item(v[i], `${path}[${i}]`);
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose own members pass their checks (inherited members never count). */
export function object<T>(shape: Shape<T>): Check {
  const entries = Object.entries(shape as Record<string, Check>);
  return (v, path) => {
    if (!isObject(v)) return fail(path, 'an object', v);
    for (const [key, check] of entries) check(Object.hasOwn(v, key) ? v[key] : undefined, path ? `${path}.${key}` : key);
  };
}

/** An object used as a table: every own value passes `check`. */
export function recordOf(check: Check): Check {
  return (v, path) => {
    if (!isObject(v)) return fail(path, 'an object', v);
    for (const [key, value] of Object.entries(v)) check(value, `${path}.${key}`);
  };
}
