import type { AmazonProduct } from './amazon-product.js';
import type { Assessment } from './assess-candidates.js';

/**
 * Orders accepted candidates, best first. The rules, in order:
 * 1. a variation parent comes after every other match (a child wins over its parent);
 * 2. a listing that may be accepted before one with a decisive signal (pack mismatch, renewed
 *    or used, variant mismatch): the listing whose pack agrees wins over one that only carries
 *    the id;
 * 3. new before renewed or used; a pack that agrees before an unverified one;
 * 4. the stronger identity first: exact, then partial forms by weight, then fuzzy;
 * 5. better agreement with the row (title, brand, pack size: sum of those signals);
 * 6. live (an offer, in stock) before unknown before dead (no offer, unavailable);
 * 7. better (lower) sales rank, unknown last;
 * 8. the provider's order.
 */
export function rankCandidates(accepted: readonly Assessment[]): Assessment[] {
  return [...accepted].sort(compareCandidates);
}

/** The comparator of `rankCandidates` (negative: `a` ranks before `b`). */
export function compareCandidates(a: Assessment, b: Assessment): number {
  return (
    Number(a.isParent) - Number(b.isParent) ||
    Number(a.blockers.length > 0) - Number(b.blockers.length > 0) ||
    a.conditionRank - b.conditionRank ||
    a.packRank - b.packRank ||
    (b.identity?.weight ?? 0) - (a.identity?.weight ?? 0) ||
    agreementScore(b) - agreementScore(a) ||
    livenessRank(a) - livenessRank(b) ||
    salesRankOrder(a.item) - salesRankOrder(b.item) ||
    a.index - b.index
  );
}

function agreementScore(a: Assessment): number {
  return a.agreement.reduce((sum, s) => sum + s.weight, 0);
}

const UNAVAILABLE =
  /out[ _]of[ _]stock|unavailable|not available|indisponible|rupture|nicht verf|no disponible|non disponibile|esaurito/i;
const AVAILABLE =
  /in[ _]stock|available|en stock|disponible|auf lager|vorr[aä]tig|disponibile|leadtime|preorder|available_date/i;

/** 0 available, 1 unknown, 2 unavailable — from the availability message or type. */
export function availabilityRank(item: AmazonProduct): number {
  if (!item.availability) return 1;
  if (UNAVAILABLE.test(item.availability)) return 2;
  if (AVAILABLE.test(item.availability)) return 0;
  return 1;
}

/** 0 in stock, 1 unknown, 2 no offer while another has one, 3 stated unavailable. */
function livenessRank(a: Assessment): number {
  const stated = availabilityRank(a.item);
  if (a.liveness === 'dead') return stated === 2 ? 3 : 2;
  return stated;
}

function salesRankOrder(item: AmazonProduct): number {
  return item.sales_rank !== null && item.sales_rank > 0
    ? item.sales_rank
    : Number.MAX_SAFE_INTEGER;
}
