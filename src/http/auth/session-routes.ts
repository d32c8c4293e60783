import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_REF, HttpError } from '../http-error.js';
import { isSameSiteWrite } from './csrf.js';
import type { AuthDeps } from './register-auth.js';
import { verifyToken } from './token-repository.js';
import {
  closeSession,
  cookieValue,
  openSession,
  readSession,
  SESSION_COOKIE,
  SESSION_LIMITS,
} from './web-sessions.js';

const TAGS = ['session'];
const SESSION_VIEW = {
  type: 'object',
  properties: {
    signed_in: { type: 'boolean', const: true },
    owner: { type: 'string' },
    token_name: { type: 'string' },
    scopes: {
      type: 'array',
      items: { type: 'string', enum: ['read', 'write', 'delete', 'admin'] },
    },
    expires_at: { type: 'string', description: 'Absolute end of the session (ISO-8601).' },
    idle_timeout_seconds: { type: 'integer' },
    upload_limit_bytes: {
      type: 'integer',
      description: 'Largest job file `POST /jobs` accepts (CODE2ASIN_UPLOAD_LIMIT_MB).',
    },
  },
  required: ['signed_in', 'owner', 'token_name', 'scopes', 'expires_at', 'idle_timeout_seconds'],
  examples: [
    {
      signed_in: true,
      owner: 'admin',
      token_name: 'admin',
      scopes: ['admin'],
      expires_at: '2026-01-15T21:30:00.000Z',
      idle_timeout_seconds: 7200,
      upload_limit_bytes: 104857600,
    },
  ],
};
const ERRORS = {
  401: { ...ERROR_REF, description: 'No live session, or an unknown or revoked token' },
  403: {
    description: 'Sent from another site',
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          details: { type: 'object', additionalProperties: true },
        },
      },
    },
    examples: [
      {
        error: {
          code: 'cross_site_request',
          message:
            'Sign-in and sign-out must come from the code2asin UI itself (Origin / Sec-Fetch-Site).',
          details: {},
        },
      },
    ],
  },
};

type View = {
  signed_in: true;
  owner: string;
  token_name: string;
  scopes: string[];
  expires_at: string;
  idle_timeout_seconds: number;
  upload_limit_bytes?: number;
};

/**
 * `path`: where the browser sees the service — `CODE2ASIN_BASE_PATH` behind a reverse proxy, so
 * the cookie goes only to code2asin and never to the other applications of the same host.
 */
function sessionCookie(
  request: FastifyRequest,
  value: string,
  maxAgeSeconds: number,
  path: string,
): string {
  // Secure whenever the browser reached us over HTTPS (directly or through a proxy saying so).
  const https = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  return [
    `${SESSION_COOKIE}=${value}`,
    `Path=${path}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(https ? ['Secure'] : []),
  ].join('; ');
}

function refuseCrossSite(request: FastifyRequest): void {
  if (!isSameSiteWrite(request)) {
    throw new HttpError(
      403,
      'cross_site_request',
      'Sign-in and sign-out must come from the code2asin UI itself (Origin / Sec-Fetch-Site).',
    );
  }
}

/**
 * The UI's sign-in: `POST /api/v1/session` exchanges an API token for a session cookie
 * (HttpOnly, SameSite=Strict, Secure over HTTPS, signed; idle and absolute expiry; ended when
 * the token is revoked), `GET` says who is signed in, `DELETE` signs out. The token itself is
 * never stored by the browser. Bearer authentication is unchanged.
 */
export function registerSessionRoutes(
  app: FastifyInstance,
  deps: AuthDeps & { uploadLimitBytes?: number; basePath?: string },
): void {
  const cookiePath = deps.basePath || '/';
  const view = (owner: string, tokenName: string, scopes: string[], expiresAt: string) =>
    sessionView(owner, tokenName, scopes, expiresAt, deps.uploadLimitBytes);
  const current = async (request: FastifyRequest) => {
    const id = deps.sessions.decode(cookieValue(request.headers.cookie, SESSION_COOKIE) ?? '');
    return id === null ? null : { id, grant: await readSession(deps.db, id) };
  };

  app.post<{ Body: { token: string } }>(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Sign in the web UI: exchange an API token for a session cookie',
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: SESSION_VIEW, ...ERRORS, 429: ERROR_REF },
      },
    },
    async (request, reply): Promise<View> => {
      refuseCrossSite(request);
      // The token is checked first: a valid one is never refused for others' failures.
      const grant = await verifyToken(deps.db, request.body.token.trim());
      if (!grant) {
        const verdict = deps.failures.recordFailure(request.ip);
        if (verdict.limited) {
          const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
          reply.header('retry-after', String(seconds));
          throw new HttpError(
            429,
            'too_many_failed_attempts',
            `Too many failed sign-ins; this token is not valid, and wrong tokens are refused for ${seconds} s. A valid token is always accepted.`,
          );
        }
        throw new HttpError(
          401,
          'invalid_token',
          'This token is unknown or revoked: paste the token `code2asin serve` printed, or create one with `code2asin tokens create`.',
          { field: 'token' },
        );
      }
      const session = await openSession(deps.db, grant.tokenId);
      const maxAge = Math.floor(SESSION_LIMITS.absoluteMs / 1000);
      reply.header(
        'set-cookie',
        sessionCookie(request, deps.sessions.encode(session.id), maxAge, cookiePath),
      );
      reply.header('cache-control', 'no-store');
      return view(grant.owner, grant.name, grant.scopes, session.expiresAt);
    },
  );

  app.get(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Who is signed in (the session cookie): `signed_in` false when nobody',
        description:
          'Answers 200 either way: the UI asks it on every start, and a browser logs every 401 as an error.',
        response: {
          200: {
            oneOf: [
              SESSION_VIEW,
              {
                type: 'object',
                required: ['signed_in'],
                properties: { signed_in: { type: 'boolean', const: false } },
              },
            ],
          },
        },
      },
    },
    async (request, reply): Promise<View | { signed_in: false }> => {
      const found = await current(request);
      reply.header('cache-control', 'no-store');
      if (!found?.grant) return { signed_in: false };
      const g = found.grant;
      return view(g.owner, g.tokenName, g.scopes, g.expiresAt);
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Sign out: end the session and clear its cookie',
        response: {
          204: { type: 'null', description: 'Signed out', examples: [null] },
          403: ERRORS[403],
        },
      },
    },
    async (request, reply: FastifyReply) => {
      refuseCrossSite(request);
      const found = await current(request);
      if (found) await closeSession(deps.db, found.id);
      reply.header('set-cookie', sessionCookie(request, '', 0, cookiePath));
      return reply.code(204).send();
    },
  );
}

function sessionView(
  owner: string,
  tokenName: string,
  scopes: string[],
  expiresAt: string,
  uploadLimitBytes: number | undefined,
): View {
  return {
    signed_in: true,
    owner,
    token_name: tokenName,
    scopes,
    expires_at: expiresAt,
    idle_timeout_seconds: Math.floor(SESSION_LIMITS.idleMs / 1000),
    ...(uploadLimitBytes === undefined ? {} : { upload_limit_bytes: uploadLimitBytes }),
  };
}
