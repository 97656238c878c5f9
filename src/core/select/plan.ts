/**
 * The selection plan: T rounds of n points, and how it is adjusted to the sources at hand. Any arm may be pulled in
 * every round (UCB can settle on one source), so every source must hold T x n rows; the reference sets
 * n = floor(min source size / T) for that reason (METHOD.md section 4). Each change is stated in plain words.
 */
import { minimumPoints } from '../detect/changepoint';
import { InputError } from '../errors';
import { STRATEGY_NAMES, type BonusMode, type SelectionPlan, type StrategyName } from './schema';

export const DEFAULT_ROUNDS = 50;
export const DEFAULT_STRATEGIES: StrategyName[] = ['ucb', 'random', 'optimal'];

export interface PlanRequest {
  rounds?: number;
  /** Points per pull; default floor(min pool size / T). */
  perRound?: number;
  bonus?: BonusMode;
  strategies?: StrategyName[];
  /** First seed; the run uses seed, seed + 1, ..., seed + seeds - 1. */
  seed?: number;
  seeds?: number;
}

export interface PlanContext {
  /** Pool rows per source, and names for messages. */
  poolSizes: number[];
  names: string[];
  /** Whether the truly densest source is known (needed by "optimal"). */
  denseKnown: boolean;
  /** Change-point jump: a batch smaller than minimumPoints(jump) makes stage 1 fall back to the median. */
  jump: number;
}

/** Validates a request and fits it to the sources; throws InputError when no sensible plan exists. */
export function planSelection(request: PlanRequest, ctx: PlanContext): SelectionPlan {
  const K = ctx.poolSizes.length;
  const adjustments: string[] = [];
  const requestedRounds = request.rounds ?? DEFAULT_ROUNDS;
  const requestedStrategies = request.strategies ?? DEFAULT_STRATEGIES;
  if (!Number.isInteger(requestedRounds) || requestedRounds < 1) throw new InputError(`rounds must be a positive integer, got ${requestedRounds}`);
  if (request.perRound !== undefined && (!Number.isInteger(request.perRound) || request.perRound < 1)) {
    throw new InputError(`points per round must be a positive integer, got ${request.perRound}`);
  }
  const seedCount = request.seeds ?? 10;
  if (!Number.isInteger(seedCount) || seedCount < 1) throw new InputError(`seeds must be a positive integer, got ${seedCount}`);
  const seed0 = request.seed ?? 0;
  if (requestedStrategies.length === 0) throw new InputError('no strategies to run');
  for (const s of requestedStrategies) {
    if (!STRATEGY_NAMES.includes(s)) throw new InputError(`unknown strategy "${s}" (${STRATEGY_NAMES.join(', ')})`);
  }
  let strategies = [...new Set(requestedStrategies)];
  if (strategies.includes('optimal') && !ctx.denseKnown) {
    strategies = strategies.filter((s) => s !== 'optimal');
    adjustments.push(
      'strategy "optimal" was left out: the sources\' true overlap densities are unknown (they are known in the reference modes and for activation folders with membership.npy)',
    );
    if (strategies.length === 0) throw new InputError('no strategy left to run: "optimal" needs known overlap densities');
  }

  let rounds = requestedRounds;
  if (strategies.includes('ucb') && rounds < K) {
    rounds = K;
    adjustments.push(`rounds raised from ${requestedRounds} to ${K}: UCB pulls each of the ${K} sources once before it chooses`);
  }
  const minBatch = minimumPoints(ctx.jump);
  const minPool = Math.min(...ctx.poolSizes);
  const small = ctx.poolSizes.indexOf(minPool);
  const smallName = `"${ctx.names[small]}" (${minPool} rows to draw from)`;

  let perRound = request.perRound ?? Math.floor(minPool / rounds);
  if (request.perRound !== undefined && rounds * perRound > minPool) {
    perRound = Math.floor(minPool / rounds);
    adjustments.push(
      `points per round lowered from ${request.perRound} to ${perRound}: source ${smallName} cannot supply ` +
        `T x n = ${rounds} x ${request.perRound} = ${rounds * request.perRound} rows, and any source may be pulled in every round`,
    );
  }
  if (perRound < minBatch) {
    const fewer = Math.floor(minPool / minBatch);
    const floorRounds = strategies.includes('ucb') ? K : 1;
    if (fewer < floorRounds) {
      throw new InputError(
        `source ${smallName} is too small: ${floorRounds} round(s) of at least ${minBatch} points (the fewest a change point ` +
          `can split) need ${floorRounds * minBatch} rows; add rows to it or leave it out`,
      );
    }
    const before = rounds;
    rounds = fewer;
    const had = perRound;
    perRound = minBatch;
    adjustments.push(
      `rounds lowered from ${before} to ${rounds} and points per round set to ${perRound}: with ${before} rounds source ${smallName} ` +
        `allows only ${had} points per round, fewer than the ${minBatch} a change point needs to split a batch`,
    );
  }
  return {
    rounds,
    perRound,
    bonus: request.bonus ?? 'code',
    strategies,
    seeds: Array.from({ length: seedCount }, (_, i) => seed0 + i),
    requested: { rounds: requestedRounds, perRound: request.perRound ?? null, strategies: requestedStrategies },
    adjustments,
  };
}
