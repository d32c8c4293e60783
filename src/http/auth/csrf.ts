import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when a cookie-authenticated request may change something: a safe method, or a browser
 * request from this very site. Browsers send `Sec-Fetch-Site` (same-origin / none for typed
 * URLs); older ones at least `Origin`, compared with the host the request was sent to. A write
 * with neither is refused: a browser always sends one, and scripts use Bearer tokens.
 */
export function isSameSiteWrite(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return false;
  try {
    const from = new URL(origin);
    // Both sides normalised by URL (a default port is dropped from either).
    return from.host === new URL(`${from.protocol}//${request.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}
