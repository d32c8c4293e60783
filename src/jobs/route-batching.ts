import type { ClaimedUnit } from '../db/work-queue.js';
import type { Held } from './held-units.js';
import { isEnrichRoute, providerOfRoute, type Route } from './provider-chain.js';
import {
  batchingOf,
  ONE_PER_REQUEST,
  type LookupBatching,
  type UnitLookup,
} from './unit-lookup.js';

/**
 * The batch shape of a route in each marketplace of a job: a finder's codes per request and
 * batch key, or an enricher's ASINs per item request (any ASINs may share one).
 */
export async function routeBatching(
  lookup: UnitLookup,
  marketplaces: readonly string[],
  route: Route,
): Promise<Map<string, LookupBatching>> {
  const provider = providerOfRoute(route);
  const entries = await Promise.all(
    marketplaces.map(async (m) => {
      const b = await batchingOf(lookup, m, provider);
      const shape: LookupBatching = isEnrichRoute(route)
        ? {
            maxCodesPerCall: Math.max(1, b.maxItemsPerCall ?? 1),
            requestsPerSecond: b.requestsPerSecond,
          }
        : b;
      return [m, shape] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Lanes a route gets: enough requests in flight to use its provider's pace while answers take
 * up to a second (ceil(rps) + 2, at most 64), or the worker's fixed concurrency when set.
 */
export function lanesOfRoute(
  fixed: number | undefined,
  batching: Iterable<LookupBatching>,
): number {
  if (fixed !== undefined) return Math.max(1, fixed);
  const rps = Math.max(0, ...[...batching].map((b) => b.requestsPerSecond ?? 1));
  return Math.min(64, Math.ceil(rps) + 2);
}

export function heldUnit(
  unit: ClaimedUnit,
  owner: string,
  route: Route,
  batching?: LookupBatching,
): Held {
  const b = batching ?? ONE_PER_REQUEST;
  const key = isEnrichRoute(route) ? '' : (b.batchKeyOf?.(unit.code) ?? '');
  return { unit, owner, route, batchKey: key, maxPerCall: b.maxCodesPerCall, heldAt: Date.now() };
}
