import type { AmazonProduct } from './amazon-product.js';
import type { AlternativeCode, ValidCode } from '../codes/index.js';
import { hasListedIds, matchIdentity, titleCarriesCode } from './identity-match.js';
import { listingLiveness, type Liveness } from './listing-condition.js';
import { listingSignals } from './listing-signals.js';
import {
  FUZZY_THRESHOLDS,
  MAX_AUTOMATIC_CONFIDENCE,
  MAX_BLOCKED_CONFIDENCE,
  MAX_FUZZY_CONFIDENCE,
  combine,
  contribution,
} from './signals.js';
import { brandAgreement, titleSimilarity } from './text-similarity.js';
import type { MatchType, RowContext, SignalContribution } from './types.js';

/** What matching learned about one returned item, before ranking. */
export interface Assessment {
  item: AmazonProduct;
  /** Position in the provider's response (its relevance order). */
  index: number;
  matchType: Exclude<MatchType, 'manual'>;
  /** The identity signal (what tied the item to the code); null for noise. */
  identity: SignalContribution | null;
  /** Agreement with the row's own title, brand and pack size. */
  agreement: SignalContribution[];
  /** Informational: variation parent or child, other codes listed. */
  structure: SignalContribution[];
  /** A variation parent (its own parent, or the parent of another returned item). */
  isParent: boolean;
  /** The parent of another matched returned item: not counted as a competing candidate. */
  parentOfMatch: boolean;
  /** Reasons that forbid automatic acceptance (pack mismatch, renewed/used, variant). */
  blockers: string[];
  /** 0 new, 1 renewed or used. */
  conditionRank: number;
  /** 0 pack agrees or unknown, 1 unverified (see `listingSignals`). */
  packRank: number;
  liveness: Liveness;
  confidence: number;
  reasons: string[];
  signals: SignalContribution[];
}

/** Assesses every item: identity, agreement, structure, candidate count, confidence. */
export function assessCandidates(
  items: readonly AmazonProduct[],
  code: ValidCode,
  forms: readonly AlternativeCode[],
  row: RowContext,
): Assessment[] {
  const assessed = items.map((item, index) => assessItem(item, index, code, forms, row));
  markParents(assessed);
  markLiveness(assessed);
  for (const a of assessed) {
    finishScore(a, competitorCount(a, assessed) + (a.parentOfMatch ? 1 : 0));
  }
  return assessed;
}

function assessItem(
  item: AmazonProduct,
  index: number,
  code: ValidCode,
  forms: readonly AlternativeCode[],
  row: RowContext,
): Assessment {
  const identity = matchIdentity(item, code, forms);
  const agreement: SignalContribution[] = [];
  const similarity = row.title && item.title ? titleSimilarity(row.title, item.title) : null;
  if (similarity !== null) agreement.push(contribution('title_similarity', similarity));
  const brand = row.brand ? brandAgreement(row.brand, item) : null;
  if (brand) agreement.push(contribution(brand === 'match' ? 'brand_match' : 'brand_mismatch'));
  // An item that lists other codes but not this one is another product (often a sibling size or
  // flavour with a near-identical title): never a title-similarity match.
  const conflict = !identity && hasListedIds(item);
  if (conflict) agreement.push(contribution('ids_conflict'));
  const structure = isVariationChild(item) ? [contribution('variation_child')] : [];
  // A case-pack code names the case: its unit listing's pack is expected to differ.
  const listing = listingSignals(item, row, { checkPack: identity?.signal !== 'case_pack_unit' });
  agreement.push(...listing.signals);
  const similar = !conflict && !listing.variantConflict && isFuzzy(similarity, brand);
  const identitySignal = identity
    ? contribution(identity.signal)
    : fuzzyIdentity(item, code, similar);
  const matchType = identity?.matchType ?? (identitySignal ? 'fuzzy' : 'none');
  if (matchType === 'fuzzy' && listing.blockers.length === 0 && strongTitle(similarity, brand)) {
    agreement.push(contribution('strong_title_agreement'));
  }
  return {
    item,
    index,
    matchType,
    identity: identitySignal,
    agreement,
    structure,
    isParent: false,
    parentOfMatch: false,
    blockers: listing.blockers,
    conditionRank: listing.condition === 'new' ? 0 : 1,
    packRank: listing.packRank,
    liveness: listingLiveness(item),
    confidence: 0,
    reasons: [],
    signals: [],
  };
}

/** Without an id: the code written in the title, else title and brand similarity. */
function fuzzyIdentity(
  item: AmazonProduct,
  code: ValidCode,
  similar: boolean,
): SignalContribution | null {
  if (titleCarriesCode(item, code)) return contribution('code_in_title');
  return similar ? contribution('title_brand_similarity') : null;
}

function isFuzzy(similarity: number | null, brand: 'match' | 'mismatch' | null): boolean {
  if (similarity === null || brand === 'mismatch') return false;
  const threshold = brand === 'match' ? FUZZY_THRESHOLDS.withBrand : FUZZY_THRESHOLDS.withoutBrand;
  return similarity >= threshold;
}

/** A fuzzy match as good as a title can make it: near-identical title and the same brand. */
function strongTitle(similarity: number | null, brand: 'match' | 'mismatch' | null): boolean {
  return similarity !== null && similarity >= 0.8 && brand === 'match';
}

/**
 * When some matched listing is live (has an offer), the matched ones without an offer or
 * unavailable say so (`no_offer`, `unavailable`) and stop competing with it: a dead duplicate
 * is no ambiguity. When none is live (or the response carries no offers) liveness says nothing.
 */
function markLiveness(assessed: Assessment[]): void {
  const matched = assessed.filter((a) => a.matchType !== 'none');
  if (!matched.some((a) => a.liveness === 'live')) {
    for (const a of assessed) if (a.liveness === 'unknown') a.liveness = 'live';
    return;
  }
  for (const a of matched) {
    if (a.liveness === 'dead') a.agreement.push(contribution('unavailable'));
    if (a.liveness === 'unknown') {
      a.liveness = 'dead';
      a.agreement.push(contribution('no_offer'));
    }
  }
}

function isVariationChild(item: AmazonProduct): boolean {
  return item.parent_asin !== null && item.parent_asin !== item.asin;
}

/**
 * A variation parent is an item that is its own parent, or the parent of another returned item.
 * A parent with an id still scores (with `parent_asin_returned`) but ranks after every other
 * match; one whose child also matched does not count as a competing candidate.
 */
function markParents(assessed: Assessment[]): void {
  const parentsOfMatches = new Set<string>();
  const parents = new Set<string>();
  for (const a of assessed) {
    if (!isVariationChild(a.item)) continue;
    parents.add(a.item.parent_asin as string);
    if (a.matchType !== 'none') parentsOfMatches.add(a.item.parent_asin as string);
  }
  for (const a of assessed) {
    const isParent = a.item.parent_asin === a.item.asin || parents.has(a.item.asin);
    if (!isParent) continue;
    a.isParent = true;
    a.structure.push(contribution('parent_asin_returned'));
    a.parentOfMatch = a.matchType !== 'none' && parentsOfMatches.has(a.item.asin);
  }
}

/**
 * Which candidates compete for `single_candidate` / `multiple_candidates:N`: every item that
 * lists the code's own number (exact, or through an ISBN-10/UPC-E conversion, or the other
 * reading of an 8-digit code — two readings that both found items are a real ambiguity); the
 * units of a case pack among themselves (a listing of the case itself wins over them by rank);
 * fuzzy matches among themselves.
 */
function competitionGroup(a: Assessment): string {
  if (a.matchType === 'fuzzy' || a.matchType === 'none') return a.matchType;
  return a.identity?.reason === 'case_pack_unit' ? 'case_pack_unit' : 'id';
}

/**
 * How good a listing is apart from its identity, lower is better: acceptable before blocked,
 * new before renewed, pack agreeing before unverified, live before dead. A candidate competes
 * only with those of its group whose tier is as good or better: a 12-pack, a renewed copy or a
 * dead duplicate sharing the code does not make the right listing ambiguous.
 */
export function qualityTier(a: Assessment): number {
  return (
    (a.blockers.length > 0 ? 1000 : 0) +
    a.conditionRank * 100 +
    a.packRank * 10 +
    (a.liveness === 'dead' ? 1 : 0)
  );
}

/** Candidates of `a`'s group that are as good as `a` or better (itself included). */
function competitorCount(a: Assessment, assessed: readonly Assessment[]): number {
  const group = competitionGroup(a);
  const tier = qualityTier(a);
  return assessed.filter(
    (b) =>
      b.matchType !== 'none' &&
      !b.parentOfMatch &&
      competitionGroup(b) === group &&
      qualityTier(b) <= tier,
  ).length;
}

function finishScore(a: Assessment, candidatesInTier: number): void {
  if (!a.identity) {
    a.signals = [contribution('noise'), ...a.agreement, ...a.structure];
    a.reasons = a.signals.map((s) => s.reason);
    a.confidence = 0;
    return;
  }
  const count =
    candidatesInTier <= 1
      ? contribution('single_candidate')
      : contribution('multiple_candidates', candidatesInTier);
  a.signals = [a.identity, count, ...a.agreement, ...a.structure];
  a.reasons = a.signals.map((s) => s.reason);
  const cap =
    a.blockers.length > 0
      ? MAX_BLOCKED_CONFIDENCE
      : a.matchType === 'fuzzy'
        ? MAX_FUZZY_CONFIDENCE
        : MAX_AUTOMATIC_CONFIDENCE;
  a.confidence = combine(a.signals, cap);
}
