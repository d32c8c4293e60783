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
  status: 'found' | 'not_found';
  asin: string | null;
  match_type: string;
  confidence: number;
  reasons: string[];
  candidates: unknown[];
  product: AmazonProduct | null;
  request_id: string | null;
}

/**
 * Errors a lookup throws carry these, as AmazonError does: the worker branches on `code`,
 * never on message text.
 */
export interface LookupErrorShape {
  code:
    | 'network'
    | 'api_rate_limit'
    | 'auth'
    | 'not_eligible'
    | 'invalid_data'
    | 'not_found'
    | 'unknown';
  retryable: boolean;
  retryAfterMs: number | null;
  message: string;
  requestId?: string | null;
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
  const codes = [
    'network',
    'api_rate_limit',
    'auth',
    'not_eligible',
    'invalid_data',
    'not_found',
    'unknown',
  ];
  if (e && typeof e === 'object' && typeof e.code === 'string' && codes.includes(e.code)) {
    return {
      code: e.code,
      retryable: e.retryable ?? false,
      retryAfterMs: e.retryAfterMs ?? null,
      message: e.message ?? String(error),
      requestId: e.requestId ?? null,
    };
  }
  return {
    code: 'unknown',
    retryable: false,
    retryAfterMs: null,
    message: error instanceof Error ? error.message : String(error),
  };
}
