import type { JsonResponse } from './http.js';
import type { Marketplace } from './marketplaces.js';
import type { AmazonProduct } from './product.js';
import type { ProviderName } from './provider.js';

export type Operation = 'searchItems' | 'getItems' | 'getVariations';

/**
 * What the operation code (search, getItems, getVariations) needs from a provider: one paced,
 * retried, authenticated call with a camelCase body, and the item normaliser.
 */
export interface Caller {
  readonly name: ProviderName;
  readonly marketplace: Marketplace;
  readonly partnerTag: string;
  run(op: Operation, body: Record<string, unknown>, signal?: AbortSignal): Promise<JsonResponse>;
  normalize(item: unknown): AmazonProduct | null;
}
