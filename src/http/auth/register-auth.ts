import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { sendError } from '../errors.js';
import { ERROR_REF } from '../http-error.js';
import type { FailedAuthLimiter, FailureVerdict } from './failed-auth-limiter.js';
import { requireScope, scopeForRoute } from './request-auth.js';
import { verifyToken } from './token-repository.js';
import { isSameSiteWrite } from './csrf.js';
import {
  cookieValue,
  readSession,
  SESSION_COOKIE,
  type createSessionCodec,
} from './web-sessions.js';

export type SessionCodec = ReturnType<typeof createSessionCodec>;

const REALM = 'Bearer realm="code2asin"';
/** Routes under `/api` that stay public: the API description and its viewer. */
const PUBLIC_PREFIXES = ['/api/docs', '/api/openapi.json'];

/** True for routes that need a Bearer token: everything under `/api/` but the docs. */
export function needsAuth(route: Pick<RouteOptions, 'url' | 'config'>): boolean {
  if (!route.url.startsWith('/api/')) return false;
  if ((route.config as { public?: boolean } | undefined)?.public) return false;
  return !PUBLIC_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`));
}

/**
 * Protects every `/api` route, whenever it is registered (an `onRoute` hook): the Bearer token is
 * checked on request, the route's scope before the handler, and the OpenAPI schema of the route
 * gets the security requirement and the 401/403/429 answers.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): void {
  app.decorateRequest('auth', null);
  const authenticate = createAuthenticate(deps);
  app.addHook('onRoute', (route) => {
    if (!needsAuth(route)) return;
    const method = Array.isArray(route.method) ? (route.method[0] ?? 'GET') : route.method;
    const scope = scopeForRoute(method, route.config?.scope);
    route.onRequest = [authenticate, ...asArray(route.onRequest)];
    route.preHandler = [requireScope(scope), ...asArray(route.preHandler)];
    documentSecurity(route, scope);
  });
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** What authentication reads: tokens, sessions (the UI's cookie) and the failure throttle. */
export interface AuthDeps {
  db: Kysely<DB>;
  failures: FailedAuthLimiter;
  sessions: SessionCodec;
}

function createAuthenticate(deps: AuthDeps): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    if (header === undefined && cookieValue(request.headers.cookie, SESSION_COOKIE) !== null) {
      return authenticateSession(request, reply, deps);
    }
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      return sendError(reply, {
        status: 401,
        code: 'unauthorized',
        message:
          'This route needs `Authorization: Bearer <token>`: use the admin token printed at first start, or make one with `npx code2asin tokens create --admin` on the server.',
        details: {},
        headers: { 'www-authenticate': REALM },
      });
    }
    // Checked before any limit: a valid token is never refused for others' failures.
    const grant = await verifyToken(deps.db, match[1]);
    if (!grant) {
      // request.ip is the client's address, read through trusted proxies (CODE2ASIN_TRUST_PROXY).
      const verdict = deps.failures.recordFailure(request.ip);
      if (verdict.limited) return sendTooManyFailures(reply, verdict);
      return sendError(reply, {
        status: 401,
        code: 'invalid_token',
        message:
          'The Bearer token is unknown or revoked. Tokens are shown only when made: make a new one with `npx code2asin tokens create --admin` (or `--owner <name>` to share that owner’s jobs) on the server, and revoke lost ones (`npx code2asin tokens list` shows their ids and owners).',
        details: {},
        headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
      });
    }
    request.auth = {
      tokenId: grant.tokenId,
      owner: grant.owner,
      scopes: grant.scopes,
      isAdmin: grant.scopes.includes('admin'),
      viaSession: false,
    };
  };
}

function sendTooManyFailures(
  reply: FastifyReply,
  verdict: Extract<FailureVerdict, { limited: true }>,
): FastifyReply {
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  const from = verdict.scope === 'address' ? 'from this address' : 'on this service';
  return sendError(reply, {
    status: 429,
    code: 'too_many_failed_attempts',
    message: `Too many failed authentications ${from}; this token is not valid, and wrong tokens are refused for ${seconds} s. A valid token is always accepted.`,
    details: { retry_after_seconds: seconds, scope: verdict.scope },
    headers: { 'retry-after': String(seconds) },
  });
}

/**
 * The UI's cookie instead of a Bearer token: a signed, live session whose token is still active;
 * a write must come from this site (CSRF). An ended session answers 401 `session_expired`.
 */
async function authenticateSession(request: FastifyRequest, reply: FastifyReply, deps: AuthDeps) {
  const raw = cookieValue(request.headers.cookie, SESSION_COOKIE) ?? '';
  const id = deps.sessions.decode(raw);
  const grant = id === null ? null : await readSession(deps.db, id);
  if (!grant) {
    if (id === null) deps.failures.recordFailure(request.ip);
    return sendError(reply, {
      status: 401,
      code: 'session_expired',
      message: 'Your session has ended (signed out, expired or its token revoked); sign in again.',
      details: {},
      headers: { 'www-authenticate': REALM },
    });
  }
  if (!isSameSiteWrite(request)) {
    return sendError(reply, {
      status: 403,
      code: 'cross_site_request',
      message:
        'A write with the session cookie must come from the code2asin UI itself (Origin / Sec-Fetch-Site); scripts use a Bearer token.',
      details: {},
      headers: {},
    });
  }
  request.auth = {
    tokenId: grant.tokenId,
    owner: grant.owner,
    scopes: grant.scopes,
    isAdmin: grant.scopes.includes('admin'),
    viaSession: true,
  };
}

function documentSecurity(route: RouteOptions, scope: string): void {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  response['401'] ??= { ...ERROR_REF, description: 'Missing, unknown or revoked token' };
  response['403'] ??= { ...ERROR_REF, description: `The token lacks the "${scope}" scope` };
  response['429'] ??= { ...ERROR_REF, description: 'Throttled; see Retry-After' };
  const description = [schema.description, `Needs the \`${scope}\` scope (or \`admin\`).`]
    .filter(Boolean)
    .join('\n\n');
  route.schema = { ...schema, response, description, security: [{ bearerAuth: [] }] };
}
