export type { AmazonProduct, ExternalIds } from './product.js';
export type {
  AmazonProvider,
  AmazonSettings,
  CallOptions,
  GetItemsResult,
  ItemError,
  ProviderName,
  SearchOptions,
  SearchOutcome,
  VariationDimension,
  VariationsOptions,
  VariationsResult,
} from './provider.js';
export { createAmazonClient, type AmazonClient, type AmazonClientDeps } from './client.js';
export { AmazonError, isAmazonError, type AmazonErrorCode } from './errors.js';
export {
  MARKETPLACES,
  findMarketplace,
  getMarketplace,
  isVersionValidFor,
  type CreatorsRegion,
  type Marketplace,
} from './marketplaces.js';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimiterState,
} from './rate-limiter.js';
export { createSharedRateLimiter, type SharedRateLimiterOptions } from './shared-rate-limiter.js';
export type { Pace, RateLimitStore, SlotGrant, SlotReservation } from './rate-limit-store.js';
export { systemClock, type Clock } from './clock.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { normalizeItem } from './normalize.js';
export { isValidAsin, normalizeAsin } from './asin.js';
export {
  createProductFunctions,
  fetchAmazonProductData,
  matchedOn,
  searchAmazonByEan,
  searchAmazonByEans,
  type EanSearchOutcome,
  type EanSearchRequest,
  type MatchedOn,
  validateAsinOnAmazon,
  type Decide,
  type EanSearchResult,
  type ProductFunctions,
  type SearchByEanOptions,
} from './product-functions.js';
export { createProvider, type Transport } from './provider-core.js';
export { createCreatorsTransport, CREATORS_API_URL } from './creators/creators-transport.js';
export {
  createTokenManager,
  TOKEN_ENDPOINTS,
  type TokenManager,
} from './creators/token-manager.js';
export { createPaapiTransport } from './paapi/paapi-transport.js';
export { signRequest, PAAPI_SERVICE } from './paapi/signer.js';
