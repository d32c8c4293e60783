import { asinProblem, isValidAsin, normalizeAsin } from './asin.js';
import { equivalentForms, parseCode } from '../codes/index.js';
import { AmazonError } from './errors.js';
import type { AmazonProduct } from './product.js';
import type { AmazonProvider, CallOptions } from './provider.js';

/** Which external-id list of an item carried the code. */
export type MatchedOn = 'ean' | 'upc' | 'isbn';

export interface Candidate {
  product: AmazonProduct;
  matchedOn: MatchedOn[];
}

/** What `decide` concluded for one code. */
export interface Decision {
  best: Candidate | null;
  candidates: Candidate[];
  /** One sentence: why `best` was chosen, or why there is none. */
  reason: string;
}

/**
 * The seam the matching module (`src/matching/`) will replace with confidence scoring: from
 * the items a search returned, pick the code's product.
 */
export type Decide = (code: string, items: AmazonProduct[]) => Decision;

export interface EanSearchResult {
  code: string;
  best: AmazonProduct;
  candidates: Candidate[];
  /** Every item the search returned, candidates or not. */
  items: AmazonProduct[];
  reason: string;
  requestIds: string[];
}

export interface SearchByEanOptions extends CallOptions {
  decide?: Decide;
  searchIndex?: string;
  maxPages?: number;
}

/** Which lists of an item's external ids contain the code in any equivalent form. */
export function matchedOn(code: string, item: AmazonProduct): MatchedOn[] {
  const forms = new Set(equivalentForms(code));
  if (forms.size === 0) return [];
  const same = (id: string): boolean => {
    const parsed = parseCode(id);
    return forms.has(id.replace(/[\s-]/g, '')) || (parsed.valid && forms.has(parsed.gtin14));
  };
  const lists: [MatchedOn, string[]][] = [
    ['ean', item.external_ids.eans],
    ['upc', item.external_ids.upcs],
    ['isbn', item.external_ids.isbns],
  ];
  return lists.filter(([, ids]) => ids.some(same)).map(([k]) => k);
}

/** Default decision: keep items listing the code (EAN-13 ↔ UPC-A ↔ GTIN-14, ISBN-10 ↔ 13); the first, in Amazon's relevance order, is best. */
export const decideByExternalIds: Decide = (code, items) => {
  const candidates = items
    .map((product) => ({ product, matchedOn: matchedOn(code, product) }))
    .filter((c) => c.matchedOn.length > 0);
  const best = candidates[0] ?? null;
  if (!best) {
    return {
      best: null,
      candidates,
      reason: `None of the ${items.length} items returned lists ${code} among its external ids.`,
    };
  }
  const more = candidates.length > 1 ? `; ${candidates.length - 1} other item(s) list it too` : '';
  return {
    best,
    candidates,
    reason: `${best.product.asin} lists ${code} as ${best.matchedOn.join('/')}${more}.`,
  };
};

export interface ProductFunctions {
  /** The best match for a barcode with its candidates, or null when no item lists the code. */
  searchAmazonByEan(code: string, opts?: SearchByEanOptions): Promise<EanSearchResult | null>;
  /** Whether the ASIN exists and is accessible; malformed ASINs are refused without a request. */
  validateAsinOnAmazon(
    asin: string,
    opts?: CallOptions,
  ): Promise<{ valid: boolean; reason: string }>;
  /** The full normalised product, or null when Amazon does not return it. */
  fetchAmazonProductData(asin: string, opts?: CallOptions): Promise<AmazonProduct | null>;
}

/** The three functions of the original system, on top of any provider. */
export function createProductFunctions(provider: AmazonProvider): ProductFunctions {
  return {
    searchAmazonByEan: (code, opts) => searchAmazonByEan(provider, code, opts),
    validateAsinOnAmazon: (asin, opts) => validateAsinOnAmazon(provider, asin, opts),
    fetchAmazonProductData: (asin, opts) => fetchAmazonProductData(provider, asin, opts),
  };
}

export async function searchAmazonByEan(
  provider: AmazonProvider,
  raw: string,
  opts: SearchByEanOptions = {},
): Promise<EanSearchResult | null> {
  const parsed = parseCode(raw);
  if (!parsed.valid) {
    throw new AmazonError('invalid_data', parsed.message, { reason: 'InvalidCode' });
  }
  // The display form (EAN-13 for a UPC-A, ISBN-13 for a book) is what is searched and keyed.
  const code = parsed.code;
  const decide = opts.decide ?? decideByExternalIds;
  const outcomes = await provider.searchByCodes([code], {
    signal: opts.signal,
    searchIndex: opts.searchIndex,
    maxPages: opts.maxPages,
    isMatch: (item, c) => matchedOn(c, item).length > 0,
  });
  const outcome = outcomes.get(code);
  if (!outcome) return null;
  if (outcome.status === 'error') throw outcome.error;
  if (outcome.status === 'not_found') return null;
  const decision = decide(code, outcome.items);
  if (!decision.best) return null;
  return {
    code,
    best: decision.best.product,
    candidates: decision.candidates,
    items: outcome.items,
    reason: decision.reason,
    requestIds: outcome.requestIds,
  };
}

export async function validateAsinOnAmazon(
  provider: AmazonProvider,
  raw: string,
  opts: CallOptions = {},
): Promise<{ valid: boolean; reason: string }> {
  const asin = normalizeAsin(raw);
  if (!isValidAsin(asin)) return { valid: false, reason: asinProblem(raw) };
  const result = await provider.getItems([asin], opts);
  if (result.items.has(asin))
    return { valid: true, reason: `${asin} exists on ${provider.marketplace.domain}.` };
  const err = result.errors.get(asin);
  return {
    valid: false,
    reason: err ? `${err.code}: ${err.message}` : `${asin} was not returned.`,
  };
}

export async function fetchAmazonProductData(
  provider: AmazonProvider,
  raw: string,
  opts: CallOptions = {},
): Promise<AmazonProduct | null> {
  const asin = normalizeAsin(raw);
  if (!isValidAsin(asin))
    throw new AmazonError('invalid_data', asinProblem(raw), { reason: 'InvalidAsin' });
  const result = await provider.getItems([asin], opts);
  return result.items.get(asin) ?? null;
}
