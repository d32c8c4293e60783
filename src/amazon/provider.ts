import type { AmazonSettings } from '../config/env.js';
import type { ProviderName } from '../config/provider-names.js';
import type { AmazonError } from './errors.js';
import type { Marketplace } from './marketplaces.js';
import type { AmazonProduct } from './product.js';
import type { RateLimiter } from './rate-limiter.js';

export type { AmazonSettings, ProviderName };

/** Options common to every provider call. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface SearchOptions extends CallOptions {
  /** Default `All`. */
  searchIndex?: string;
  /**
   * Says whether a returned item is the code's product. When given and no item of a page
   * matches while more results exist, the next page is read (up to `maxPages`).
   */
  isMatch?: (item: AmazonProduct, code: string) => boolean;
  /** Pages read at most per code when `isMatch` finds nothing (default 2, max 10). */
  maxPages?: number;
}

/** What one code's search gave. `error` holds failures that concern this code only or all. */
export type SearchOutcome =
  | {
      status: 'found';
      items: AmazonProduct[];
      totalResultCount: number | null;
      requestIds: string[];
    }
  | { status: 'not_found'; items: []; totalResultCount: 0; requestIds: string[] }
  | { status: 'error'; error: AmazonError; requestIds: string[] };

/** Why one requested ASIN is missing from a getItems answer. */
export interface ItemError {
  /** Provider code: `InvalidParameterValue`, `ItemNotAccessible`, `ItemNotFound`… */
  code: string;
  message: string;
}

export interface GetItemsResult {
  /** Found items, in the requested order, keyed by ASIN. */
  items: Map<string, AmazonProduct>;
  /** Requested ASINs that did not come back, with the reason. */
  errors: Map<string, ItemError>;
  requestIds: string[];
}

export interface VariationDimension {
  name: string;
  displayName: string | null;
  values: string[];
}

export interface VariationsResult {
  items: AmazonProduct[];
  variationCount: number | null;
  pageCount: number | null;
  dimensions: VariationDimension[];
  requestIds: string[];
}

export interface VariationsOptions extends CallOptions {
  /** Pages of 10 read at most (default 1). */
  maxPages?: number;
}

/**
 * One Amazon data source. Batch-shaped: Creators API and PA-API search one code per request,
 * later providers (SP-API, Keepa) take 20 or 100, and say so in `maxCodesPerCall`.
 */
export interface AmazonProvider {
  readonly name: ProviderName;
  readonly marketplace: Marketplace;
  /** Codes one request can look up (1 for Creators API and PA-API). Callers batch accordingly. */
  readonly maxCodesPerCall: number;
  /**
   * When set, codes with different keys never share a request (SP-API sends one identifier type
   * per request: EAN, UPC, ISBN, GTIN). Callers that batch group codes by it. Absent: any codes
   * may share a request.
   */
  batchKeyOf?(code: string): string;
  /**
   * False when `searchByCodes` looks codes up directly (SP-API, Keepa) rather than searching
   * them as keywords within a search index (`Books` for an ISBN): then an ISBN and an EAN may
   * share a request. Absent: true.
   */
  readonly usesSearchIndex?: boolean;
  /** ASINs one getItems request can take (10 here); larger lists are split. */
  readonly maxItemsPerCall: number;
  /** The limiter pacing this credential (shared by all calls of this client). */
  readonly limiter: RateLimiter;
  /** Searches each code (keywords = code, external ids requested). Never throws per code. */
  searchByCodes(codes: string[], opts?: SearchOptions): Promise<Map<string, SearchOutcome>>;
  /** Full items by ASIN; partial failures are in `errors`, a total failure throws. */
  getItems(asins: string[], opts?: CallOptions): Promise<GetItemsResult>;
  getVariations(asin: string, opts?: VariationsOptions): Promise<VariationsResult>;
  /**
   * A call that proves the credentials work without spending quota (Keepa's free `/token`);
   * throws the AmazonError the provider answered. Absent: the connection test searches a word.
   */
  checkAccess?(opts?: CallOptions): Promise<void>;
}
