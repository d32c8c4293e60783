import type { AmazonProduct } from './amazon-product.js';
import type { AlternativeCode, ValidCode } from '../codes/index.js';

/**
 * How an ASIN was tied to a code, as in the original system plus `none`:
 * `exact` the item lists the code (GTIN-14 identity), `partial` it lists an equivalent form,
 * `fuzzy` no id but the row's own title and brand agree, `manual` a user's rule, `none` no match.
 */
export type MatchType = 'exact' | 'partial' | 'fuzzy' | 'manual' | 'none';

/** Confidence bands documented in the README (section "Confidence bands"). */
export type ConfidenceBand = 'high' | 'medium' | 'low' | 'very_low';

/** What the input file says about the row, when it has such columns. All optional. */
export interface RowContext {
  title?: string | null;
  brand?: string | null;
  /** Units in the row's pack (a "pack size" / "quantity per pack" column). */
  quantity?: number | null;
}

/** A user's decision for one code, as stored in `matching_rules`. */
export interface MatchingRule {
  /** GTIN-14 of the code. */
  gtin: string;
  asin: string;
  rule: MatchingRuleKind;
  /** A marketplace domain (`www.amazon.fr`) or `*` for all. */
  marketplace: string;
  note?: string | null;
  /** ISO-8601; among equally specific `always` rules the newest wins. */
  created_at?: string;
}

export type MatchingRuleKind = 'always' | 'never';

/** Everything `decideMatch` needs; it does no I/O. */
export interface MatchInput {
  /** The searched code. */
  code: ValidCode;
  /**
   * Equivalent forms to match on. Defaults to the codes module's `equivalentForms(code)`
   * (which includes `code.alternatives`).
   */
  forms?: readonly AlternativeCode[];
  /** What the provider's search returned, in the provider's order (relevance). */
  items: readonly AmazonProduct[];
  row?: RowContext;
  /** Rules of the job's owner for this code; rules for other codes or marketplaces are ignored. */
  rules?: readonly MatchingRule[];
  /** Marketplace of the search (`www.amazon.fr`); rules for `*` always apply. */
  marketplace?: string;
  /**
   * Lowest confidence accepted automatically (default `DEFAULT_ACCEPT_THRESHOLD`, 0.8; the
   * service reads `CODE2ASIN_ACCEPT_THRESHOLD`). Below it the best candidate is only proposed.
   */
  acceptThreshold?: number;
}

/**
 * `accepted`: `asin` is set (automatically above the threshold, or by a rule). `to_review`: a
 * person must decide; `asin` is null and `proposed_asin` names the best candidate. `no_match`:
 * nothing was tied to the code.
 */
export type MatchVerdict = 'accepted' | 'to_review' | 'no_match';

/** One signal's share of a score: the reason as listed and what it added. */
export interface SignalContribution {
  reason: string;
  weight: number;
}

/** A returned item with its own score and the reasons for it. */
export interface ScoredCandidate {
  asin: string;
  title: string | null;
  brand: string | null;
  parent_asin: string | null;
  /** The item's first image URL as the provider gave it (shown through the server's image route). */
  image: string | null;
  match_type: MatchType;
  confidence: number;
  reasons: string[];
  /** How the confidence was built: every signal with its weight (before clamping). */
  signals: SignalContribution[];
  /** Excluded: `noise` (no id, no similarity) or `rejected_by_rule`. */
  rejected: boolean;
  /** 1 = chosen; null for rejected candidates. */
  rank: number | null;
}

/** The decision for one code: the chosen ASIN (if any), why, and every candidate. */
export interface MatchDecision {
  /** Only an ASIN the product stands behind (accepted automatically or by a rule). */
  asin: string | null;
  /** The best candidate when it needs a person (`verdict: 'to_review'`), else null. */
  proposed_asin: string | null;
  verdict: MatchVerdict;
  match_type: MatchType;
  /** 0–1; 1 only for a user's rule. */
  confidence: number;
  band: ConfidenceBand;
  reasons: string[];
  /**
   * The chosen (or proposed) item as returned (null when none, or when a rule names an ASIN not
   * returned).
   */
  product: AmazonProduct | null;
  /** Ranked candidates first, then rejected ones. */
  candidates: ScoredCandidate[];
}
