import type { Logger } from '../logging/logger.js';
import type { Clock } from './clock.js';
import { createCreatorsTransport } from './creators/creators-transport.js';
import { AmazonError } from './errors.js';
import type { FetchFn } from './http.js';
import {
  findMarketplace,
  isVersionValidFor,
  MARKETPLACES,
  type Marketplace,
} from './marketplaces.js';
import { createPaapiTransport } from './paapi/paapi-transport.js';
import { createProductFunctions, type ProductFunctions } from './product-functions.js';
import { createProvider, type Transport } from './provider-core.js';
import type { AmazonProvider, AmazonSettings } from './provider.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { RetryPolicy } from './retry.js';

export interface AmazonClientDeps {
  /** Shared limiter of the credential (default: an in-process one from tps/burst/tpd). */
  limiter?: RateLimiter;
  logger?: Logger;
  fetch?: FetchFn;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
}

/** A provider plus the three product functions of the original system, bound to it. */
export type AmazonClient = AmazonProvider & ProductFunctions;

const CONFIG = 'or PUT /api/v1/amazon/config';

/**
 * Builds the client for `settings.provider`. Throws an AmazonError (`auth` for missing or
 * mismatched credentials, `invalid_data` for an unknown marketplace) before any request.
 */
export function createAmazonClient(
  settings: AmazonSettings,
  deps: AmazonClientDeps = {},
): AmazonClient {
  const marketplace = marketplaceOf(settings.marketplace);
  const partnerTag = settings.associateTag?.trim();
  if (!partnerTag) {
    throw new AmazonError(
      'auth',
      `No Associates tag: set AMAZON_ASSOCIATE_TAG to your tracking id for ${marketplace.domain} (e.g. mystore-21) ${CONFIG}.`,
      { reason: 'MissingPartnerTag' },
    );
  }
  const transport =
    settings.provider === 'paapi'
      ? paapiTransport(settings, marketplace, partnerTag, deps)
      : creatorsTransport(settings, marketplace, partnerTag, deps);
  const limiter =
    deps.limiter ??
    createRateLimiter({
      tps: settings.tps,
      burst: settings.burst,
      tpd: settings.tpd,
      clock: deps.clock,
    });
  const provider = createProvider(transport, {
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

function creatorsTransport(
  s: AmazonSettings,
  m: Marketplace,
  partnerTag: string,
  deps: AmazonClientDeps,
): Transport {
  const c = s.creators;
  if (!c.credentialId || !c.credentialSecret) {
    throw new AmazonError(
      'auth',
      `No Creators API credentials: set AMAZON_CREATORS_CREDENTIAL_ID and AMAZON_CREATORS_CREDENTIAL_SECRET (Associates Central → Tools → Creators API) ${CONFIG}.`,
      { reason: 'MissingCredential' },
    );
  }
  if (!isVersionValidFor(m, c.credentialVersion)) {
    throw new AmazonError(
      'auth',
      `Credential version ${c.credentialVersion} cannot call ${m.domain} (${m.region} region needs ${m.credentialVersions.join(' or ')}): set AMAZON_CREATORS_CREDENTIAL_VERSION to the version shown with the credential ${CONFIG}.`,
      { reason: 'VersionMismatch' },
    );
  }
  return createCreatorsTransport({
    marketplace: m,
    partnerTag,
    credentialId: c.credentialId,
    credentialSecret: c.credentialSecret,
    credentialVersion: c.credentialVersion,
    apiUrl: c.apiUrl,
    tokenUrl: c.tokenUrl,
    timeoutMs: s.timeoutMs,
    fetch: deps.fetch,
    clock: deps.clock,
  });
}

function paapiTransport(
  s: AmazonSettings,
  m: Marketplace,
  partnerTag: string,
  deps: AmazonClientDeps,
): Transport {
  const p = s.paapi;
  if (!p.accessKey || !p.secretKey) {
    throw new AmazonError(
      'auth',
      `No PA-API keys: set AMAZON_PAAPI_ACCESS_KEY and AMAZON_PAAPI_SECRET_KEY ${CONFIG}. PA-API 5.0 was retired in May 2026; prefer AMAZON_PROVIDER=creators.`,
      { reason: 'MissingCredential' },
    );
  }
  return createPaapiTransport({
    marketplace: m,
    partnerTag,
    accessKey: p.accessKey,
    secretKey: p.secretKey,
    host: p.host,
    region: p.region,
    endpoint: p.endpoint,
    timeoutMs: s.timeoutMs,
    fetch: deps.fetch,
  });
}
