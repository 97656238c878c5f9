/** Names of a result's classes, shared by every layer that words a result (experiment, report, check). */

/**
 * The name a person reads for a class id of a result (plain text: callers escape): the class name when the result
 * has one (`labelNames`, or `read.classes`), else the value the data writes (labels 1..4 read as ids 0..3), else
 * the id itself. Only own array entries are read, so a hand-edited results file cannot reach inherited members.
 */
export function classNameOf(dataset: { labelNames?: unknown; read?: { classes?: unknown } }, id: number | null | undefined): string {
  if (id === null || id === undefined) return 'none';
  if (!Number.isInteger(id) || id < 0) return String(id);
  const names = dataset.labelNames;
  const named = Array.isArray(names) && id < names.length ? names[id] : undefined;
  if (typeof named === 'string' && named !== '') return named;
  const classes = dataset.read?.classes;
  const c = Array.isArray(classes) && id < classes.length ? (classes[id] as { id?: unknown; value?: unknown; name?: unknown } | null) : undefined;
  if (c && c.id === id) {
    if (typeof c.name === 'string' && c.name !== '') return c.name;
    if (typeof c.value === 'string' || typeof c.value === 'number') return String(c.value);
  }
  return String(id);
}

/**
 * Characters that change how a one-line message reads where it is shown: C0 and C1 controls (a newline that fakes
 * another line, a terminal escape sequence), line and paragraph separators, and bidirectional overrides (which
 * reorder the text around them). Data (class names, file contents) can hold any of them.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every UNPRINTABLE character replaced by U+FFFD, so a message built from data stays one plain line. */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, '\ufffd');
}

/** A class name as a message shows it (plain text: callers escape): printableText, cut after `max` characters. */
export function printableName(name: string, max = 60): string {
  const clean = printableText(name);
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
