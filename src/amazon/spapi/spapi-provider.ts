import type { AmazonClientDeps } from '../provider-entry.js';
import { AmazonError } from '../errors.js';
import type { Marketplace } from '../marketplaces.js';
import type { ProviderOptions } from '../provider-core.js';
import type { AmazonProvider, AmazonSettings } from '../provider.js';
import { createLwaTokens, type LwaTokens } from './lwa-tokens.js';
import { batchKeyOf } from './spapi-identifiers.js';
import { getCatalogItems, getCatalogVariations, MAX_ASINS_PER_CALL } from './spapi-items.js';
import { spapiBaseUrl, spapiMarketplaceId } from './spapi-regions.js';
import { createSpapiRequester } from './spapi-requester.js';
import { MAX_CODES_PER_CALL, searchCatalogByCodes } from './spapi-search.js';

const CONFIG = 'or PUT /api/v1/amazon/config';

export interface SpapiProvider extends AmazonProvider {
  /** The LWA access tokens (tests count their fetches). */
  readonly tokens: LwaTokens;
}

/**
 * The SP-API Catalog Items v2022-04-01 provider: searchCatalogItems with 20 identifiers of one
 * type per request (`maxCodesPerCall` 20, `batchKeyOf` EAN/UPC/ISBN/GTIN), getCatalogItem for
 * items by ASIN. Throws an `auth` AmazonError before any request when a setting is missing.
 */
export function createSpapiProvider(
  s: AmazonSettings,
  m: Marketplace,
  deps: AmazonClientDeps,
  o: ProviderOptions,
): SpapiProvider {
  const { clientId, clientSecret, refreshToken } = s.spapi;
  const missing = [
    clientId ? null : 'AMAZON_SPAPI_CLIENT_ID',
    clientSecret ? null : 'AMAZON_SPAPI_CLIENT_SECRET',
    refreshToken ? null : 'AMAZON_SPAPI_REFRESH_TOKEN',
  ].filter((v): v is string => v !== null);
  if (missing.length > 0 || !clientId || !clientSecret || !refreshToken)
    throw new AmazonError(
      'auth',
      `No SP-API credentials: set ${missing.join(', ')} (your app's LWA credentials and the refresh token of its self-authorisation, see the README "SP-API") ${CONFIG}.`,
      { reason: 'MissingCredential', provider: 'spapi' },
    );
  const marketplaceId = spapiMarketplaceId(m);
  if (!marketplaceId)
    throw new AmazonError(
      'invalid_data',
      `SP-API has no marketplace id for ${m.domain}: choose another AMAZON_MARKETPLACE ${CONFIG}.`,
      {
        reason: 'UnknownMarketplace',
        provider: 'spapi',
      },
    );
  const tokens = createLwaTokens({
    clientId,
    clientSecret,
    refreshToken,
    tokenUrl: s.spapi.tokenUrl,
    fetch: deps.fetch,
    timeoutMs: s.timeoutMs,
    clock: o.clock ?? deps.clock,
  });
  const r = createSpapiRequester(
    {
      baseUrl: spapiBaseUrl(m, s.spapi.endpoint),
      marketplaceId,
      domain: m.domain,
      tokens,
      timeoutMs: s.timeoutMs,
      fetch: deps.fetch,
      secrets: [clientSecret, refreshToken],
    },
    o,
  );
  return {
    name: 'spapi',
    marketplace: m,
    maxCodesPerCall: MAX_CODES_PER_CALL,
    usesSearchIndex: false,
    batchKeyOf,
    maxItemsPerCall: MAX_ASINS_PER_CALL,
    limiter: o.limiter,
    tokens,
    searchByCodes: (codes, opts) => searchCatalogByCodes(r, codes, opts),
    getItems: (asins, opts) => getCatalogItems(r, asins, opts),
    getVariations: (asin, opts) => getCatalogVariations(r, asin, opts),
  };
}
