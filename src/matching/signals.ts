import type { ConfidenceBand, SignalContribution } from './types.js';

/** How a signal takes part in a score. */
export type SignalKind = 'identity' | 'adjustment' | 'info' | 'verdict';

/** One row of the scoring table. */
export interface SignalSpec {
  kind: SignalKind;
  /**
   * Added to the score. For `multiple_candidates` it is per extra candidate, for
   * `title_similarity` per unit of similarity above 0.5 (see `contribution`).
   */
  weight: number;
  meaning: string;
}

/**
 * The scoring table: the only place weights live. A candidate's confidence is the sum of the
 * weights of its signals — one `identity` signal (what tied it to the code) plus `adjustment`s —
 * clamped to 0–0.99 (0–0.69 for `fuzzy`). Only a user's rule gives 1. The README
 * (README, "Signals and weights") documents this table; keep the two in step.
 */
export const SIGNALS = {
  ean_in_external_ids: {
    kind: 'identity',
    weight: 0.9,
    meaning: 'the code is among the item EANs',
  },
  upc_in_external_ids: {
    kind: 'identity',
    weight: 0.9,
    meaning: 'the code is among the item UPCs',
  },
  isbn_in_external_ids: { kind: 'identity', weight: 0.9, meaning: 'the code is among the ISBNs' },
  upc_equivalent: { kind: 'identity', weight: 0.85, meaning: 'a UPC/EAN form of the code' },
  isbn10_equivalent: { kind: 'identity', weight: 0.85, meaning: 'the ISBN-10 form of the code' },
  ambiguous_8_digit: { kind: 'identity', weight: 0.8, meaning: 'other reading of an 8-digit code' },
  case_pack_unit: { kind: 'identity', weight: 0.75, meaning: 'the unit GTIN of a case-pack code' },
  code_in_title: { kind: 'identity', weight: 0.75, meaning: 'no id; the title carries the code' },
  title_brand_similarity: { kind: 'identity', weight: 0.5, meaning: 'no id; title+brand agree' },
  single_candidate: { kind: 'adjustment', weight: 0.08, meaning: 'no other item matched as well' },
  multiple_candidates: { kind: 'adjustment', weight: -0.1, meaning: 'per other equal match' },
  title_similarity: { kind: 'adjustment', weight: 0.2, meaning: '0.2 × (similarity − 0.5)' },
  brand_match: { kind: 'adjustment', weight: 0.03, meaning: 'row brand = item brand' },
  brand_mismatch: { kind: 'adjustment', weight: -0.15, meaning: 'row brand ≠ item brand' },
  pack_match: { kind: 'adjustment', weight: 0.02, meaning: 'row pack size = listing pack size' },
  pack_mismatch: {
    kind: 'adjustment',
    weight: -0.45,
    meaning: 'row and listing packs differ (decisive: never accepted automatically)',
  },
  pack_unverified: {
    kind: 'adjustment',
    weight: -0.1,
    meaning: 'row pack unknown, the listing states a pack of several',
  },
  condition_renewed: {
    kind: 'adjustment',
    weight: -0.3,
    meaning: 'a renewed / refurbished listing (decisive)',
  },
  condition_used: { kind: 'adjustment', weight: -0.3, meaning: 'a used listing (decisive)' },
  variant_mismatch: {
    kind: 'adjustment',
    weight: -0.4,
    meaning: 'row and listing name different variant values (decisive)',
  },
  strong_title_agreement: {
    kind: 'adjustment',
    weight: 0.15,
    meaning: 'no id; title similarity ≥ 0.8, brand, pack and variants agree',
  },
  no_offer: { kind: 'info', weight: 0, meaning: 'no offer, while another listing has one' },
  unavailable: { kind: 'info', weight: 0, meaning: 'unavailable, while another listing is live' },
  parent_asin_returned: { kind: 'adjustment', weight: -0.3, meaning: 'item is a variation parent' },
  ids_conflict: { kind: 'adjustment', weight: -0.1, meaning: 'lists other codes, not this one' },
  variation_child: { kind: 'info', weight: 0, meaning: 'item is a variation child' },
  renewed_only: { kind: 'verdict', weight: 0, meaning: 'only renewed or used listings carry it' },
  below_accept_threshold: {
    kind: 'verdict',
    weight: 0,
    meaning: 'confidence below the acceptance threshold: proposed for review',
  },
  manual_rule: { kind: 'verdict', weight: 1, meaning: 'an "always" rule of the user' },
  rejected_by_rule: { kind: 'verdict', weight: 0, meaning: 'a "never" rule of the user' },
  noise: { kind: 'verdict', weight: 0, meaning: 'no id match and no similarity' },
} as const satisfies Record<string, SignalSpec>;

export type SignalName = keyof typeof SIGNALS;
export type IdentitySignal = {
  [K in SignalName]: (typeof SIGNALS)[K]['kind'] extends 'identity' ? K : never;
}[SignalName];

/** Highest automatic confidence: 1 is kept for a user's decision. */
export const MAX_AUTOMATIC_CONFIDENCE = 0.99;
/** Highest confidence of a `fuzzy` match: without an id it never reaches the `high` band. */
export const MAX_FUZZY_CONFIDENCE = 0.89;

/**
 * Highest confidence of a candidate with a decisive signal (pack mismatch, renewed or used,
 * variant mismatch): it is only ever proposed, and on the fitting seed such proposals were
 * rarely the right answer (see docs/benchmarks/matching.md, reliability table).
 */
export const MAX_BLOCKED_CONFIDENCE = 0.4;

/**
 * Default of the automatic acceptance threshold (`CODE2ASIN_ACCEPT_THRESHOLD`): a decision at or
 * above it fills `asin`; below it, or with a decisive signal, the ASIN is only proposed
 * (`to_review`). Measured on the check seed: see README "Acceptance threshold".
 */
export const DEFAULT_ACCEPT_THRESHOLD = 0.8;
/** Floor of the `multiple_candidates` penalty (reached at 3 other candidates). */
export const MULTIPLE_CANDIDATES_FLOOR = -0.25;

/** Thresholds of the fuzzy rule (title similarity to the row's own title). */
export const FUZZY_THRESHOLDS = {
  /** Minimum title similarity when the row's brand matches the item's. */
  withBrand: 0.6,
  /** Minimum title similarity when the row has no brand or the item's brand is unknown. */
  withoutBrand: 0.8,
} as const;

/**
 * The contribution of a signal: the reason as listed (`multiple_candidates:3`,
 * `title_similarity:0.82`) and the weight it adds.
 */
export function contribution(name: SignalName, value?: number): SignalContribution {
  if (name === 'multiple_candidates') {
    const count = value ?? 2;
    const weight = Math.max(MULTIPLE_CANDIDATES_FLOOR, SIGNALS[name].weight * (count - 1));
    return { reason: `${name}:${count}`, weight: round(weight) };
  }
  if (name === 'title_similarity') {
    const similarity = round(value ?? 0);
    return {
      reason: `${name}:${similarity}`,
      weight: round(SIGNALS[name].weight * (similarity - 0.5)),
    };
  }
  return { reason: name, weight: SIGNALS[name].weight };
}

/**
 * A contribution whose reason carries a description: `pack_mismatch: row 1, listing 12`,
 * `variant_mismatch: flavour row cherry, listing lemon`.
 */
export function describedContribution(name: SignalName, detail: string): SignalContribution {
  return { reason: `${name}: ${detail}`, weight: SIGNALS[name].weight };
}

/** Sums contributions and clamps them to the range of the match type. */
export function combine(signals: readonly SignalContribution[], cap: number): number {
  const sum = signals.reduce((total, s) => total + s.weight, 0);
  return round(Math.min(cap, Math.max(0, sum)));
}

/** The band of a confidence: `high` ≥ 0.9, `medium` ≥ 0.7, `low` ≥ 0.5, else `very_low`. */
export function confidenceBand(confidence: number): ConfidenceBand {
  if (confidence >= 0.9) return 'high';
  if (confidence >= 0.7) return 'medium';
  if (confidence >= 0.5) return 'low';
  return 'very_low';
}

/** Rounds to two decimals (scores and similarities are shown that way). */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
