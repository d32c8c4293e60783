import { randomBytes } from 'node:crypto';
import type { EmulatorCredential, SpapiCredential } from './catalog.js';
import type { Reply } from './reply.js';
import { jsonReply } from './reply.js';

/** Access tokens issued to SP-API apps (opaque `Atza|…`, as Login with Amazon writes them). */
export class SpapiTokenStore {
  private tokens = new Map<string, { credential: SpapiCredential; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(credential: SpapiCredential, ttlS: number): string {
    const token = `Atza|IwEB${randomBytes(60).toString('base64url')}`;
    this.tokens.set(token, { credential, expiresAt: this.now() + ttlS * 1000 });
    return token;
  }

  /** The credential of a valid token, or why it is refused. */
  check(
    token: string,
  ): { ok: true; credential: SpapiCredential } | { ok: false; expired: boolean } {
    const t = this.tokens.get(token);
    if (!t) return { ok: false, expired: false };
    if (this.now() >= t.expiresAt) return { ok: false, expired: true };
    return { ok: true, credential: t.credential };
  }

  revokeAll(): void {
    this.tokens = new Map();
  }
}

function lwaError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error_description: description, error });
}

/** True when a token request asks for the refresh-token grant (SP-API, not the Creators API). */
export function isRefreshGrant(contentType: string, body: string): boolean {
  return fieldsOf(contentType, body)?.grant_type === 'refresh_token';
}

function fieldsOf(contentType: string, body: string): Record<string, unknown> | null {
  try {
    if (contentType.startsWith('application/json'))
      return JSON.parse(body) as Record<string, unknown>;
    return Object.fromEntries(new URLSearchParams(body));
  } catch {
    return null;
  }
}

/**
 * Login with Amazon's refresh-token grant (reference §3.2): form or JSON body with
 * `grant_type=refresh_token`, `refresh_token`, `client_id`, `client_secret`. An unknown client
 * or wrong secret is 401 `invalid_client`; a refresh token not issued to this client is 400
 * `invalid_grant` (LWA's words, §3.2).
 */
export function handleSpapiToken(
  contentType: string,
  body: string,
  credentials: EmulatorCredential[],
  store: SpapiTokenStore,
  ttlS: number,
): { reply: Reply; credentialKey: string } {
  const f = fieldsOf(contentType, body) ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const clientId = str(f.client_id);
  const cred = credentials.find(
    (c): c is SpapiCredential => c.kind === 'spapi' && c.clientId === clientId,
  );
  const key = cred?.clientId ?? '-';
  const fail = (s: number, e: string, d: string) => ({
    reply: lwaError(s, e, d),
    credentialKey: key,
  });
  if (!clientId || !str(f.client_secret) || !str(f.refresh_token))
    return fail(
      400,
      'invalid_request',
      'The request is missing a required parameter : client_id, client_secret or refresh_token.',
    );
  if (!cred || cred.clientSecret !== str(f.client_secret))
    return fail(401, 'invalid_client', 'Client authentication failed');
  if (cred.refreshToken !== str(f.refresh_token))
    return fail(400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
  const accessToken = store.issue(cred, ttlS);
  return {
    reply: jsonReply(200, {
      access_token: accessToken,
      refresh_token: cred.refreshToken,
      token_type: 'bearer',
      expires_in: ttlS,
    }),
    credentialKey: key,
  };
}
