import { asinProblem, isValidAsin, normalizeAsin } from './asin.js';
import {
  equivalentForms,
  parseCode,
  type CodeType,
  type ParsedCode,
  type ValidCode,
} from '../codes/index.js';
import {
  decideMatch,
  type MatchDecision,
  type MatchInput,
  type MatchingRule,
  type RowContext,
} from '../matching/index.js';
import { AmazonError } from './errors.js';
import type { AmazonProduct } from './product.js';
import type { AmazonProvider, CallOptions, SearchOutcome } from './provider.js';

/** Which external-id list of an item carried the code. */
export type MatchedOn = 'ean' | 'upc' | 'isbn';

/**
 * From the items a search returned, decide the code's product. The default is the matching
 * module's `decideMatch` (confidence, reasons, every item as a scored candidate); the seam lets a
 * caller plug another policy in.
 */
export type Decide = (input: MatchInput) => MatchDecision;

/**
 * The decision for one code, with what was searched: the chosen ASIN (or none) and its product,
 * match type, confidence, band, reasons and every returned item as a scored candidate.
 */
export interface EanSearchResult extends MatchDecision {
  /** The searched form (EAN-13 for a UPC-A, ISBN-13 for a book). */
  code: string;
  code_type: CodeType;
  gtin14: string;
  marketplace: string;
  found: boolean;
  /** Amazon's result count for the search (0 when nothing was returned). */
  total_results: number;
  /** The provider's request ids, one per page read. */
  request_ids: string[];
  /** Every item the search returned, in the provider's order. */
  items: AmazonProduct[];
}

export interface SearchByEanOptions extends CallOptions {
  /** The row's own title, brand and pack quantity, when the caller has them. */
  row?: RowContext;
  /** The owner's matching rules for this code (`always` / `never`). */
  rules?: readonly MatchingRule[];
  decide?: Decide;
  /** Lowest confidence accepted automatically (matching's default, 0.8, when absent). */
  acceptThreshold?: number;
  /** Default: `Books` for an ISBN, `All` otherwise. */
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

export interface ProductFunctions {
  /**
   * The decision for a barcode: the best match (or none) with its confidence, reasons and every
   * returned item as a scored candidate.
   */
  searchAmazonByEan(code: string, opts?: SearchByEanOptions): Promise<EanSearchResult>;
  /** The decisions for several barcodes, batched as the provider allows (one outcome each). */
  searchAmazonByEans(
    requests: readonly EanSearchRequest[],
    opts?: Omit<SearchByEanOptions, 'row' | 'rules'>,
  ): Promise<EanSearchOutcome[]>;
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
    searchAmazonByEans: (requests, opts) => searchAmazonByEans(provider, requests, opts),
    validateAsinOnAmazon: (asin, opts) => validateAsinOnAmazon(provider, asin, opts),
    fetchAmazonProductData: (asin, opts) => fetchAmazonProductData(provider, asin, opts),
  };
}

export async function searchAmazonByEan(
  provider: AmazonProvider,
  raw: string,
  opts: SearchByEanOptions = {},
): Promise<EanSearchResult> {
  const [outcome] = await searchAmazonByEans(
    provider,
    [{ code: raw, row: opts.row, rules: opts.rules }],
    opts,
  );
  if (!outcome || !outcome.ok) throw outcome?.error;
  return outcome.result;
}

/** One code of a batch search: the code and what its decision uses besides Amazon's answer. */
export interface EanSearchRequest {
  code: string;
  row?: RowContext;
  rules?: readonly MatchingRule[];
}

/** One code's decision, or what failed for this code alone. */
export type EanSearchOutcome =
  { ok: true; result: EanSearchResult } | { ok: false; error: AmazonError };

/**
 * The decisions for several barcodes, in their order: the codes go to the provider in as few
 * `searchByCodes` calls as its `maxCodesPerCall` and `batchKeyOf` allow (one per search index
 * too, for a provider that searches within one), then each code is decided on its own answer. An invalid code fails alone,
 * without a request. Throws only when the whole call was aborted.
 */
export async function searchAmazonByEans(
  provider: AmazonProvider,
  requests: readonly EanSearchRequest[],
  opts: Omit<SearchByEanOptions, 'row' | 'rules'> = {},
): Promise<EanSearchOutcome[]> {
  const outcomes: (EanSearchOutcome | undefined)[] = requests.map(() => undefined);
  const groups = new Map<string, { code: ValidCode; index: number }[]>();
  requests.forEach((request, index) => {
    const parsed = parseCode(request.code);
    if (!parsed.valid) {
      const error = new AmazonError('invalid_data', parsed.message, { reason: 'InvalidCode' });
      outcomes[index] = { ok: false, error };
      return;
    }
    const key = searchGroupOf(provider, parsed, opts.searchIndex);
    const group = groups.get(key) ?? [];
    group.push({ code: parsed, index });
    groups.set(key, group);
  });
  const max = Math.max(1, provider.maxCodesPerCall);
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += max) {
      const part = group.slice(i, i + max);
      const answers = await provider.searchByCodes(
        part.map((p) => p.code.code),
        {
          signal: opts.signal,
          searchIndex: searchIndexOf(part[0]!.code, opts),
          maxPages: opts.maxPages,
          isMatch: (item, c) => matchedOn(c, item).length > 0,
        },
      );
      for (const { code, index } of part) {
        outcomes[index] = decideOne(provider, code, answers.get(code.code), requests[index]!, opts);
      }
    }
  }
  return outcomes as EanSearchOutcome[];
}

/**
 * Which codes may share one search request: those with the same search index (providers that
 * search codes as keywords: `Books` for an ISBN, `All` otherwise, unless the caller chose one) and
 * the same `batchKeyOf` (SP-API: one identifier type per request). The worker groups its queue by
 * it, so its batches are the requests this module then sends.
 */
export function searchGroupOf(
  provider: Pick<AmazonProvider, 'usesSearchIndex' | 'batchKeyOf'>,
  parsed: ParsedCode,
  searchIndex?: string,
): string {
  const index = provider.usesSearchIndex === false ? '' : searchIndexOf(parsed, { searchIndex });
  const code = parsed.valid ? parsed.code : parsed.raw;
  return `${index}\u0000${provider.batchKeyOf?.(code) ?? ''}`;
}

/** `Books` for an ISBN, `All` otherwise, unless the caller chose one. */
function searchIndexOf(parsed: ParsedCode, opts: { searchIndex?: string }): string {
  return opts.searchIndex ?? (parsed.valid && parsed.type.startsWith('ISBN') ? 'Books' : 'All');
}

function decideOne(
  provider: AmazonProvider,
  parsed: ValidCode,
  outcome: SearchOutcome | undefined,
  request: EanSearchRequest,
  opts: { decide?: Decide; acceptThreshold?: number },
): EanSearchOutcome {
  // The display form (EAN-13 for a UPC-A, ISBN-13 for a book) is what is searched and keyed.
  const code = parsed.code;
  if (!outcome) {
    const error = new AmazonError(
      'unknown',
      `The provider gave no answer for ${code}; try again.`,
      {
        retryable: true,
      },
    );
    return { ok: false, error };
  }
  if (outcome.status === 'error') return { ok: false, error: outcome.error };
  const items = outcome.status === 'found' ? outcome.items : [];
  const marketplace = provider.marketplace.domain;
  const decision = (opts.decide ?? decideMatch)({
    code: parsed,
    items,
    row: request.row,
    rules: request.rules,
    marketplace,
    acceptThreshold: opts.acceptThreshold,
  });
  const result: EanSearchResult = {
    code,
    code_type: parsed.type,
    gtin14: parsed.gtin14,
    marketplace,
    found: decision.asin !== null,
    ...decision,
    total_results: outcome.status === 'found' ? (outcome.totalResultCount ?? items.length) : 0,
    request_ids: outcome.requestIds,
    items,
  };
  return { ok: true, result };
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
