import type { FastifyRequest } from 'fastify';
import type { AuthDeps } from './register-auth.js';
import { verifyToken, type Scope } from './token-repository.js';

/**
 * Whether a request to a public route (`/health`) carries a valid Bearer token with `scope` (or
 * `admin`): such a route answers everyone and shows more to a caller with a token. No token, an
 * unknown one or one without the scope is false, never an error, so a monitor without a token
 * keeps its answer. An unknown token counts as a failed attempt, as on every `/api` route.
 */
export async function bearerHasScope(
  deps: Pick<AuthDeps, 'db' | 'failures'>,
  request: FastifyRequest,
  scope: Scope,
): Promise<boolean> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return false;
  let grant: Awaited<ReturnType<typeof verifyToken>>;
  try {
    grant = await verifyToken(deps.db, match[1]);
  } catch {
    return false; // the database does not answer: /health says so, with no detail anyway
  }
  if (!grant) {
    deps.failures.recordFailure(request.ip);
    return false;
  }
  return grant.scopes.includes('admin') || grant.scopes.includes(scope);
}
