import type { Logger } from '../logging/logger.js';
import type { Caller, Operation } from './caller.js';
import { systemClock, type Clock } from './clock.js';
import type { AmazonError } from './errors.js';
import { getItems, MAX_ITEMS_PER_CALL } from './get-items.js';
import { getVariations } from './get-variations.js';
import type { JsonResponse } from './http.js';
import type { Marketplace } from './marketplaces.js';
import { normalizeItem } from './normalize.js';
import type { AmazonProvider, ProviderName } from './provider.js';
import type { RateLimiter } from './rate-limiter.js';
import { DEFAULT_RETRY_POLICY, runWithRetries, type RetryPolicy } from './retry.js';
import { searchByCodes } from './search-codes.js';

/** The wire part of a provider: how one operation is sent and authenticated. */
export interface Transport {
  readonly name: ProviderName;
  readonly marketplace: Marketplace;
  readonly partnerTag: string;
  /**
   * Sends one request (camelCase body; the transport converts); throws AmazonError. Prepares
   * everything it can (token, body, signature), then awaits `slot()`, then sends at once.
   */
  send(
    op: Operation,
    body: Record<string, unknown>,
    slot: () => Promise<void>,
    signal?: AbortSignal,
  ): Promise<JsonResponse>;
  /** After an auth failure: repair (drop the token) and return true to try once more. */
  recover?(e: AmazonError): boolean;
}

export interface ProviderOptions {
  limiter: RateLimiter;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  random?: () => number;
}

/** Builds an AmazonProvider from a transport: pacing, retries, batching and normalisation. */
export function createProvider(t: Transport, o: ProviderOptions): AmazonProvider {
  const policy = { ...DEFAULT_RETRY_POLICY, ...o.retry };
  const clock = o.clock ?? systemClock;
  const caller: Caller = {
    name: t.name,
    marketplace: t.marketplace,
    partnerTag: t.partnerTag,
    run: (op, body, signal) =>
      runWithRetries(
        {
          limiter: o.limiter,
          clock,
          policy,
          signal,
          logger: o.logger,
          random: o.random,
          operation: `${t.name}.${op}`,
        },
        (slot) => t.send(op, body, slot, signal),
        t.recover ? (e) => (t.recover as (e: AmazonError) => boolean)(e) : undefined,
      ),
    normalize: (item) => normalizeItem(item, { marketplace: t.marketplace.domain, source: t.name }),
  };
  return {
    name: t.name,
    marketplace: t.marketplace,
    maxCodesPerCall: 1,
    maxItemsPerCall: MAX_ITEMS_PER_CALL,
    limiter: o.limiter,
    searchByCodes: (codes, opts) => searchByCodes(caller, codes, opts),
    getItems: (asins, opts) => getItems(caller, asins, opts),
    getVariations: (asin, opts) => getVariations(caller, asin, opts),
  };
}
