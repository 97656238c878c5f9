/**
 * One progress bar weighted by what each stage is expected to cost (issue 15, item 8). The fixed split it replaces
 * (strong encoder 5-40%, weak 40-60%, analysis 60-100%) sat below 40% for 14 of 16 s on a cold SST-2 run and
 * then jumped; on a warm run (activations from the cache) the encoders took 60% of the bar for 1.4 of 4.3 s.
 *
 * Costs are seconds per row measured on SST-2 test (1,821 rows, 2 shared CPU cores, onnxruntime on CPU): USE-Lite
 * 3.5-7.7 ms cold, GloVe-mean 0.18 ms cold, both sides from the cache 0.3 ms together, the analysis 0.9-1.6 ms at 10
 * mixing seeds. Only the ratios matter. A side whose activations come from the cache is re-weighed when it says so; the bar never goes back.
 */
import type { ProgressFn } from '../core/encoder';
import type { ModelSpec } from './types';

/** Seconds per row by way of getting a side's activations. */
export const COST_PER_ROW = {
  transformer: 5.5e-3,
  glove: 1.8e-4,
  cacheRead: 1.5e-4,
  /** Arrays, fields, votes, probabilities: a read. */
  given: 5e-5,
  /** Probes, detection and the map, per row; plus `analysisPerSeed` per mixing seed. */
  analysis: 6e-4,
  analysisPerSeed: 1e-4,
} as const;

export function sideCostPerRow(spec: ModelSpec): number {
  if (spec.kind === 'onnx' || (spec.kind === 'bundled' && spec.id === 'use-lite')) return COST_PER_ROW.transformer;
  if (spec.kind === 'bundled') return COST_PER_ROW.glove;
  return COST_PER_ROW.given;
}

/** A stage's progress is reported as `(stage, fraction of that stage, detail)`; the plan maps it onto the bar. */
export class WeightedProgress {
  private readonly costs = new Map<string, number>();
  private readonly done = new Set<string>();
  private last = 0;

  constructor(private readonly out: ProgressFn, stages: ReadonlyArray<readonly [string, number]>) {
    for (const [name, cost] of stages) this.costs.set(name, Math.max(0, cost));
  }

  /** The stage's cost changed (activations came from the cache): the remaining bar is re-divided. */
  reweigh(name: string, cost: number): void {
    if (this.costs.has(name)) this.costs.set(name, Math.max(0, cost));
  }

  /** The progress function of one stage. */
  stage(name: string): ProgressFn {
    return (label, fraction, detail) => {
      const f = Math.max(0, Math.min(1, fraction));
      this.out(label, this.overall(name, f), detail);
      if (f >= 1) this.done.add(name);
    };
  }

  /** Overall fraction with `name` at `f`: the finished stages' costs plus `f` of this one, over all costs. */
  overall(name: string, f: number): number {
    let total = 0;
    let before = 0;
    for (const [stage, cost] of this.costs) {
      total += cost;
      if (stage !== name && this.done.has(stage)) before += cost;
    }
    const value = total > 0 ? (before + f * (this.costs.get(name) ?? 0)) / total : f;
    this.last = Math.max(this.last, Math.min(1, value));
    return this.last;
  }
}
