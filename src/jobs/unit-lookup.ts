import type { ProviderName } from '../config/provider-names.js';
import {
  isAmazonErrorCode,
  makesProviderUnusable,
  type AmazonErrorCode,
} from '../amazon/errors.js';
import type { AmazonReadiness } from '../amazon/readiness.js';
import type { AmazonProduct } from '../amazon/product.js';
import type { ProviderOutcome } from './provider-chain.js';

/** One unit of work as the lookup sees it. */
export interface LookupUnit {
  jobId: string;
  owner: string;
  marketplace: string;
  /** Display form of the code (EAN-13, ISBN-13, GTIN-14…). */
  code: string;
  gtin: string;
  context: { title?: string | null; brand?: string | null; quantity?: number | null } | null;
  /** The provider to ask (a step of the job's chain); absent: the configured provider. */
  provider?: ProviderName;
}

/** What a lookup concluded for a unit; stored as the unit's result and in the cache. */
export interface LookupResult {
  /** `to_review`: `asin` is null and `proposed_asin` waits for a person. */
  status: 'found' | 'not_found' | 'to_review';
  asin: string | null;
  proposed_asin: string | null;
  match_type: string;
  confidence: number;
  reasons: string[];
  candidates: unknown[];
  product: AmazonProduct | null;
  request_id: string | null;
  /** The provider that answered (absent when no provider did: a test's lookup). */
  provider?: ProviderName;
  /** What each provider of the job's chain said, in order (chain jobs). */
  outcomes?: ProviderOutcome[];
}

/**
 * Errors a lookup throws carry these, as AmazonError does: the worker branches on `code`,
 * never on message text.
 */
export interface LookupErrorShape {
  code: AmazonErrorCode;
  retryable: boolean;
  retryAfterMs: number | null;
  message: string;
  requestId?: string | null;
  /**
   * The provider cannot serve any code (refused credentials, account not eligible): the job is
   * paused with `pauseMessage` instead of failing each code.
   */
  providerUnusable: boolean;
  pauseMessage: string | null;
  /**
   * Amazon refused the request for pace (429 after the limiter's own retries): nothing is wrong
   * with the codes, so they are rescheduled without using an attempt.
   */
  throttled?: boolean;
}

/** One unit's outcome in a batch: its result, or what failed for this unit alone. */
export type UnitOutcome = { ok: true; result: LookupResult } | { ok: false; error: unknown };

/**
 * How the units of one marketplace may share a request: at most `maxCodesPerCall` codes, and
 * only codes with the same `batchKeyOf` (absent: any codes together).
 */
export interface LookupBatching {
  maxCodesPerCall: number;
  batchKeyOf?(code: string): string;
  /** The provider's configured pace (requests per second), for ETAs; absent: the quota's. */
  requestsPerSecond?: number;
  /** ASINs one item request (getItems) takes, for enrichment; absent: 1. */
  maxItemsPerCall?: number;
  /** Median answer time of the credential lately (ms); absent before the first answer. */
  latencyMs?: number;
  /** Processes sharing the credential's rate now (rate shares); absent: not known. */
  sharers?: number;
}

/** A batch shape as plain data (it crosses to the ingestion threads): no batch key function. */
export type RequestShape = Omit<LookupBatching, 'batchKeyOf'>;

/** A provider as a job's chain sees it: usable or not, and its batch shape (plain data). */
export interface ProviderInfo {
  provider: ProviderName;
  ready: boolean;
  /** The variables to set when it is not ready. */
  missing: string[];
  shape: RequestShape;
}

/** Offers and prices for found ASINs (the enrichment step of a chain). */
export interface EnrichRequest {
  marketplace: string;
  provider: ProviderName;
  /** At most the provider's `maxItemsPerCall`, distinct. */
  asins: readonly string[];
}

/** A request's worth of units with the provider: spends quota (through the provider's limiter). */
export interface UnitLookup {
  /**
   * Resolves units of one job and one marketplace, all with one batch key and at most
   * `maxCodesPerCall` of them, in one provider request. Resolves to one outcome per unit, in
   * the units' order; throws when the whole batch failed before or instead of a request
   * (settings incomplete, provider unusable, aborted).
   */
  lookupMany(units: readonly LookupUnit[], signal: AbortSignal): Promise<UnitOutcome[]>;
  /**
   * The batch shape for a marketplace (default: the settings' own); absent: one unit per
   * request. Never throws: unusable settings give one unit per request.
   */
  batching?(marketplace?: string, provider?: ProviderName): Promise<LookupBatching>;
  /**
   * The enricher's items of these ASINs in one request (its `getItems`), keyed by ASIN; an ASIN
   * it does not know is absent. Throws when the request failed.
   */
  enrichMany?(request: EnrichRequest, signal: AbortSignal): Promise<Map<string, AmazonProduct>>;
  /** Whether a provider is configured and its batch shape (validation and pre-flight of chains). */
  providerInfo?(provider: ProviderName): Promise<ProviderInfo>;
  /** Whether the settings can be used now; the worker re-checks it for waiting jobs. */
  readiness?(): Promise<AmazonReadiness>;
}

/** One unit per request: what a lookup without `batching` gets. */
export const ONE_PER_REQUEST: LookupBatching = { maxCodesPerCall: 1 };

/** The batch shape of a lookup for a marketplace (one unit per request when it has none). */
export async function batchingOf(
  lookup: UnitLookup,
  marketplace?: string,
  provider?: ProviderName,
): Promise<LookupBatching> {
  const b = lookup.batching ? await lookup.batching(marketplace, provider) : ONE_PER_REQUEST;
  return { ...b, maxCodesPerCall: Math.max(1, Math.floor(b.maxCodesPerCall)) };
}

/** Reads the error shape off anything thrown; unknown errors are `unknown`, not retried. */
export function lookupErrorOf(error: unknown): LookupErrorShape {
  const e = error as Partial<LookupErrorShape> & { message?: string };
  if (e && typeof e === 'object' && isAmazonErrorCode(e.code)) {
    const message = e.message ?? String(error);
    return {
      code: e.code,
      retryable: e.retryable ?? false,
      retryAfterMs: e.retryAfterMs ?? null,
      message,
      requestId: e.requestId ?? null,
      throttled: e.code === 'api_rate_limit' && (e as { status?: unknown }).status === 429,
      ...unusable(e.code, message),
    };
  }
  return {
    code: 'unknown',
    retryable: false,
    retryAfterMs: null,
    message: error instanceof Error ? error.message : String(error),
    providerUnusable: false,
    pauseMessage: null,
  };
}

/**
 * The pause message of the error classes that make a provider unusable (`makesProviderUnusable`,
 * from the one list in `amazon/errors.ts`); the message names what to do.
 */
function unusable(
  code: AmazonErrorCode,
  message: string,
): Pick<LookupErrorShape, 'providerUnusable' | 'pauseMessage'> {
  if (!makesProviderUnusable(code)) return { providerUnusable: false, pauseMessage: null };
  const pauseMessage =
    code === 'auth'
      ? `Amazon refused the credentials: ${message} Fix the settings, then resume the job.`
      : `The Associates account cannot use this API: ${message} Resume the job once Amazon has enabled it.`;
  return { providerUnusable: true, pauseMessage };
}
