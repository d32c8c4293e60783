import { sql } from 'kysely';
import { chainOf, stepsOfRoute, type Route } from './provider-chain.js';
import type { JobInfo } from './job-info-cache.js';
import type { Held, HeldUnits } from './held-units.js';
import type { JobsContext } from './context.js';

/**
 * Longest a unit waits for more of a later chain step's codes before it goes in a short request
 * (CODE2ASIN_CHAIN_BATCH_WAIT_MS). The codes of a later step come from the step before it one by
 * one (at 1 request/s, one code a second or less): sent as they come, Keepa got one code per
 * request, and a request that finds nothing still costs a token.
 */
export const DEFAULT_CHAIN_BATCH_WAIT_MS = 30_000;

/** What the check reads of the worker (its state satisfies it). */
export interface UpstreamHoldDeps {
  readonly ctx: Pick<JobsContext, 'database'>;
  readonly held: HeldUnits;
  readonly idlePollMs: number;
  readonly chainBatchWaitMs: number;
  readonly upstream: Map<string, { busy: boolean; at: number }>;
}

/** What the lanes of a route do with a queued group that fills less than a request. */
export type UpstreamHold = 'send' | 'wait' | 'claim';

interface UpstreamReading {
  busy: boolean;
  /** When it was read (Date.now()): a claim started after it has every code passed before. */
  at: number;
}

/**
 * Whether the first queued unit of `route` should wait for more codes before it goes in a short
 * request: while the steps before its step still have codes of its job to look up (pending,
 * claimed or waiting for a retry, in any worker), and the unit has waited less than
 * `chainBatchWaitMs`. 'claim': those steps are done, and one more claim, started after that was
 * read, takes the codes they passed on last; 'send': go with what is queued. A first step, a
 * provider that takes one code per request, or a full group never waits.
 */
export async function upstreamHold(
  w: UpstreamHoldDeps,
  route: Route,
  infoOf: (jobId: string) => Promise<JobInfo>,
  lastClaimAt: number,
): Promise<UpstreamHold> {
  const first = w.held.firstQueued(route);
  if (!first || first.maxPerCall <= 1) return 'send';
  if (Date.now() - first.heldAt >= w.chainBatchWaitMs) return 'send';
  const step = Math.min(...stepsOfRoute(chainOf((await infoOf(first.unit.job_id)).options), route));
  if (!(step > 0)) return 'send';
  const reading = await upstreamOf(w, first, step);
  if (reading.busy) return 'wait';
  return lastClaimAt > reading.at ? 'send' : 'claim';
}

/** Whether the steps before `step` still have codes of the job, read at most every poll. */
async function upstreamOf(w: UpstreamHoldDeps, held: Held, step: number): Promise<UpstreamReading> {
  const key = `${held.unit.job_id}\u0000${step}`;
  const known = w.upstream.get(key);
  if (known && Date.now() - known.at < w.idlePollMs) return known;
  const at = Date.now();
  const row = await w.ctx.database.db
    .selectFrom('code2asin_results')
    .select(sql<number>`1`.as('one'))
    .where('job_id', '=', held.unit.job_id)
    .where('status', 'in', ['pending', 'claimed'])
    .where('chain_step', '<', step)
    .limit(1)
    .executeTakeFirst();
  const reading = { busy: row !== undefined, at };
  w.upstream.set(key, reading);
  // Readings of jobs no longer held go: the map stays as small as the jobs served.
  if (w.upstream.size > 256) w.upstream.clear();
  return reading;
}
