import { describe, expect, it } from 'vitest';
import {
  argmaxFirst, densestArm, optimalStrategy, randomStrategy, ucbBonus, ucbStrategy,
} from '../../../src/core/select/bandit';
import { Rng } from '../../../src/core/random/rng';

describe('UCB bonus (METHOD.md section 4)', () => {
  it('"code" is sqrt(2 ln T) / N_k with T the horizon', () => {
    // sqrt(2 ln 50) / 4, computed by hand: 2.7971496 / 4
    expect(ucbBonus('code', 4, 50, 10)).toBeCloseTo(0.6992874056, 9);
    // independent of the plays so far
    expect(ucbBonus('code', 4, 50, 37)).toBe(ucbBonus('code', 4, 50, 10));
  });
  it('"ucb1" is sqrt(2 ln t / N_k) with t the plays so far', () => {
    expect(ucbBonus('ucb1', 4, 50, 10)).toBeCloseTo(1.0729830131, 9);
    expect(ucbBonus('ucb1', 4, 999, 10)).toBe(ucbBonus('ucb1', 4, 50, 10));
  });
  it('an unpulled arm has an infinite bonus', () => {
    expect(ucbBonus('code', 0, 50, 3)).toBe(Infinity);
    expect(ucbBonus('ucb1', 0, 50, 3)).toBe(Infinity);
  });
});

describe('UCB strategy', () => {
  it('pulls every arm once first (round robin), whatever the estimates', () => {
    const s = ucbStrategy('code');
    const state = { pulls: [0, 0, 0], estimates: [null, null, null], horizon: 20 };
    expect(s.choose(1, state).arm).toBe(0);
    expect(s.choose(2, { ...state, pulls: [1, 0, 0], estimates: [0.9, null, null] }).arm).toBe(1);
    const third = s.choose(3, { ...state, pulls: [1, 1, 0], estimates: [0.9, 0.8, null] });
    expect(third.arm).toBe(2);
    expect(third.indices).toEqual([null, null, null]);
  });

  it('computes o_k + bonus_k on hand-made estimates with the code bonus', () => {
    const s = ucbStrategy('code');
    // o = [0.2, 0.5], N = [3, 7], T = 50: [0.2 + 2.79715/3, 0.5 + 2.79715/7] = [1.13238, 0.89959]
    const c = s.choose(11, { pulls: [3, 7], estimates: [0.2, 0.5], horizon: 50 });
    expect(c.indices[0]).toBeCloseTo(1.1323832075, 9);
    expect(c.indices[1]).toBeCloseTo(0.8995928032, 9);
    expect(c.bonuses[0]).toBeCloseTo(0.9323832075, 9);
    expect(c.arm).toBe(0);
    // once both arms are well explored the better estimate wins: [0.1 + 0.13986, 0.6 + 0.13986]
    const d = s.choose(41, { pulls: [20, 20], estimates: [0.1, 0.6], horizon: 50 });
    expect(d.indices[0]).toBeCloseTo(0.2398574811, 9);
    expect(d.indices[1]).toBeCloseTo(0.7398574811, 9);
    expect(d.arm).toBe(1);
  });

  it('computes o_k + bonus_k on hand-made estimates with the UCB1 bonus (t = plays so far)', () => {
    const s = ucbStrategy('ucb1');
    // plays so far 3 + 7 = 10: [0.2 + sqrt(2 ln 10 / 3), 0.5 + sqrt(2 ln 10 / 7)] = [1.43897, 1.31110]
    const c = s.choose(11, { pulls: [3, 7], estimates: [0.2, 0.5], horizon: 50 });
    expect(c.indices[0]).toBeCloseTo(1.4389740629, 9);
    expect(c.indices[1]).toBeCloseTo(1.3110989182, 9);
    expect(c.arm).toBe(0);
  });

  it('breaks ties by the first arm (numpy argmax)', () => {
    expect(argmaxFirst([0.3, 0.7, 0.7])).toBe(1);
    const c = ucbStrategy('code').choose(5, { pulls: [2, 2], estimates: [0.4, 0.4], horizon: 10 });
    expect(c.arm).toBe(0);
  });
});

describe('baselines', () => {
  it('optimal always pulls the densest arm', () => {
    const dense = densestArm([0.1, 0.9, 0.4]);
    expect(dense).toBe(1);
    const s = optimalStrategy(dense!);
    for (let round = 1; round <= 30; round++) {
      expect(s.choose(round, { pulls: [round, 0, 0], estimates: [0.99, 0.01, null], horizon: 30 }).arm).toBe(1);
    }
  });
  it('the densest arm is unknown when any density is', () => {
    expect(densestArm([0.1, null])).toBeNull();
    expect(densestArm([])).toBeNull();
  });
  it('random draws each arm about equally often, reproducibly per seed', () => {
    const draw = (seed: number) => {
      const s = randomStrategy(new Rng(seed));
      return Array.from({ length: 3000 }, (_, i) => s.choose(i + 1, { pulls: [0, 0, 0], estimates: [null, null, null], horizon: 3000 }).arm);
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    expect(draw(6)).not.toEqual(a);
    for (let k = 0; k < 3; k++) {
      const share = a.filter((x) => x === k).length / a.length;
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.04);
    }
  });
});
