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
