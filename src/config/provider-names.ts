/**
 * The Amazon providers the service can talk to, with their names in messages. The one list: the
 * settings accept these names, and `amazon/provider-registry.ts` must hold one entry per name
 * (its type is `Record<ProviderName, …>`), so adding a provider is a line here and an entry there.
 */
export const PROVIDER_LABELS = Object.freeze({
  creators: 'Creators API',
  paapi: 'PA-API',
  spapi: 'SP-API',
  keepa: 'Keepa',
} as const);

export type ProviderName = keyof typeof PROVIDER_LABELS;

export const PROVIDER_NAMES = Object.keys(PROVIDER_LABELS) as [ProviderName, ...ProviderName[]];

export function isProviderName(value: unknown): value is ProviderName {
  return (PROVIDER_NAMES as readonly unknown[]).includes(value);
}

/**
 * The published quota of providers whose default differs from AMAZON_TPS / AMAZON_BURST's own
 * (1 request/s, burst 1): used when neither the environment nor the stored settings set them.
 */
export const PROVIDER_RATE_DEFAULTS: Readonly<
  Partial<Record<ProviderName, { tps: number; burst: number }>>
> = Object.freeze({
  // SP-API Catalog Items v2022-04-01 default usage plan (reference §3.3).
  spapi: { tps: 2, burst: 2 },
});
