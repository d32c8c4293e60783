import type { Logger } from '../logging/logger.js';
import type { Clock } from './clock.js';
import type { FetchFn } from './http.js';
import type { Marketplace } from './marketplaces.js';
import type { ProviderOptions } from './provider-core.js';
import type { AmazonProvider, AmazonSettings } from './provider.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RetryPolicy } from './retry.js';

// The types the registry, its entries and the client share, apart from all three so that the
// entries (creators, paapi, spapi, keepa) import neither the registry nor the client.

export interface AmazonClientDeps {
  /** Shared limiter of the credential (default: an in-process one from tps/burst/tpd). */
  limiter?: RateLimiter;
  logger?: Logger;
  fetch?: FetchFn;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
}

/** What the service needs to know of one provider; everything else goes through the provider. */
export interface ProviderEntry {
  /**
   * The provider for these settings, paced by `options.limiter` (one token per request, whatever
   * the number of codes in it). Throws an AmazonError (`auth`) before any request when the
   * credentials are missing or cannot call the marketplace.
   */
  create(
    settings: AmazonSettings,
    marketplace: Marketplace,
    deps: AmazonClientDeps,
    options: ProviderOptions,
  ): AmazonProvider;
  /**
   * The values naming the credential Amazon counts a quota for (never a secret): processes with
   * the same values share one limiter.
   */
  credentialOf(settings: AmazonSettings): readonly unknown[];
}
