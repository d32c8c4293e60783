import type { Clock } from '../clock.js';
import type { AmazonError } from '../errors.js';
import type { FetchFn, RawAnswer } from '../http.js';
import {
  postTokenRequest,
  readRefusal,
  refusalError,
  acceptToken,
  TokenCache,
  type FetchedToken,
} from '../oauth-tokens.js';
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
const earlyMs = (ttlMs: number): number => Math.min(60_000, ttlMs / 4);

class CachedLwaTokens extends TokenCache implements LwaTokens {
  private readonly url: string;

  constructor(private readonly o: LwaTokenOptions) {
    super({ clock: o.clock, earlyMs, refreshAhead: false });
    this.url = o.tokenUrl ?? LWA_TOKEN_URL;
  }

  protected async fetchToken(signal?: AbortSignal): Promise<FetchedToken> {
    // Form body as Amazon's JavaScript SDK sends it (reference §3.2).
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.o.refreshToken,
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
    });
    const answer = await postTokenRequest({
      url: this.url,
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
      body: body.toString(),
      fetch: this.o.fetch,
      timeoutMs: this.o.timeoutMs,
      signal,
      what: 'SP-API token request (Login with Amazon)',
    });
    return acceptToken(answer, (a) => this.tokenError(a), {
      provider: 'spapi',
      message:
        'The Login with Amazon endpoint answered without access_token; check AMAZON_SPAPI_TOKEN_URL.',
    });
  }

  /**
   * LWA's refusal in plain words, naming the setting to fix: `invalid_grant` is the refresh
   * token, `invalid_client` / `unauthorized_client` the app's id or secret. Branches on the OAuth2
   * `error` code only.
   */
  private tokenError(answer: RawAnswer): AmazonError {
    const r = readRefusal(answer, this.url, [this.o.clientSecret, this.o.refreshToken]);
    const fix =
      r.error === 'invalid_grant'
        ? 'AMAZON_SPAPI_REFRESH_TOKEN is expired, revoked or belongs to another app: authorise the app again (Seller Central → Apps and Services → Develop apps → Authorize) and store the new refresh token'
        : r.error === 'invalid_client' || r.error === 'unauthorized_client'
          ? 'check AMAZON_SPAPI_CLIENT_ID and AMAZON_SPAPI_CLIENT_SECRET (Developer Central → your app → LWA credentials)'
          : 'check AMAZON_SPAPI_CLIENT_ID, AMAZON_SPAPI_CLIENT_SECRET, AMAZON_SPAPI_REFRESH_TOKEN and AMAZON_SPAPI_TOKEN_URL';
    const next = r.transient ? 'it will be retried.' : `${fix} (or PUT /api/v1/amazon/config).`;
    return refusalError(
      r,
      answer,
      'spapi',
      `The SP-API token endpoint ${r.host} answered HTTP ${r.status} (${r.said}); ${next}`,
    );
  }
}
