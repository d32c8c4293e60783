import { AmazonError, scrub, type AmazonErrorCode } from './errors.js';
import { field, num, text } from './json.js';
import { PROVIDER_LABELS, type ProviderName } from '../config/provider-names.js';

/** What is known about a failed HTTP exchange when turning it into an AmazonError. */
export interface FailedResponse {
  provider: ProviderName;
  status: number;
  body: unknown;
  headers: Headers;
  requestId: string | null;
  /** Values that must not appear in the message. */
  secrets: readonly (string | undefined)[];
}

/** The parts of an error body both protocols share, read from either shape. */
export interface ErrorBody {
  /** `ThrottleException`, `TooManyRequestsException`… (namespace before `#` removed). */
  type: string | null;
  reason: string | null;
  message: string | null;
  retryAfterSeconds: number | null;
}

const CONFIG_HINT: Record<ProviderName, string> = {
  creators:
    'check AMAZON_CREATORS_CREDENTIAL_ID, AMAZON_CREATORS_CREDENTIAL_SECRET and AMAZON_CREATORS_CREDENTIAL_VERSION (or PUT /api/v1/amazon/config)',
  paapi:
    'check AMAZON_PAAPI_ACCESS_KEY, AMAZON_PAAPI_SECRET_KEY and AMAZON_PAAPI_REGION (or PUT /api/v1/amazon/config)',
  spapi:
    'check AMAZON_SPAPI_CLIENT_ID, AMAZON_SPAPI_CLIENT_SECRET and AMAZON_SPAPI_REFRESH_TOKEN, and that the app has the Product Listing role for AMAZON_MARKETPLACE (or PUT /api/v1/amazon/config)',
  keepa: 'check AMAZON_KEEPA_KEY (or PUT /api/v1/amazon/config)',
};

const TAG_HINT =
  'check AMAZON_ASSOCIATE_TAG: it must be a tracking id of the store of AMAZON_MARKETPLACE, linked to these credentials (or PUT /api/v1/amazon/config)';

/** Reads `type`/`__type`, `reason`, `message` (Creators) or `Errors[0].Code/Message` (PA-API). */
export function readErrorBody(body: unknown): ErrorBody {
  const rawType = text(field(body, 'type')) ?? text(field(body, '__type'));
  const first = (field(body, 'errors') as unknown[] | null)?.[0];
  const retry = num(field(body, 'retryAfterSeconds'));
  return {
    type: rawType ? rawType.replace(/^.*#/, '') : null,
    reason: text(field(body, 'reason')) ?? text(field(first, 'code')),
    message: text(field(body, 'message')) ?? text(field(first, 'message')),
    retryAfterSeconds: retry !== null && retry >= 0 ? retry : null,
  };
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterHeaderMs(headers: Headers, now = Date.now()): number | null {
  const v = headers.get('retry-after');
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Maps an HTTP error response of either provider to a typed AmazonError. */
export function errorFromResponse(r: FailedResponse): AmazonError {
  const b = readErrorBody(r.body);
  const { code, hint, retryable } = classify(r.provider, r.status, b);
  const name = [b.type, b.reason].filter(Boolean).join('/') || `HTTP ${r.status}`;
  const said = b.message ? `: ${b.message}` : '';
  const label = PROVIDER_LABELS[r.provider];
  const message = scrub(`${label} ${r.status} ${name}${said}. ${hint}`, r.secrets);
  const retryAfterMs =
    b.retryAfterSeconds !== null ? b.retryAfterSeconds * 1000 : retryAfterHeaderMs(r.headers);
  return new AmazonError(code, message, {
    retryable,
    retryAfterMs,
    status: r.status,
    requestId: r.requestId,
    reason: b.reason ?? b.type,
    provider: r.provider,
  });
}

interface Classified {
  code: AmazonErrorCode;
  hint: string;
  retryable: boolean;
}

function classify(provider: ProviderName, status: number, b: ErrorBody): Classified {
  const names = `${b.type ?? ''} ${b.reason ?? ''}`;
  if (status === 429 || /Throttl|TooManyRequests/.test(names)) {
    return {
      code: 'api_rate_limit',
      retryable: true,
      hint: 'The request will be retried after the delay the API asks for; lower AMAZON_TPS if this repeats.',
    };
  }
  if (/AssociateNotEligible/.test(names) || (provider === 'paapi' && b.reason === 'AccessDenied')) {
    return {
      code: 'not_eligible',
      retryable: false,
      hint: 'The Associates account must have 10 qualified sales in the last 30 days to use the API; until then no request can succeed.',
    };
  }
  if (/InvalidAssociate|InvalidPartnerTag|AssociateValidation/.test(names)) {
    return { code: 'auth', retryable: false, hint: TAG_HINT };
  }
  if (status === 401 || status === 403) {
    return { code: 'auth', retryable: false, hint: CONFIG_HINT[provider] };
  }
  if (status === 404 || /ResourceNotFound|NoResults/.test(names)) {
    return {
      code: 'not_found',
      retryable: false,
      hint: 'Nothing matches; check the code or ASIN and the marketplace.',
    };
  }
  if (status >= 500) {
    return {
      code: 'unknown',
      retryable: true,
      hint: 'Amazon had an internal problem; the request will be retried.',
    };
  }
  if (status === 400) {
    return {
      code: 'invalid_data',
      retryable: false,
      hint: 'The request was refused as invalid; report it if the input looks right.',
    };
  }
  return {
    code: 'unknown',
    retryable: false,
    hint: 'Unexpected answer; report it with the request id.',
  };
}

/** Header names under which a request id may come back (not confirmed, reference §7.10). */
const REQUEST_ID_HEADERS = [
  'x-amzn-requestid',
  'x-amzn-request-id',
  'x-amz-request-id',
  'x-request-id',
];

export function requestIdOf(headers: Headers): string | null {
  for (const h of REQUEST_ID_HEADERS) {
    const v = headers.get(h);
    if (v) return v;
  }
  return null;
}
