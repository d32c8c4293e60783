import { userAgent } from '../../config/package-version.js';
import type { CredentialVersion } from '../../config/env.js';
import { systemClock, type Clock } from '../clock.js';
import { AmazonError, networkError, scrub } from '../errors.js';
import type { FetchFn } from '../http.js';
import { field, num, text } from '../json.js';
import { requestIdOf } from '../response-errors.js';

/** OAuth2 token endpoints per credential version (reference §1.1). */
export const TOKEN_ENDPOINTS: Record<CredentialVersion, string> = {
  '2.1': 'https://creatorsapi.auth.us-east-1.amazoncognito.com/oauth2/token',
  '2.2': 'https://creatorsapi.auth.eu-south-2.amazoncognito.com/oauth2/token',
  '2.3': 'https://creatorsapi.auth.us-west-2.amazoncognito.com/oauth2/token',
  '3.1': 'https://api.amazon.com/auth/o2/token',
  '3.2': 'https://api.amazon.co.uk/auth/o2/token',
  '3.3': 'https://api.amazon.co.jp/auth/o2/token',
};

export interface TokenManagerOptions {
  credentialId: string;
  credentialSecret: string;
  version: CredentialVersion;
  /** Overrides the version's endpoint (AMAZON_CREATORS_TOKEN_URL, the emulator). */
  tokenUrl?: string | undefined;
  fetch?: FetchFn;
  timeoutMs?: number;
  clock?: Clock;
}

/** Access tokens of one Creators credential: cached, refreshed early, one fetch at a time. */
export interface TokenManager {
  /** A valid access token (cached, or fetched now). */
  get(signal?: AbortSignal): Promise<string>;
  /** Drops `token` if it is still the cached one (the API said it expired or is invalid). */
  invalidate(token: string): void;
  /** The `Authorization` header value for a token and this credential's version. */
  authorization(token: string): string;
  /** How many tokens were fetched (for tests and stats). */
  readonly fetches: number;
}

/** True for Login-with-Amazon credentials (3.x), as the official SDKs decide it. */
export function isLwaVersion(version: string): boolean {
  return version.startsWith('3.');
}

export function createTokenManager(o: TokenManagerOptions): TokenManager {
  return new CachedTokenManager(o);
}

interface Cached {
  token: string;
  expiresAt: number;
  /** Refresh margin: 30 s as the official SDKs, less for very short-lived tokens. */
  earlyMs: number;
}

class CachedTokenManager implements TokenManager {
  private cached: Cached | null = null;
  private pending: Promise<string> | null = null;
  private readonly clock: Clock;
  private readonly url: string;
  fetches = 0;

  constructor(private readonly o: TokenManagerOptions) {
    this.clock = o.clock ?? systemClock;
    this.url = o.tokenUrl ?? TOKEN_ENDPOINTS[o.version];
  }

  get(signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    const c = this.cached;
    if (c && now < c.expiresAt - c.earlyMs) {
      // Refresh ahead in the background during the last stretch, so that requests already
      // holding a rate-limiter slot rarely wait for a token fetch.
      if (now >= c.expiresAt - 2 * c.earlyMs) void this.refresh().catch(() => undefined);
      return Promise.resolve(c.token);
    }
    return this.refresh(signal);
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  authorization(token: string): string {
    return isLwaVersion(this.o.version)
      ? `Bearer ${token}`
      : `Bearer ${token}, Version ${this.o.version}`;
  }

  /** One fetch in flight at a time: concurrent callers share it. */
  private refresh(signal?: AbortSignal): Promise<string> {
    if (!this.pending) {
      this.pending = this.fetchToken(signal).finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    this.fetches += 1;
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let raw: string;
    try {
      res = await (this.o.fetch ?? fetch)(this.url, {
        method: 'POST',
        ...this.requestBody(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      raw = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw networkError(e, 'Creators API token request', timeoutMs);
    }
    const body = safeJson(raw);
    if (!res.ok) throw this.tokenError(res, body);
    const token = text(field(body, 'access_token'));
    if (!token) {
      throw new AmazonError(
        'invalid_data',
        'The token endpoint answered without access_token; check AMAZON_CREATORS_TOKEN_URL.',
        {
          status: res.status,
          provider: 'creators',
          retryable: true,
        },
      );
    }
    const ttlMs = (num(field(body, 'expires_in')) ?? 3600) * 1000;
    this.cached = {
      token,
      expiresAt: this.clock.now() + ttlMs,
      earlyMs: Math.min(30_000, ttlMs / 4),
    };
    return token;
  }

  /** 2.x (Cognito): form-encoded, scope `creatorsapi/default`; 3.x (LWA): JSON, `creatorsapi::default`. */
  private requestBody(): { headers: Record<string, string>; body: string } {
    const { credentialId: id, credentialSecret: secret } = this.o;
    if (isLwaVersion(this.o.version)) {
      const body = {
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: secret,
        scope: 'creatorsapi::default',
      };
      return { headers: this.headers('application/json'), body: JSON.stringify(body) };
    }
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
      scope: 'creatorsapi/default',
    });
    return { headers: this.headers('application/x-www-form-urlencoded'), body: form.toString() };
  }

  private headers(contentType: string): Record<string, string> {
    return { 'content-type': contentType, accept: 'application/json', 'user-agent': userAgent() };
  }

  /**
   * The endpoint's refusal, with what it said: HTTP status, `error`, `error_description` (RFC
   * 6749; LWA and Cognito both use them), scrubbed of the secret. For 3.x the message says the
   * LWA exchange is the unconfirmed part, so a user can tell a wrong secret from that.
   */
  private tokenError(res: Response, body: unknown): AmazonError {
    const secrets = [this.o.credentialSecret];
    const error = scrubbed(text(field(body, 'error')) ?? text(field(body, 'type')), secrets);
    const description = scrubbed(
      text(field(body, 'error_description')) ?? text(field(body, 'message')),
      secrets,
    );
    const host = hostOf(this.url);
    const said = [
      error ? `error "${error}"` : 'no OAuth2 error code',
      description ? `error_description "${description}"` : null,
    ]
      .filter(Boolean)
      .join(', ');
    const transient = res.status >= 500 || res.status === 429;
    const lwa = isLwaVersion(this.o.version)
      ? ' Versions 3.x use Login with Amazon; that token exchange follows public clients, not the official SDK (see the README, "Credential versions 3.x").'
      : '';
    const next = transient
      ? 'it will be retried.'
      : `check AMAZON_CREATORS_CREDENTIAL_ID, AMAZON_CREATORS_CREDENTIAL_SECRET and AMAZON_CREATORS_CREDENTIAL_VERSION (${this.o.version}), or PUT /api/v1/amazon/config.${lwa}`;
    return new AmazonError(
      transient ? (res.status === 429 ? 'api_rate_limit' : 'unknown') : 'auth',
      `The Creators API token endpoint ${host} answered HTTP ${res.status} (${said}); ${next}`,
      {
        status: res.status,
        retryable: transient,
        requestId: requestIdOf(res.headers),
        reason: error ?? `HTTP ${res.status}`,
        provider: 'creators',
        tokenEndpoint: { host, status: res.status, error, errorDescription: description },
      },
    );
  }
}

function scrubbed(value: string | null, secrets: string[]): string | null {
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
