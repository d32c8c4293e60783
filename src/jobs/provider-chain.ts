import type { ProviderName } from '../config/provider-names.js';
import type { AmazonProduct } from '../amazon/product.js';
import type { JobOptions } from './job-options.js';

/**
 * The providers a job asks, in order, and the provider that adds offers and prices afterwards
 * (issue 16 item 3). A unit waits for one step at a time (`chain_step`): steps 0 … n-1 ask the
 * finders, step n (when `enrichWith` is set) enriches what a finder found.
 */
export interface JobChain {
  /** Null: the configured provider (whatever the settings say when the unit is asked). */
  providers: readonly ProviderName[] | null;
  enrichWith: ProviderName | null;
}

/** What one provider said about a unit, kept in order with the result. */
export interface ProviderOutcome {
  provider: ProviderName;
  outcome: 'found' | 'to_review' | 'not_found' | 'error' | 'unusable' | 'enriched' | 'no_offer';
  asin?: string | null;
  error_class?: string;
  message?: string;
}

/**
 * A lane route: the requests of one provider, so that each provider's lanes wait on its own
 * limiter only. `find:*` asks the configured provider (jobs without `providers`).
 */
export type Route = `find:${ProviderName | '*'}` | `enrich:${ProviderName}`;

export const DEFAULT_ROUTE: Route = 'find:*';

export function chainOf(options: Pick<JobOptions, 'providers' | 'enrich_with'>): JobChain {
  return { providers: options.providers ?? null, enrichWith: options.enrich_with ?? null };
}

/** Finder steps of a chain (1 when it follows the configured provider). */
export function finderCount(chain: JobChain): number {
  return chain.providers?.length ?? 1;
}

/** The route of a step of the chain. */
export function routeOfStep(chain: JobChain, step: number): Route {
  const n = finderCount(chain);
  if (step >= n && chain.enrichWith) return `enrich:${chain.enrichWith}`;
  const p = chain.providers?.[Math.min(step, n - 1)];
  return p ? `find:${p}` : DEFAULT_ROUTE;
}

/** Every route a job's units may wait for. */
export function routesOf(chain: JobChain): Route[] {
  const steps = finderCount(chain) + (chain.enrichWith ? 1 : 0);
  return [...new Set(Array.from({ length: steps }, (_, i) => routeOfStep(chain, i)))];
}

/** The steps of a chain served by a route (none: the job has no work for it). */
export function stepsOfRoute(chain: JobChain, route: Route): number[] {
  const steps = finderCount(chain) + (chain.enrichWith ? 1 : 0);
  return Array.from({ length: steps }, (_, i) => i).filter((i) => routeOfStep(chain, i) === route);
}

/** The provider a route asks (undefined: the configured one). */
export function providerOfRoute(route: Route): ProviderName | undefined {
  const name = route.slice(route.indexOf(':') + 1);
  return name === '*' ? undefined : (name as ProviderName);
}

export function isEnrichRoute(route: Route): route is `enrich:${ProviderName}` {
  return route.startsWith('enrich:');
}

/**
 * Whether a found unit goes to the enrichment step: the job asks for it and the provider that
 * found it is another one (the enricher's own answer already carries its offers).
 */
export function needsEnrichment(chain: JobChain, answeredBy: ProviderName | undefined): boolean {
  return chain.enrichWith !== null && answeredBy !== chain.enrichWith;
}

/**
 * The finder's product with what the enricher adds: every field the finder left empty (SP-API
 * has no price, availability or condition) taken from the enricher's item of the same ASIN. The
 * finder's own values win: it is the answer the match was scored on.
 */
export function mergeEnrichment(finder: AmazonProduct | null, extra: AmazonProduct): AmazonProduct {
  if (!finder) return extra;
  const merged: Record<string, unknown> = { ...finder };
  for (const [key, value] of Object.entries(extra)) {
    const own = merged[key];
    const empty =
      own === null || own === undefined || own === '' || (Array.isArray(own) && own.length === 0);
    if (empty) merged[key] = value;
  }
  return merged as unknown as AmazonProduct;
}

/** The outcomes list as the result file shows it: `spapi: not_found | keepa: found`. */
export function formatOutcomes(outcomes: readonly ProviderOutcome[] | null): string | null {
  if (!outcomes || outcomes.length === 0) return null;
  return outcomes.map((o) => `${o.provider}: ${o.outcome}`).join(' | ');
}
