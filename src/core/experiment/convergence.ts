/**
 * Probes that ended short of their optimum (their L-BFGS stopped on its iteration limit, or could no longer make
 * progress, before the gradient stop): the analysis says so beside the accuracies they give. Activations far larger
 * along a few directions than along the rest make the probes' objective steep there and flat elsewhere, and L-BFGS
 * from zero crawls: at 4 of 1,024 dimensions 30x the rest, plain L-BFGS (ours and scipy's L-BFGS-B) ends its 1,000
 * iterations at a gradient of 2e-5 to 5e-5 instead of 1e-6 (bench/outliers). Such dimensions now take a diagonal
 * preconditioner (probe.ts `diagonalPreconditioner`), which brings those probes to their stop; a large direction
 * that is not one dimension still can't be undone that way. The method fits the raw activations (METHOD.md: no
 * standardising), so the product does not rescale them; it tells.
 */
import { DEFAULT_GRAD_TOL, type ProbeFit } from '../probe';

/** One probe of the protocol: its name in the sentence ("the strong probe") and its fit record. */
export interface NamedFit {
  name: string;
  fit?: ProbeFit;
}

/**
 * The warning, or null when every probe reached its stop: which probes ended short, after how many iterations and at
 * what gradient, and how many of the mixing experiment's fits did.
 */
export function probeStopWarning(probes: readonly NamedFit[], mixing?: { count: number; unconverged: number }): string | null {
  const short = probes.filter((p) => p.fit && !p.fit.converged);
  const parts = short.map(({ name, fit }) => `${name} (${fit!.iterations.toLocaleString('en-US')} iterations, gradient ${fit!.gradNorm.toExponential(1)} at the end)`);
  if (mixing && mixing.unconverged > 0) {
    parts.push(mixing.unconverged === mixing.count ? `all ${mixing.count} mixing fits` : `${mixing.unconverged} of the ${mixing.count} mixing fits`);
  }
  if (parts.length === 0) return null;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  const one = parts.length === 1 && short.length === 1;
  return (
    `${one ? 'a probe stopped short of its optimum' : 'probes stopped short of their optimum'}: ${list}, where the stop is a ` +
    `gradient of ${DEFAULT_GRAD_TOL.toExponential(0)}; the accuracies ${one ? 'it gives' : 'they give'} can differ from the optimum's. ` +
    'A usual cause is activations far larger along a few directions than along the rest (LLM hidden states have such ' +
    'directions): the probes are fitted on the activations as they are, as the method prescribes, and converge slowly there'
  );
}
