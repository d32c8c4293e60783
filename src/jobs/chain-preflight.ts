import type { Kysely } from 'kysely';
import type { ProviderName } from '../config/provider-names.js';
import type { DB } from '../db/schema.js';
import type { JobsContext } from './context.js';
import type { Job, ProviderCost } from './jobs-repository.js';
import { requestCost } from './request-cost.js';
import { chainOf, isEnrichRoute, providerOfRoute, routesOf, type Route } from './provider-chain.js';

/** What one provider of a job's chain will cost (pre-flight report, issue 16 item 4). */

/**
 * Requests, tokens and ETA per provider of a chained job (null for a job on the configured
 * provider alone). Each later provider is counted as if it were asked for every unit: the
 * number it will really get depends on what the others find.
 */
export async function chainCosts(
  ctx: JobsContext,
  db: Kysely<DB>,
  job: Job,
  toQuery: number,
): Promise<ProviderCost[] | null> {
  const chain = chainOf(job.options);
  const info = ctx.providerInfo;
  if ((!chain.providers && !chain.enrichWith) || !info || job.options.use_amazon_api === false)
    return null;
  const configured = (await ctx.amazonReadiness?.())?.provider;
  const routes = routesOf(chain);
  const groups = await keyGroups(db, job);
  const costs: ProviderCost[] = [];
  for (const [i, route] of routes.entries()) {
    const provider = providerOfRoute(route) ?? configured;
    if (!provider) continue;
    const shape = (await info(provider)).shape;
    const cost = await costOf(db, job, route, provider, shape, toQuery, i === 0);
    if (i > 0) {
      // Units reach a later step a request of an earlier step at a time, so one claim of this
      // step may hold fewer than a full request: each earlier request can add at most one
      // partial request per batch key. Never more than one request per unit.
      const earlier = isEnrichRoute(route) ? costs : costs.slice(-1);
      const partial = earlier.reduce((n, c) => n + c.requests, 0) * groups;
      cost.requests = Math.min(toQuery, cost.requests + partial);
      cost.eta_seconds = Math.ceil(cost.requests / Math.max(cost.requests_per_second, 0.001));
    }
    costs.push(cost);
  }
  return costs;
}

/** The (marketplace, code type) groups of the job's pending units: batch keys at most. */
async function keyGroups(db: Kysely<DB>, job: Job): Promise<number> {
  const rows = await db
    .selectFrom('code2asin_results')
    .select(['marketplace', 'code_type'])
    .where('job_id', '=', job.id)
    .where('status', '=', 'pending')
    .groupBy(['marketplace', 'code_type'])
    .execute();
  return Math.max(1, rows.length);
}

async function costOf(
  db: Kysely<DB>,
  job: Job,
  route: Route,
  provider: ProviderName,
  shape: { maxCodesPerCall: number; maxItemsPerCall?: number; requestsPerSecond?: number },
  toQuery: number,
  first: boolean,
): Promise<ProviderCost> {
  const enrich = isEnrichRoute(route);
  const tps = shape.requestsPerSecond ?? 1;
  const perCall = enrich ? (shape.maxItemsPerCall ?? 1) : shape.maxCodesPerCall;
  const cost = enrich
    ? { requests: perMarketplace(job, toQuery, perCall), tps }
    : await requestCost(db, job, { ...shape, maxCodesPerCall: perCall }, tps);
  const requests = cost.requests ?? toQuery;
  return {
    provider,
    role: enrich ? 'enrich' : 'find',
    units: toQuery,
    requests,
    tokens: provider === 'keepa' ? toQuery : null,
    requests_per_second: tps,
    eta_seconds: Math.ceil(requests / Math.max(tps, 0.001)),
    bound: first ? 'all_pending' : 'upper_bound',
  };
}

/** Item requests for units spread over the job's marketplaces (ASINs of one marketplace share). */
function perMarketplace(job: Job, units: number, perCall: number): number {
  const markets = Math.max(1, job.marketplaces.length);
  return markets * Math.ceil(units / markets / Math.max(1, perCall));
}
