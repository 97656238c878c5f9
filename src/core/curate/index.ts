// Curating a W2S training pool from an analysis (issue 17, part 3; docs/curation.md).
export {
  budgetRows, CURATION_GROUPS, curationPlan, curationSummary, DEFAULT_CURATION_FRACTION, parseBudget,
  type CurationBudget, type CurationGroup, type CurationPlan,
} from './select';
export { compareAnalyses, type ComparisonLine } from './compare';
