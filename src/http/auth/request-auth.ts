import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { sendError } from '../errors.js';
import { HttpError } from '../http-error.js';
import type { Scope } from './token-repository.js';

/** Who is calling, as established by the Bearer token. */
export interface RequestAuth {
  tokenId: string;
  owner: string;
  scopes: Scope[];
  /** An `admin` token: every scope, every owner's resources. */
  isAdmin: boolean;
  /** Authenticated by the UI's session cookie rather than a Bearer token. */
  viaSession: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every authenticated `/api` route; null on public routes. */
    auth: RequestAuth | null;
  }
  interface FastifyContextConfig {
    /** A route under `/api` that needs no token (the docs). */
    public?: boolean;
    /** Scope the route needs; default by method: GET/HEAD read, DELETE delete, others write. */
    scope?: Scope;
  }
}

/** True when the grant includes the scope (`admin` includes every scope). */
export function hasScope(auth: RequestAuth, scope: Scope): boolean {
  return auth.isAdmin || auth.scopes.includes(scope);
}

/** The caller of an authenticated route; a 401 if the route was not authenticated. */
export function requireAuth(request: FastifyRequest): RequestAuth {
  if (!request.auth) {
    throw new HttpError(401, 'unauthorized', 'This route needs a Bearer token.');
  }
  return request.auth;
}

/**
 * The owner whose resources the caller may see: their own, or null for an admin (all owners).
 * Pass it to repository queries (`getJob(db, id, ownerFilter(request.auth))`).
 */
export function ownerFilter(auth: RequestAuth): string | null {
  return auth.isAdmin ? null : auth.owner;
}

/** True when the caller may act on a resource of `owner` (theirs, or any for an admin). */
export function canAccess(auth: RequestAuth, owner: string): boolean {
  return auth.isAdmin || auth.owner === owner;
}

/** The scope a route needs: its `config.scope`, else by method. */
export function scopeForRoute(method: string, configured: Scope | undefined): Scope {
  if (configured) return configured;
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return 'read';
  if (m === 'DELETE') return 'delete';
  return 'write';
}

/** A preHandler refusing callers without `scope` (403 `insufficient_scope`). */
export function requireScope(scope: Scope): preHandlerAsyncHookHandler {
  return async function checkScope(request: FastifyRequest, reply: FastifyReply) {
    const auth = request.auth;
    if (!auth) {
      return sendError(reply, {
        status: 401,
        code: 'unauthorized',
        message: 'This route needs a Bearer token.',
        details: {},
        headers: { 'www-authenticate': 'Bearer realm="code2asin"' },
      });
    }
    if (hasScope(auth, scope)) return;
    return sendError(reply, {
      status: 403,
      code: 'insufficient_scope',
      message: `This token lacks the "${scope}" scope: create one with \`code2asin tokens create --scopes ${scope}\` (or use an admin token).`,
      details: { required_scope: scope, token_scopes: auth.scopes },
      headers: {},
    });
  };
}
