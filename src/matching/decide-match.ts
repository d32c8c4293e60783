import type { AmazonProduct } from './amazon-product.js';
import type { AlternativeCode, ValidCode } from '../codes/index.js';
import { assessCandidates, type Assessment } from './assess-candidates.js';
import { rankCandidates } from './rank-candidates.js';
import { resolveRules } from './resolve-rules.js';
import { DEFAULT_ACCEPT_THRESHOLD, confidenceBand, contribution } from './signals.js';
import type { MatchDecision, MatchInput, MatchingRule, ScoredCandidate } from './types.js';

/**
 * Decides which ASIN (if any) a searched code maps to, with a confidence, the reasons, and every
 * returned item as a scored candidate. Pure: the caller gives the items, the row's context and
 * the user's rules. Order of work: `never` rules remove ASINs; an `always` rule decides
 * (`manual`, confidence 1); otherwise items tied by id (`exact`, `partial`) or by title and brand
 * (`fuzzy`) are ranked and the best wins; items with neither are `noise` and never win. The
 * winner is accepted (`asin`) when nothing decisive speaks against it and its confidence reaches
 * the threshold; otherwise it is only proposed (`proposed_asin`, verdict `to_review`).
 */
export function decideMatch(input: MatchInput): MatchDecision {
  const rules = resolveRules(input.rules ?? [], input.code.gtin14, input.marketplace);
  const items = uniqueByAsin(input.items);
  const allowed = items.filter((item) => !rules.never.has(item.asin));
  const assessed = assessCandidates(allowed, input.code, formsOf(input), input.row ?? {});
  const ranked = rankCandidates(assessed.filter((a) => a.matchType !== 'none'));
  const rejected = [
    ...assessed.filter((a) => a.matchType === 'none').map((a) => toCandidate(a, null)),
    ...items.filter((item) => rules.never.has(item.asin)).map(rejectedByRule),
  ];
  if (rules.always) return manualDecision(rules.always, items, ranked, rejected);

  const best = ranked[0];
  if (!best) return noMatch(items, rejected);
  const review = reviewReasons(best, input.acceptThreshold ?? DEFAULT_ACCEPT_THRESHOLD);
  return {
    asin: review.length === 0 ? best.item.asin : null,
    proposed_asin: review.length === 0 ? null : best.item.asin,
    verdict: review.length === 0 ? 'accepted' : 'to_review',
    match_type: best.matchType,
    confidence: best.confidence,
    band: confidenceBand(best.confidence),
    reasons: [...best.reasons, ...review.filter((r) => !best.reasons.includes(r))],
    product: best.item,
    candidates: [...ranked.map((a, i) => toCandidate(a, i + 1)), ...rejected],
  };
}

/**
 * Why the best candidate needs a person (empty: accepted): its decisive signals (a pack
 * mismatch, a renewed or used copy — flagged `renewed_only` when no new listing was found —, a
 * variant mismatch), or a confidence below the threshold.
 */
function reviewReasons(best: Assessment, threshold: number): string[] {
  const reasons = [...best.blockers];
  if (best.conditionRank > 0) reasons.push('renewed_only');
  if (reasons.length === 0 && best.confidence < threshold) {
    reasons.push(`below_accept_threshold: ${threshold}`);
  }
  return reasons;
}

function formsOf(input: MatchInput): readonly AlternativeCode[] {
  return input.forms ?? defaultForms(input.code);
}

function defaultForms(code: ValidCode): readonly AlternativeCode[] {
  return code.alternatives;
}

/** The first occurrence of each ASIN (pages of a search can overlap). */
function uniqueByAsin(items: readonly AmazonProduct[]): AmazonProduct[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.asin) && seen.add(item.asin));
}

function manualDecision(
  rule: MatchingRule,
  items: readonly AmazonProduct[],
  ranked: readonly Assessment[],
  rejected: readonly ScoredCandidate[],
): MatchDecision {
  const product = items.find((item) => item.asin === rule.asin) ?? null;
  const manual = contribution('manual_rule');
  const chosen: ScoredCandidate = {
    asin: rule.asin,
    title: product?.title ?? null,
    brand: product?.brand ?? null,
    parent_asin: product?.parent_asin ?? null,
    image: product?.images[0] ?? null,
    match_type: 'manual',
    confidence: manual.weight,
    reasons: [manual.reason],
    signals: [manual],
    rejected: false,
    rank: 1,
  };
  const others = ranked.filter((a) => a.item.asin !== rule.asin);
  return {
    asin: rule.asin,
    proposed_asin: null,
    verdict: 'accepted',
    match_type: 'manual',
    confidence: manual.weight,
    band: confidenceBand(manual.weight),
    reasons: [manual.reason],
    product,
    candidates: [
      chosen,
      ...others.map((a, i) => toCandidate(a, i + 2)),
      ...rejected.filter((c) => c.asin !== rule.asin),
    ],
  };
}

function noMatch(items: readonly AmazonProduct[], rejected: ScoredCandidate[]): MatchDecision {
  const reason =
    items.length === 0
      ? 'no_results'
      : rejected.every((c) => c.reasons.includes('rejected_by_rule'))
        ? 'all_rejected_by_rule'
        : 'noise_only';
  return {
    asin: null,
    proposed_asin: null,
    verdict: 'no_match',
    match_type: 'none',
    confidence: 0,
    band: confidenceBand(0),
    reasons: [reason],
    product: null,
    candidates: rejected,
  };
}

function toCandidate(a: Assessment, rank: number | null): ScoredCandidate {
  return {
    asin: a.item.asin,
    title: a.item.title,
    brand: a.item.brand,
    parent_asin: a.item.parent_asin,
    image: a.item.images[0] ?? null,
    match_type: rank === null ? 'none' : a.matchType,
    confidence: rank === null ? 0 : a.confidence,
    reasons: a.reasons,
    signals: a.signals,
    rejected: rank === null,
    rank,
  };
}

function rejectedByRule(item: AmazonProduct): ScoredCandidate {
  const signal = contribution('rejected_by_rule');
  return {
    asin: item.asin,
    title: item.title,
    brand: item.brand,
    parent_asin: item.parent_asin,
    image: item.images[0] ?? null,
    match_type: 'none',
    confidence: 0,
    reasons: [signal.reason],
    signals: [signal],
    rejected: true,
    rank: null,
  };
}
