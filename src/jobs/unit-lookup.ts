import type { ProviderName } from '../config/provider-names.js';
import { isAmazonErrorCode, type AmazonErrorCode } from '../amazon/errors.js';
import type { AmazonReadiness } from '../amazon/readiness.js';
import type { AmazonProduct } from '../amazon/product.js';

/** One unit of work as the lookup sees it. */
export interface LookupUnit {
  jobId: string;
  owner: string;
  marketplace: string;
  /** Display form of the code (EAN-13, ISBN-13, GTIN-14…). */
  code: string;
  gtin: string;
  context: { title?: string | null; brand?: string | null; quantity?: number | null } | null;
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
}

/** Resolves one unit with the provider: spends quota (through the provider's limiter). */
export interface UnitLookup {
  lookup(unit: LookupUnit, signal: AbortSignal): Promise<LookupResult>;
  /** Whether the settings can be used now; the worker re-checks it for waiting jobs. */
  readiness?(): Promise<AmazonReadiness>;
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

/** The pause message of the error classes that make a provider unusable; the message names it. */
function unusable(
  code: AmazonErrorCode,
  message: string,
): Pick<LookupErrorShape, 'providerUnusable' | 'pauseMessage'> {
  if (code === 'auth')
    return {
      providerUnusable: true,
      pauseMessage: `Amazon refused the credentials: ${message} Fix the settings, then resume the job.`,
    };
  if (code === 'not_eligible')
    return {
      providerUnusable: true,
      pauseMessage: `The Associates account cannot use this API: ${message} Resume the job once Amazon has enabled it.`,
    };
  return { providerUnusable: false, pauseMessage: null };
}
