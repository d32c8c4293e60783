export type { AmazonProduct, ExternalIds } from './amazon-product.js';
export { decideMatch } from './decide-match.js';
export { resolveRules, type ResolvedRules } from './resolve-rules.js';
export {
  SIGNALS,
  FUZZY_THRESHOLDS,
  MAX_AUTOMATIC_CONFIDENCE,
  MAX_FUZZY_CONFIDENCE,
  DEFAULT_ACCEPT_THRESHOLD,
  confidenceBand,
  type SignalName,
  type SignalSpec,
} from './signals.js';
export type {
  ConfidenceBand,
  MatchDecision,
  MatchInput,
  MatchVerdict,
  MatchType,
  MatchingRule,
  MatchingRuleKind,
  RowContext,
  ScoredCandidate,
  SignalContribution,
} from './types.js';
export {
  deleteRule,
  listRules,
  listRulesForCodes,
  MatchingRuleError,
  upsertRule,
  type ListRulesOptions,
  type MatchingRuleInput,
  type MatchingRuleKey,
  type StoredMatchingRule,
} from './matching-rules-repository.js';
