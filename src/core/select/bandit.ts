/**
 * Arm choice for data-source selection (METHOD.md section 4, the paper's Algorithm 1): UCB on the arms' overlap
 * estimates, a uniformly random arm, or always the truly densest arm. Pure: the runner owns the pulls and estimates.
 */
import type { Rng } from '../random/rng';
import type { BonusMode, StrategyName } from './schema';

/**
 * Exploration bonus of an arm pulled `pulls` times, with horizon T and `played` pulls made so far in all:
 *   code: sqrt(2 ln T) / N_k     (the reference's `Arm.compute_ucb`: a bonus that shrinks like 1/N_k)
 *   ucb1: sqrt(2 ln t / N_k)     (Auer et al. 2002, t = plays so far)
 * An unpulled arm has an infinite bonus.
 */
export function ucbBonus(mode: BonusMode, pulls: number, horizon: number, played: number): number {
  if (pulls <= 0) return Infinity;
  switch (mode) {
    case 'code':
      return Math.sqrt(2 * Math.log(horizon)) / pulls;
    case 'ucb1':
      return Math.sqrt((2 * Math.log(Math.max(1, played))) / pulls);
  }
}

/** Index of the largest value, the first on ties (numpy's argmax, as the reference uses). */
export function argmaxFirst(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** What a strategy sees when it chooses: N_k and o_k (null before the first pull). */
export interface ArmState {
  pulls: readonly number[];
  estimates: readonly (number | null)[];
  /** The horizon T. */
  horizon: number;
}

export interface ArmChoice {
  arm: number;
  /** UCB index o_k + bonus_k per arm at choice time; null when the strategy computes none. */
  indices: (number | null)[];
  bonuses: (number | null)[];
}

export interface Strategy {
  readonly name: StrategyName;
  /** `round` is 1-based. */
  choose(round: number, state: ArmState): ArmChoice;
}

const nulls = (k: number): null[] => new Array<null>(k).fill(null);

/**
 * UCB: rounds 1..K pull arms 0..K-1 once each (round robin), afterwards argmax_k o_k + bonus_k (first on ties).
 */
export function ucbStrategy(bonus: BonusMode): Strategy {
  return {
    name: 'ucb',
    choose(round, state) {
      const K = state.pulls.length;
      if (round <= K) return { arm: round - 1, indices: nulls(K), bonuses: nulls(K) };
      const played = state.pulls.reduce((a, b) => a + b, 0);
      const bonuses = state.pulls.map((n) => ucbBonus(bonus, n, state.horizon, played));
      const indices = bonuses.map((b, k) => (state.estimates[k] ?? 0) + b);
      return { arm: argmaxFirst(indices), indices, bonuses };
    },
  };
}

/** A uniformly random arm each round, drawn from the strategy's own seeded stream. */
export function randomStrategy(rng: Rng): Strategy {
  return {
    name: 'random',
    choose(_round, state) {
      const K = state.pulls.length;
      return { arm: rng.int(K), indices: nulls(K), bonuses: nulls(K) };
    },
  };
}

/** Always the truly densest arm (an oracle: needs the sources' true overlap densities). */
export function optimalStrategy(denseArm: number): Strategy {
  return {
    name: 'optimal',
    choose(_round, state) {
      const K = state.pulls.length;
      return { arm: denseArm, indices: nulls(K), bonuses: nulls(K) };
    },
  };
}

/** The densest arm by known densities (first on ties), or null when any density is unknown. */
export function densestArm(densities: readonly (number | null)[]): number | null {
  if (densities.length === 0 || densities.some((d) => d === null || !Number.isFinite(d))) return null;
  return argmaxFirst(densities as number[]);
}
