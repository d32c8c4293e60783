import { AmazonError } from './errors.js';
import { findMarketplace, MARKETPLACES, type Marketplace } from './marketplaces.js';
import { createProductFunctions, type ProductFunctions } from './product-functions.js';
import type { AmazonClientDeps } from './provider-entry.js';
import { PROVIDERS } from './provider-registry.js';
import type { AmazonProvider, AmazonSettings } from './provider.js';
import { createRateLimiter } from './rate-limiter.js';

export type { AmazonClientDeps };

/** A provider plus the three product functions of the original system, bound to it. */
export type AmazonClient = AmazonProvider & ProductFunctions;

/** How a message tells the user to fix a setting. */
export const CONFIG = 'or PUT /api/v1/amazon/config';

/**
 * Builds the client for `settings.provider`. Throws an AmazonError (`auth` for missing or
 * mismatched credentials, `invalid_data` for an unknown marketplace) before any request.
 */
export function createAmazonClient(
  settings: AmazonSettings,
  deps: AmazonClientDeps = {},
): AmazonClient {
  const marketplace = marketplaceOf(settings.marketplace);
  const limiter =
    deps.limiter ??
    createRateLimiter({
      tps: settings.tps,
      burst: settings.burst,
      tpd: settings.tpd,
      clock: deps.clock,
    });
  const provider = PROVIDERS[settings.provider].create(settings, marketplace, deps, {
    limiter,
    clock: deps.clock,
    logger: deps.logger,
    retry: deps.retry,
  });
  return { ...provider, ...createProductFunctions(provider) };
}

function marketplaceOf(key: string): Marketplace {
  const m = findMarketplace(key);
  if (m) return m;
  const known = MARKETPLACES.map((x) => x.domain).join(', ');
  throw new AmazonError(
    'invalid_data',
    `Unknown marketplace "${key}": set AMAZON_MARKETPLACE to one of ${known} ${CONFIG}.`,
    { reason: 'UnknownMarketplace' },
  );
}
