/**
 * The property-based (fuzz) suite in one run, so that it can report and check its total: the reader round trips,
 * the .npy round trip, the change point against exhaustive search and the detection invariants. Each property runs a
 * fixed number of generated cases with a fresh random seed per run (fast-check prints the seed of any failure).
 */
import { describe, expect, it } from 'vitest';
import { propertyCounts } from './count';
import './readers.props';
import './npy.props';
import './changepoint.props';
import './detect.props';

/** The issue asks for at least this many generated cases per CI run. */
const MINIMUM_CASES = 10_000;

describe('fuzz totals', () => {
  it(`ran at least ${MINIMUM_CASES} generated cases`, () => {
    const { total, byProperty } = propertyCounts();
    for (const [name, n] of byProperty) process.stdout.write(`  ${name}: ${n} cases\n`);
    process.stdout.write(`fuzz: ${total} generated cases in ${byProperty.length} properties\n`);
    expect(total).toBeGreaterThanOrEqual(MINIMUM_CASES);
  });
});

