import type { CreatorsCredential, EmulatorCredential } from './catalog.js';
import type { Reply } from './reply.js';
import { jsonReply } from './reply.js';
import type { TokenStore } from './token-store.js';

/** `cognito` for `/oauth2/token` (credential versions 2.x), `lwa` for `/auth/o2/token` (3.x). */
export type TokenFlavor = 'cognito' | 'lwa';

interface TokenRequest {
  grantType?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description });
}

function parseTokenRequest(
  flavor: TokenFlavor,
  contentType: string,
  authorization: string | undefined,
  body: string,
): TokenRequest | Reply {
  const isJson = contentType.startsWith('application/json');
  const isForm = contentType.startsWith('application/x-www-form-urlencoded');
  if (flavor === 'cognito' && !isForm)
    return oauthError(
      400,
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded.',
    );
  if (!isJson && !isForm)
    return oauthError(400, 'invalid_request', 'Content-Type must be application/json.');
  let fields: Record<string, unknown>;
  try {
    fields = isJson
      ? (JSON.parse(body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body));
  } catch {
    return oauthError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const req: TokenRequest = {
    grantType: str(fields.grant_type),
    clientId: str(fields.client_id),
    clientSecret: str(fields.client_secret),
    scope: str(fields.scope),
  };
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic?.[1] && flavor === 'cognito') {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    req.clientId = decodeURIComponent(decoded.slice(0, colon));
    req.clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  }
  return req;
}

/** Result of a token request: the reply, and the credential key for stats when known. */
export interface TokenOutcome {
  reply: Reply;
  credentialKey: string;
}

/**
 * The OAuth2 client-credentials token endpoint, Cognito (2.x) or LWA (3.x) flavour, with the
 * response bodies of reference §1.2 and RFC 6749 error bodies.
 */
export function handleTokenRequest(
  flavor: TokenFlavor,
  headers: { contentType: string; authorization?: string },
  body: string,
  credentials: EmulatorCredential[],
  tokens: TokenStore,
  ttlS: number,
): TokenOutcome {
  const parsed = parseTokenRequest(flavor, headers.contentType, headers.authorization, body);
  if ('status' in parsed) return { reply: parsed, credentialKey: '-' };
  const cred = credentials.find(
    (c): c is CreatorsCredential => c.kind === 'creators' && c.id === parsed.clientId,
  );
  const key = cred?.id ?? '-';
  const fail = (s: number, e: string, d: string): TokenOutcome => ({
    reply: oauthError(s, e, d),
    credentialKey: key,
  });
  if (!parsed.grantType) return fail(400, 'invalid_request', 'Missing grant_type.');
  if (parsed.grantType !== 'client_credentials')
    return fail(400, 'unsupported_grant_type', `Unsupported grant_type ${parsed.grantType}.`);
  if (!parsed.clientId || !parsed.clientSecret)
    return fail(400, 'invalid_request', 'Missing client_id or client_secret.');
  const wantedVersion = flavor === 'cognito' ? '2.' : '3.';
  if (!cred || cred.secret !== parsed.clientSecret || !cred.version.startsWith(wantedVersion))
    return fail(401, 'invalid_client', 'Client authentication failed.');
  const scope = flavor === 'cognito' ? 'creatorsapi/default' : 'creatorsapi::default';
  if (parsed.scope !== scope)
    return fail(400, 'invalid_scope', `The requested scope is invalid; use ${scope}.`);
  const accessToken = tokens.issue(cred, ttlS);
  const reply =
    flavor === 'cognito'
      ? jsonReply(200, { access_token: accessToken, expires_in: ttlS, token_type: 'Bearer' })
      : jsonReply(200, {
          access_token: accessToken,
          scope,
          token_type: 'bearer',
          expires_in: ttlS,
        });
  return { reply, credentialKey: key };
}
