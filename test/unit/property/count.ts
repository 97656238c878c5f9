/**
 * Runs fast-check properties with a fixed number of cases each and keeps the tally, so that one CI run can print
 * (and check) how many generated cases the fuzz suite executed in total.
 */
import fc from 'fast-check';

const counts = new Map<string, number>();

/** Checks `property` on `numRuns` generated cases; a failure throws fast-check's report (seed and counterexample). */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IRawProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property, { numRuns });
  if (details.failed) throw new Error(`${name}: ${fc.defaultReportMessage(details)}`);
  counts.set(name, (counts.get(name) ?? 0) + details.numRuns);
}

export function propertyCounts(): { total: number; byProperty: [string, number][] } {
  const byProperty = [...counts.entries()];
  return { total: byProperty.reduce((s, [, n]) => s + n, 0), byProperty };
}
