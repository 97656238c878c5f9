export {
  DEFAULT_GRAD_TOL, DEFAULT_L2, DEFAULT_MAX_ITER, diagonalPreconditioner, PRECONDITION_SPREAD, fitProbe, fitProbeAsync, predictProbabilities,
  logitsPerRow, predictProbabilitiesOn, predictProbabilitiesRows,
  type Probe, type ProbeFit, type ProbeOptions,
} from './probe';
export { accuracy, argmaxLabels, confidence, oneHot } from './metrics';
export {
  cubicInterpolate, lbfgsIterations, minimizeLbfgs, minimizeLbfgsAsync,
  type DifferentiableObjective, type LbfgsOptions, type LbfgsResult, type LbfgsStop, type LineFunction,
} from './lbfgs';
export { LogisticObjective, sigmoid, softplus } from './logistic';
export { SoftmaxObjective } from './softmax';
export { BATCH_BYTES, batchGroups, batchGroupSize, fitProbesBatch, predictOnKernel, releaseShared, shareMatrix, type BatchOptions, type SubsetFit } from './batch';
export { DEFAULT_POLISH_TOL, newtonPolish, newtonPolishAsync, type PolishResult } from './newton';
