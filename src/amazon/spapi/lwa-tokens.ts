import { userAgent } from '../../config/package-version.js';
import { systemClock, type Clock } from '../clock.js';
import { AmazonError, networkError, scrub } from '../errors.js';
import type { FetchFn } from '../http.js';
import { field, num, text } from '../json.js';
import { requestIdOf } from '../response-errors.js';
import { LWA_TOKEN_URL } from './spapi-regions.js';

export interface LwaTokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** AMAZON_SPAPI_TOKEN_URL (the emulator); default the LWA endpoint. */
  tokenUrl?: string | undefined;
  fetch?: FetchFn;
  timeoutMs?: number;
  clock?: Clock;
}

/** Access tokens of one SP-API app authorisation: cached, refreshed early, one fetch at a time. */
export interface LwaTokens {
  get(signal?: AbortSignal): Promise<string>;
  /** Drops `token` if it is still the cached one (the API refused it). */
  invalidate(token: string): void;
  /** Token requests sent so far (tests, stats). */
  readonly fetches: number;
}

export function createLwaTokens(o: LwaTokenOptions): LwaTokens {
  return new CachedLwaTokens(o);
}

/** Refresh margin: a token is renewed 60 s before it expires (less for very short lifetimes). */
const EARLY_MS = 60_000;

class CachedLwaTokens implements LwaTokens {
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly clock: Clock;
  private readonly url: string;
  fetches = 0;

  constructor(private readonly o: LwaTokenOptions) {
    this.clock = o.clock ?? systemClock;
    this.url = o.tokenUrl ?? LWA_TOKEN_URL;
  }

  get(signal?: AbortSignal): Promise<string> {
    const c = this.cached;
    if (c && this.clock.now() < c.refreshAt) return Promise.resolve(c.token);
    // Concurrent callers share the one request in flight.
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    this.fetches += 1;
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    // Form body as Amazon's JavaScript SDK sends it (reference §3.2).
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.o.refreshToken,
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
    });
    let res: Response;
    let raw: string;
    try {
      res = await (this.o.fetch ?? fetch)(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
          accept: 'application/json',
          'user-agent': userAgent(),
        },
        body: body.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      raw = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw networkError(e, 'SP-API token request (Login with Amazon)', timeoutMs);
    }
    const parsed = safeJson(raw);
    if (!res.ok) throw this.tokenError(res, parsed);
    const token = text(field(parsed, 'access_token'));
    if (!token) {
      throw new AmazonError(
        'invalid_data',
        'The Login with Amazon endpoint answered without access_token; check AMAZON_SPAPI_TOKEN_URL.',
        { status: res.status, provider: 'spapi', retryable: true },
      );
    }
    const ttlMs = (num(field(parsed, 'expires_in')) ?? 3600) * 1000;
    this.cached = { token, refreshAt: this.clock.now() + ttlMs - Math.min(EARLY_MS, ttlMs / 4) };
    return token;
  }

  /**
   * LWA's refusal in plain words, naming the setting to fix: `invalid_grant` is the refresh
   * token, `invalid_client` / `unauthorized_client` the app's id or secret. Branches on the OAuth2
   * `error` code only.
   */
  private tokenError(res: Response, body: unknown): AmazonError {
    const secrets = [this.o.clientSecret, this.o.refreshToken];
    const error = cleaned(text(field(body, 'error')), secrets);
    const description = cleaned(text(field(body, 'error_description')), secrets);
    const host = hostOf(this.url);
    const transient = res.status >= 500 || res.status === 429;
    const fix =
      error === 'invalid_grant'
        ? 'AMAZON_SPAPI_REFRESH_TOKEN is expired, revoked or belongs to another app: authorise the app again (Seller Central → Apps and Services → Develop apps → Authorize) and store the new refresh token'
        : error === 'invalid_client' || error === 'unauthorized_client'
          ? 'check AMAZON_SPAPI_CLIENT_ID and AMAZON_SPAPI_CLIENT_SECRET (Developer Central → your app → LWA credentials)'
          : 'check AMAZON_SPAPI_CLIENT_ID, AMAZON_SPAPI_CLIENT_SECRET, AMAZON_SPAPI_REFRESH_TOKEN and AMAZON_SPAPI_TOKEN_URL';
    const said = [
      error ? `error "${error}"` : 'no OAuth2 error code',
      description ? `error_description "${description}"` : null,
    ]
      .filter(Boolean)
      .join(', ');
    const next = transient ? 'it will be retried.' : `${fix} (or PUT /api/v1/amazon/config).`;
    return new AmazonError(
      transient ? (res.status === 429 ? 'api_rate_limit' : 'unknown') : 'auth',
      `The SP-API token endpoint ${host} answered HTTP ${res.status} (${said}); ${next}`,
      {
        status: res.status,
        retryable: transient,
        requestId: requestIdOf(res.headers),
        reason: error ?? `HTTP ${res.status}`,
        provider: 'spapi',
        tokenEndpoint: { host, status: res.status, error, errorDescription: description },
      },
    );
  }
}

function cleaned(value: string | null, secrets: string[]): string | null {
  return value === null ? null : scrub(value, secrets);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
