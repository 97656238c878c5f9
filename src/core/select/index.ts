// Data-source selection (METHOD.md section 4): UCB over sources by their detected overlap density, and baselines.
export * from './schema';
export { argmaxFirst, densestArm, optimalStrategy, randomStrategy, ucbBonus, ucbStrategy, type ArmChoice, type ArmState, type Strategy } from './bandit';
export { DEFAULT_ROUNDS, DEFAULT_STRATEGIES, planSelection, type PlanContext, type PlanRequest } from './plan';
export { membershipDensity, validateSetup, type SelectionSetup, type SelectionSource } from './setup';
export {
  DEFAULT_OVERLAP_SHARES, detectedReferenceSetup, partitionByShares, syntheticReferenceSetup, validateShares,
  type DetectedReferenceInput, type DetectedReferenceOptions, type SyntheticReferenceOptions,
} from './reference';
export { IncrementalMaxAlignment, isMaxAlignMode } from './incremental';
export { armOrder, DEFAULT_SELECTION_OPTIONS, runSelection, type SelectionHooks, type SelectionMeta, type SelectionOptions } from './run';
export { stats, summarize, summaryLine } from './summary';
export { parseSelectionResult } from './parse';
