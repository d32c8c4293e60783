import { AmazonError, scrub, type AmazonErrorCode } from '../errors.js';
import { exchange, type FetchFn, type JsonResponse } from '../http.js';
import { field, list, text } from '../json.js';
import { requestIdOf } from '../response-errors.js';

export interface SpapiGet {
  url: string;
  token: string;
  userAgent: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: FetchFn;
  secrets: readonly (string | undefined)[];
  /** e.g. "SP-API searchCatalogItems". */
  what: string;
}

/**
 * One GET with `x-amz-access-token` and `user-agent` (no SigV4 since 2023-10-02, reference
 * §3.2). Resolves on 2xx with the parsed body; throws a typed AmazonError otherwise.
 */
export async function spapiGet(req: SpapiGet): Promise<JsonResponse> {
  const res = await exchange({
    ...req,
    method: 'GET',
    headers: {
      accept: 'application/json',
      'user-agent': req.userAgent,
      'x-amz-access-token': req.token,
    },
  });
  const requestId = requestIdOf(res.headers);
  const { body } = res;
  const ok = res.status >= 200 && res.status < 300;
  if (ok && body !== undefined) return { status: res.status, body, requestId };
  if (ok) {
    throw new AmazonError(
      'invalid_data',
      `${req.what} answered ${res.status} with a body that is not JSON; it will be retried.`,
      { status: res.status, requestId, provider: 'spapi', retryable: true },
    );
  }
  throw spapiError(res.status, body ?? null, res.headers, requestId, req.secrets);
}

const SETTINGS =
  'check AMAZON_SPAPI_CLIENT_ID, AMAZON_SPAPI_CLIENT_SECRET and AMAZON_SPAPI_REFRESH_TOKEN, and that the app has the Product Listing role and is authorised for AMAZON_MARKETPLACE (or PUT /api/v1/amazon/config)';

interface Mapped {
  code: AmazonErrorCode;
  retryable: boolean;
  hint: string;
}

/**
 * The SP-API error classes by HTTP status and `errors[0].code` (never by message text):
 * 429 QuotaExceeded → throttled; 400 InvalidInput and 413 → invalid data (a batch is split to
 * find the bad code); 403 → credentials; 404 → not found; 5xx → retried; 415 → a bug here.
 */
function classify(status: number, code: string | null): Mapped {
  if (status === 429 || code === 'QuotaExceeded')
    return {
      code: 'api_rate_limit',
      retryable: true,
      hint: 'The request goes back through the rate limiter at a lower pace; lower AMAZON_TPS if this repeats.',
    };
  if (status === 401 || status === 403 || code === 'Unauthorized')
    return { code: 'auth', retryable: false, hint: SETTINGS };
  if (status === 404 || code === 'NotFound')
    return { code: 'not_found', retryable: false, hint: 'Nothing matches in this marketplace.' };
  if (status === 400 || status === 413 || code === 'InvalidInput')
    return {
      code: 'invalid_data',
      retryable: false,
      hint: 'Amazon refused the request as invalid; a batch is split to find the code it refuses.',
    };
  if (status >= 500)
    return {
      code: 'unknown',
      retryable: true,
      hint: 'Amazon had an internal problem; it will be retried.',
    };
  return {
    code: 'unknown',
    retryable: false,
    hint: 'Unexpected answer; report it with the request id.',
  };
}

/** `{"errors":[{"code","message","details"}]}` (reference §3.3) → AmazonError. */
export function spapiError(
  status: number,
  body: unknown,
  headers: Headers,
  requestId: string | null,
  secrets: readonly (string | undefined)[],
): AmazonError {
  const first = list(field(body, 'errors'))[0];
  const code = text(field(first, 'code'));
  const said = [text(field(first, 'message')), text(field(first, 'details'))]
    .filter(Boolean)
    .join(' ');
  const m = classify(status, code);
  const message = scrub(
    `SP-API ${status} ${code ?? `HTTP ${status}`}${said ? `: ${said}` : ''}. ${m.hint}`,
    secrets,
  );
  return new AmazonError(m.code, message, {
    retryable: m.retryable,
    retryAfterMs: m.code === 'api_rate_limit' ? intervalAtAppliedRate(headers) : null,
    status,
    requestId,
    reason: code ?? `HTTP ${status}`,
    provider: 'spapi',
  });
}

/**
 * `x-amzn-RateLimit-Limit` is the rate Amazon applies to this seller and operation (requests/s).
 * After a 429 one interval at that rate is the wait before the next try; the limiter then
 * lowers its own pace.
 */
export function intervalAtAppliedRate(headers: Headers): number | null {
  const rate = appliedRate(headers);
  return rate === null ? null : Math.ceil(1000 / rate);
}

/** The rate in `x-amzn-RateLimit-Limit`, or null when absent or unreadable. */
export function appliedRate(headers: Headers): number | null {
  const v = Number(headers.get('x-amzn-ratelimit-limit') ?? Number.NaN);
  return Number.isFinite(v) && v > 0 ? v : null;
}
