/** "1 row", "2 rows", "1,500 rows": a count with its noun in the right number (English plural by default: + s). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
