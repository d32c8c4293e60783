import { userAgent } from '../config/package-version.js';
import { systemClock, type Clock } from './clock.js';
import { AmazonError, scrub } from './errors.js';
import { exchange, type FetchFn, type RawAnswer } from './http.js';
import type { ProviderName } from './provider.js';
import { field, num, text } from './json.js';
import { requestIdOf } from './response-errors.js';

/** A fetched access token and how long it lives. */
export interface FetchedToken {
  token: string;
  ttlMs: number;
}

export interface TokenCacheOptions {
  clock?: Clock;
  /** How long before expiry a token is renewed, given its lifetime. */
  earlyMs(ttlMs: number): number;
  /**
   * Renew in the background during the last stretch before that (one more `earlyMs`), so that
   * requests already holding a rate-limiter slot rarely wait for a token fetch.
   */
  refreshAhead: boolean;
}

/**
 * The access tokens of one credential (Creators API OAuth2, SP-API Login with Amazon): cached,
 * renewed early, one fetch at a time (concurrent callers share the one in flight). Subclasses say
 * how a token is fetched.
 */
export abstract class TokenCache {
  private cached: { token: string; expiresAt: number; earlyMs: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly clock: Clock;
  /** Token requests sent so far (tests, stats). */
  fetches = 0;

  constructor(private readonly renewal: TokenCacheOptions) {
    this.clock = renewal.clock ?? systemClock;
  }

  /** Fetches a new token (the request to the token endpoint). */
  protected abstract fetchToken(signal?: AbortSignal): Promise<FetchedToken>;

  /** A valid access token (cached, or fetched now). */
  get(signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    const c = this.cached;
    if (c && now < c.expiresAt - c.earlyMs) {
      // A failed renewal ahead changes nothing: the token is fetched again once it is due.
      if (this.renewal.refreshAhead && now >= c.expiresAt - 2 * c.earlyMs)
        void this.refresh().catch(() => undefined);
      return Promise.resolve(c.token);
    }
    return this.refresh(signal);
  }

  /** Drops `token` if it is still the cached one (the API said it expired or is invalid). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private refresh(signal?: AbortSignal): Promise<string> {
    this.pending ??= this.fetchAndCache(signal).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchAndCache(signal?: AbortSignal): Promise<string> {
    this.fetches += 1;
    const { token, ttlMs } = await this.fetchToken(signal);
    const earlyMs = this.renewal.earlyMs(ttlMs);
    this.cached = { token, expiresAt: this.clock.now() + ttlMs, earlyMs };
    return token;
  }
}

/** One token request: a POST of `body`, the whole answer read, whatever its status. */
export function postTokenRequest(req: {
  url: string;
  contentType: string;
  body: string;
  fetch?: FetchFn;
  timeoutMs?: number;
  signal?: AbortSignal;
  what: string;
}): Promise<RawAnswer> {
  return exchange({
    url: req.url,
    method: 'POST',
    headers: {
      'content-type': req.contentType,
      accept: 'application/json',
      'user-agent': userAgent(),
    },
    body: req.body,
    timeoutMs: req.timeoutMs ?? 10_000,
    ...(req.signal ? { signal: req.signal } : {}),
    fetch: req.fetch ?? fetch,
    what: req.what,
  });
}

/**
 * The token of a 2xx answer (`access_token`, `expires_in`, default one hour); otherwise the
 * endpoint's refusal (`refused`), or `invalid_data` (retried) when a 2xx carries no token.
 */
export function acceptToken(
  answer: RawAnswer,
  refused: (answer: RawAnswer) => AmazonError,
  missing: { provider: ProviderName; message: string },
): FetchedToken {
  if (answer.status < 200 || answer.status >= 300) throw refused(answer);
  const token = text(field(answer.body, 'access_token'));
  if (!token)
    throw new AmazonError('invalid_data', missing.message, {
      status: answer.status,
      provider: missing.provider,
      retryable: true,
    });
  return { token, ttlMs: (num(field(answer.body, 'expires_in')) ?? 3600) * 1000 };
}

/** What a token endpoint said when it refused (RFC 6749 `error`, `error_description`), scrubbed. */
export interface TokenRefusal {
  host: string;
  status: number;
  error: string | null;
  description: string | null;
  /** `error "…", error_description "…"` for the message. */
  said: string;
  /** 5xx and 429: retried, not a credentials problem. */
  transient: boolean;
}

export function readRefusal(
  answer: RawAnswer,
  url: string,
  secrets: readonly string[],
  /** Fields also read when `error` / `error_description` are absent (Cognito: `type`, `message`). */
  fallbacks: { error?: string; description?: string } = {},
): TokenRefusal {
  const read = (key: string, fallback?: string): string | null => {
    const v =
      text(field(answer.body, key)) ?? (fallback ? text(field(answer.body, fallback)) : null);
    return v === null ? null : scrub(v, secrets);
  };
  const error = read('error', fallbacks.error);
  const description = read('error_description', fallbacks.description);
  const said = [
    error ? `error "${error}"` : 'no OAuth2 error code',
    description ? `error_description "${description}"` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const { status } = answer;
  return {
    host: hostOf(url),
    status,
    error,
    description,
    said,
    transient: status >= 500 || status === 429,
  };
}

/** The refusal as an AmazonError: `auth` unless transient (429 throttled, 5xx unknown). */
export function refusalError(
  r: TokenRefusal,
  answer: RawAnswer,
  provider: ProviderName,
  message: string,
): AmazonError {
  return new AmazonError(
    r.transient ? (r.status === 429 ? 'api_rate_limit' : 'unknown') : 'auth',
    message,
    {
      status: r.status,
      retryable: r.transient,
      requestId: requestIdOf(answer.headers),
      reason: r.error ?? `HTTP ${r.status}`,
      provider,
      tokenEndpoint: {
        host: r.host,
        status: r.status,
        error: r.error,
        errorDescription: r.description,
      },
    },
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
