import type { CredentialVersion } from '../../config/env.js';
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

/** Refresh margin: 30 s as the official SDKs, less for very short-lived tokens. */
const earlyMs = (ttlMs: number): number => Math.min(30_000, ttlMs / 4);

class CachedTokenManager extends TokenCache implements TokenManager {
  private readonly url: string;

  constructor(private readonly o: TokenManagerOptions) {
    super({ clock: o.clock, earlyMs, refreshAhead: true });
    this.url = o.tokenUrl ?? TOKEN_ENDPOINTS[o.version];
  }

  authorization(token: string): string {
    return isLwaVersion(this.o.version)
      ? `Bearer ${token}`
      : `Bearer ${token}, Version ${this.o.version}`;
  }

  protected async fetchToken(signal?: AbortSignal): Promise<FetchedToken> {
    const answer = await postTokenRequest({
      url: this.url,
      ...this.requestBody(),
      fetch: this.o.fetch,
      timeoutMs: this.o.timeoutMs,
      signal,
      what: 'Creators API token request',
    });
    return acceptToken(answer, (a) => this.tokenError(a), {
      provider: 'creators',
      message: 'The token endpoint answered without access_token; check AMAZON_CREATORS_TOKEN_URL.',
    });
  }

  /** 2.x (Cognito): form-encoded, scope `creatorsapi/default`; 3.x (LWA): JSON, `creatorsapi::default`. */
  private requestBody(): { contentType: string; body: string } {
    const { credentialId: id, credentialSecret: secret } = this.o;
    if (isLwaVersion(this.o.version)) {
      const body = {
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: secret,
        scope: 'creatorsapi::default',
      };
      return { contentType: 'application/json', body: JSON.stringify(body) };
    }
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
      scope: 'creatorsapi/default',
    });
    return { contentType: 'application/x-www-form-urlencoded', body: form.toString() };
  }

  /**
   * The endpoint's refusal, with what it said: HTTP status, `error`, `error_description` (RFC
   * 6749; LWA and Cognito both use them), scrubbed of the secret. For 3.x the message says the
   * LWA exchange is the unconfirmed part, so a user can tell a wrong secret from that.
   */
  private tokenError(answer: RawAnswer): AmazonError {
    const r = readRefusal(answer, this.url, [this.o.credentialSecret], {
      error: 'type',
      description: 'message',
    });
    const lwa = isLwaVersion(this.o.version)
      ? ' Versions 3.x use Login with Amazon; that token exchange follows public clients, not the official SDK (see the README, "Credential versions 3.x").'
      : '';
    const next = r.transient
      ? 'it will be retried.'
      : `check AMAZON_CREATORS_CREDENTIAL_ID, AMAZON_CREATORS_CREDENTIAL_SECRET and AMAZON_CREATORS_CREDENTIAL_VERSION (${this.o.version}), or PUT /api/v1/amazon/config.${lwa}`;
    return refusalError(
      r,
      answer,
      'creators',
      `The Creators API token endpoint ${r.host} answered HTTP ${r.status} (${r.said}); ${next}`,
    );
  }
}
