/** `overlap-density check` (issue 17): rules, the config file, evaluation against a result and a baseline, SARIF. */
export {
  DEFAULT_RULES, RULE_KEYS, configKeys, parseCheckConfig, resolveRules, ruleValueProblem,
  type CheckRules, type EffectRequirement, type ResolvedRules,
} from './rules';
export {
  MIN_MARGIN, MIN_REMOVED_OVERLAP, NOISE_Z, REMOVED_Z, baselineRows, degenerate, densityDropMargin, evaluateCheck, pgrDropMargin, pgrSe,
  type BaselineResult, type BaselineRows, type CheckOptions, type CheckOutcome, type CheckReport, type Finding, type FindingLevel, type RuleId,
} from './evaluate';
export { RULE_INFO, ruleInfo, type RuleInfo } from './catalogue';
export { SARIF_SCHEMA_URI, relativeUri, toSarif, type SarifInput, type SarifLog } from './sarif';
export { normalizeText, textKey } from './textKey';
