/**
 * Probes that end short of their optimum (L-BFGS's iteration limit before the gradient stop) are named beside the
 * accuracies they give: activations with a few dimensions far larger than the rest (LLM hidden states) cause it.
 */
import { describe, expect, it } from 'vitest';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { probeStopWarning } from '../../../src/core/experiment/convergence';
import type { ProbeFit } from '../../../src/core/probe';
import { alternating, gaussian } from '../cancel/helpers';

const fit = (converged: boolean, iterations = 1000, gradNorm = 2.1e-5): ProbeFit => ({
  iterations, evaluations: iterations + 10, converged, gradNorm, loss: 0.3, stop: converged ? 'gradient' : 'maxIter',
});

describe('probeStopWarning', () => {
  it('names each probe short of its stop with its iterations and gradient, and counts the mixing fits', () => {
    expect(probeStopWarning([{ name: 'the strong probe', fit: fit(true, 80, 9e-7) }], { count: 36, unconverged: 0 })).toBeNull();
    expect(probeStopWarning([{ name: 'the weak probe' }])).toBeNull(); // no weak probe (votes): nothing to say
    const one = probeStopWarning([{ name: 'the weak probe', fit: fit(true) }, { name: 'the strong probe', fit: fit(false) }]);
    expect(one).toBe(
      'a probe stopped short of its optimum: the strong probe (1,000 iterations, gradient 2.1e-5 at the end), where the stop is ' +
        'a gradient of 1e-6; the accuracies it gives can differ from the optimum\'s. A usual cause is activations far larger ' +
        'along a few directions than along the rest (LLM hidden states have such directions): the probes are fitted on the ' +
        'activations as they are, as the method prescribes, and converge slowly there',
    );
    const many = probeStopWarning([{ name: 'the strong probe', fit: fit(false) }, { name: 'the W2S probe', fit: fit(false, 1000, 6.4e-3) }], { count: 36, unconverged: 12 });
    expect(many).toMatch(/^probes stopped short of their optimum: the strong probe \(1,000 iterations, gradient 2\.1e-5 at the end\), the W2S probe \(1,000 iterations, gradient 6\.4e-3 at the end\) and 12 of the 36 mixing fits, where/);
    expect(probeStopWarning([], { count: 36, unconverged: 1 })).toMatch(/^probes stopped short of their optimum: 1 of the 36 mixing fits, where/);
    expect(probeStopWarning([], { count: 36, unconverged: 36 })).toMatch(/^probes stopped short of their optimum: all 36 mixing fits, where/);
  });
});

describe('an analysis on activations with outlier dimensions', () => {
  function input(scale: number, rotated = false) {
    const n = 900;
    const labels = alternating(n);
    const strong = gaussian(n, 48, labels, 0.8, 2);
    // two dimensions `scale` times the rest and far from zero, as LLM hidden states have them; or (`rotated`) one
    // such direction spread over every dimension, which no per-dimension scaling undoes
    const u = Float64Array.from({ length: 48 }, (_, j) => Math.cos(1 + 2.3 * j));
    const norm = Math.hypot(...u);
    for (let i = 0; i < n; i++) {
      if (!rotated) {
        for (const j of [40, 41]) strong.data[i * 48 + j] = scale * (strong.data[i * 48 + j] + 3);
        continue;
      }
      let p = 0;
      for (let j = 0; j < 48; j++) p += strong.data[i * 48 + j] * u[j] / norm;
      for (let j = 0; j < 48; j++) strong.data[i * 48 + j] += (scale * (p + 3) - p) * u[j] / norm;
    }
    const encoder = (id: string, dim: number) => ({ id, kind: 'activations' as const, dim });
    return {
      weak: { kind: 'activations' as const, acts: gaussian(n, 16, labels, 0.5, 1) }, strong, labels, numClasses: 2,
      encoders: { weak: encoder('weak', 16), strong: encoder('strong', 48) },
    };
  }

  it('says which probes stopped short of their optimum, and says nothing when they all reach it', async () => {
    // an outlier direction across all dimensions: the probes' L-BFGS spends its iterations
    const rotated = await runAnalysis(input(300, true), { seeds: 1, align: 'dot-max' });
    const note = rotated.warnings.find((w) => w.includes('stopped short of'));
    expect(note, JSON.stringify(rotated.warnings)).toBeDefined();
    expect(note).toMatch(/^probes stopped short of their optimum: (.* and )?all 12 mixing fits, where the stop is a gradient of 1e-6/);
    // outlier dimensions: the diagonal preconditioner (probe.ts) takes every probe to its stop
    const outliers = await runAnalysis(input(300), { seeds: 1, align: 'dot-max' });
    expect(outliers.warnings.filter((w) => w.includes('stopped short of')), JSON.stringify(outliers.warnings)).toEqual([]);
    const plain = await runAnalysis(input(1), { seeds: 1, align: 'dot-max' });
    expect(plain.warnings.filter((w) => w.includes('stopped short of'))).toEqual([]);
  });
});
