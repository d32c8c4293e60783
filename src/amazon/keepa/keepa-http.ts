import { AmazonError, scrub } from '../errors.js';
import { exchange, type FetchFn } from '../http.js';
import { field, num, text } from '../json.js';

/** What every Keepa answer says about the key's tokens (reference §4, Response.java). */
export interface KeepaTokenStatus {
  /** May be negative: Keepa lets a request overdraw, the next refills pay it back. */
  tokensLeft: number;
  /** Milliseconds until the next refill. */
  refillInMs: number;
  /** Tokens added per minute (the plan). */
  refillRate: number;
  /** Tokens this request cost (null when the answer did not say). */
  tokensConsumed: number | null;
  /** Keepa's own clock when it answered (`timestamp`, epoch ms), null when the answer had none. */
  observedAtMs: number | null;
}

/** One decoded Keepa answer. */
export interface KeepaResponse {
  body: unknown;
  tokens: KeepaTokenStatus | null;
}

export interface KeepaGet {
  url: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: FetchFn;
  /** The key: it travels in the query string and must never reach a message. */
  key: string;
  /** Human name of the call, e.g. "Keepa /product". */
  what: string;
}

/**
 * GETs a Keepa URL (gzip asked; fetch decodes it) and decodes the JSON. Resolves on 200; throws an
 * AmazonError typed from the status otherwise, carrying the token status of a 429 in
 * `retryAfterMs` (its `refillIn`) and on `tokens` of the thrown error's cause.
 */
export async function keepaGet(req: KeepaGet): Promise<KeepaResponse> {
  const res = await exchange({
    ...req,
    method: 'GET',
    headers: { accept: 'application/json', 'accept-encoding': 'gzip' },
    networkError: (error) =>
      new AmazonError(error.code, scrub(error.message, [req.key]), {
        reason: error.reason,
        provider: 'keepa',
      }),
  });
  const { body } = res;
  const tokens = tokenStatusOf(body);
  if (res.status === 200 && body !== undefined) return { body, tokens };
  throw keepaError(res.status, body, tokens, req);
}

/** The token fields of an answer, or null when it has none. */
export function tokenStatusOf(body: unknown): KeepaTokenStatus | null {
  const tokensLeft = num(field(body, 'tokensLeft'));
  const refillIn = num(field(body, 'refillIn'));
  const refillRate = num(field(body, 'refillRate'));
  if (tokensLeft === null || refillIn === null || refillRate === null) return null;
  return {
    tokensLeft,
    refillInMs: Math.max(0, refillIn),
    refillRate,
    tokensConsumed: num(field(body, 'tokensConsumed')),
    observedAtMs: num(field(body, 'timestamp')),
  };
}

/** An AmazonError thrown for a Keepa answer; `tokens` is what the answer said of the budget. */
export class KeepaError extends AmazonError {
  constructor(
    code: AmazonError['code'],
    message: string,
    options: ConstructorParameters<typeof AmazonError>[2],
    readonly tokens: KeepaTokenStatus | null,
  ) {
    super(code, message, { ...options, provider: 'keepa' });
  }
}

const FIX_KEY =
  'set AMAZON_KEEPA_KEY to the access key shown at keepa.com → API, or PUT /api/v1/amazon/config';

/** Maps a non-200 answer (reference §4: KeepaAPI.java status mapping, RequestError.java). */
function keepaError(
  status: number,
  body: unknown,
  tokens: KeepaTokenStatus | null,
  req: KeepaGet,
): KeepaError {
  const error = field(body, 'error');
  const type = text(field(error, 'type'));
  const said = scrub(
    [text(field(error, 'message')), text(field(error, 'details'))].filter(Boolean).join(': '),
    [req.key],
  );
  const detail = said ? ` (${said})` : '';
  const base = { status, reason: type ?? `HTTP${status}` };
  if (status === 200)
    return new KeepaError(
      'invalid_data',
      `${req.what} answered 200 with a body that is not JSON; it will be retried.`,
      { ...base, retryable: true },
      tokens,
    );
  if (status === 429)
    return new KeepaError(
      'api_rate_limit',
      `${req.what}: not enough Keepa tokens${detail}; waiting ${Math.round((tokens?.refillInMs ?? 60_000) / 1000)} s for the refill.`,
      { ...base, reason: type ?? 'NOT_ENOUGH_TOKEN', retryAfterMs: tokens?.refillInMs ?? 60_000 },
      tokens,
    );
  if (status === 402)
    return new KeepaError(
      'not_eligible',
      `Keepa answered 402 Payment Required${detail}: the key has no paid API plan (expired or not subscribed). Renew the plan at keepa.com → API, then resume the job.`,
      { ...base, reason: type ?? 'PAYMENT_REQUIRED', retryable: false },
      tokens,
    );
  if (status === 400 || status === 401 || status === 403)
    // Every request this client sends is well formed (codes checked, domain known): a rejection
    // means the key (reference §7.14: Keepa's error types are not confirmed).
    return new KeepaError(
      'auth',
      `Keepa rejected the request (${status}${detail}): the key is probably wrong; ${FIX_KEY}.`,
      base,
      tokens,
    );
  if (status === 404 || status === 405)
    return new KeepaError(
      'invalid_data',
      `${req.what} answered ${status}${detail}: check AMAZON_KEEPA_API_URL (default https://api.keepa.com).`,
      base,
      tokens,
    );
  return new KeepaError(
    status >= 500 ? 'network' : 'unknown',
    `${req.what} failed with ${status}${detail}; it will be retried.`,
    { ...base, retryable: status >= 500 },
    tokens,
  );
}
