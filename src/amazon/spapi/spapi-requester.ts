import { userAgent } from '../../config/package-version.js';
import type { Logger } from '../../logging/logger.js';
import { systemClock } from '../clock.js';
import { isAmazonError, type AmazonError } from '../errors.js';
import type { FetchFn, JsonResponse } from '../http.js';
import type { AmazonProduct } from '../product.js';
import type { ProviderOptions } from '../provider-core.js';
import { DEFAULT_RETRY_POLICY, runWithRetries } from '../retry.js';
import type { LwaTokens } from './lwa-tokens.js';
import { spapiGet } from './spapi-http.js';
import { normalizeSpapiItem } from './spapi-normalize.js';

/** What the SP-API operations need: one paced, retried, authenticated GET and the normaliser. */
export interface SpapiRequester {
  readonly marketplaceId: string;
  readonly domain: string;
  readonly logger: Logger | undefined;
  /** GET `{base}{path}?{query}`: one limiter token per HTTP request, retries as the taxonomy says. */
  get(
    path: string,
    query: URLSearchParams,
    op: string,
    signal?: AbortSignal,
  ): Promise<JsonResponse>;
  normalize(item: unknown): AmazonProduct | null;
}

export interface RequesterOptions {
  baseUrl: string;
  marketplaceId: string;
  domain: string;
  tokens: LwaTokens;
  timeoutMs: number;
  fetch?: FetchFn;
  secrets: readonly (string | undefined)[];
}

/**
 * Pacing and retries are those of every provider (`runWithRetries`): a 429 goes back through
 * the limiter without using an attempt, 5xx and timeouts follow the backoff schedule. A 403
 * from the API drops the access token it was sent with and is tried once more with a fresh one
 * (an expired or revoked token is a 403 `Unauthorized` on SP-API, not a 401).
 */
export function createSpapiRequester(r: RequesterOptions, o: ProviderOptions): SpapiRequester {
  const policy = { ...DEFAULT_RETRY_POLICY, ...o.retry };
  const clock = o.clock ?? systemClock;
  const fetchFn = r.fetch ?? fetch;
  const agent = `${userAgent()} (Language=TypeScript)`;
  return {
    marketplaceId: r.marketplaceId,
    domain: r.domain,
    logger: o.logger,
    get: (path, query, op, signal) =>
      runWithRetries(
        {
          limiter: o.limiter,
          clock,
          policy,
          signal,
          logger: o.logger,
          random: o.random,
          operation: `spapi.${op}`,
        },
        async (slot) => {
          // The token first, so that the slot is not spent waiting for the token endpoint.
          await r.tokens.get(signal);
          await slot();
          const token = await r.tokens.get(signal);
          try {
            return await spapiGet({
              url: `${r.baseUrl}${path}?${query.toString()}`,
              token,
              userAgent: agent,
              timeoutMs: r.timeoutMs,
              signal,
              fetch: fetchFn,
              secrets: [...r.secrets, token],
              what: `SP-API ${op}`,
            });
          } catch (e) {
            if (isRefusedToken(e)) r.tokens.invalidate(token);
            throw e;
          }
        },
        (e) => isRefusedToken(e),
      ),
    normalize: (item) =>
      normalizeSpapiItem(item, { marketplaceId: r.marketplaceId, domain: r.domain }),
  };
}

/** A 403 of the API itself (not of the token endpoint): the access token may be stale. */
function isRefusedToken(e: unknown): e is AmazonError {
  return isAmazonError(e) && e.code === 'auth' && e.status === 403 && e.tokenEndpoint === null;
}
