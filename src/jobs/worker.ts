import { claimUnits, releaseUnits, renewLeases } from '../db/work-queue.js';
import type { JobsContext } from './context.js';
import { completeIfDone } from './complete-job.js';
import type { Held } from './held-units.js';
import { runLane, type LaneDeps, type WorkerStats } from './lane-runner.js';
import {
  jobOwnerAndOptions,
  jobStatuses,
  jobsToServe,
  markJobServed,
} from './worker-repository.js';
import { chainOf, DEFAULT_ROUTE, routesOf, stepsOfRoute, type Route } from './provider-chain.js';
import { heldUnit, lanesOfRoute, routeBatching } from './route-batching.js';
import { upstreamHold } from './upstream-hold.js';
import { startWorkerPresence } from './worker-presence.js';
import {
  lanesOf,
  workerState,
  type JobInfo,
  type WorkerOptions,
  type WorkerState,
} from './worker-state.js';

export type { WorkerOptions } from './worker-state.js';

export interface Worker {
  readonly id: string;
  start(): void;
  /** Stops claiming, aborts waiting lookups, hands held units back; resolves when all is released. */
  stop(): Promise<void>;
  /** Requests started (one per batch), results stored, units handed back, since start. */
  readonly stats: WorkerStats;
  /** Maintenance runs completed (expired leases, due retries). */
  readonly maintenanceRuns: number;
  /** Jobs whose owner and options it holds in memory: only those still processing. */
  readonly cachedJobs: number;
}

/**
 * The worker (ARCHITECTURE.md "The worker"): claims fill a small local queue fairly across
 * running jobs (round robin in `worker-repository.ts`), lanes (`lane-runner.ts`) take a
 * request's worth of units at a time, and maintenance runs on its own timer.
 */
export function createWorker(ctx: JobsContext, options: WorkerOptions): Worker {
  const w = workerState(ctx, options);
  return {
    id: w.id,
    stats: w.stats,
    get maintenanceRuns() {
      return w.maintenance.runs;
    },
    get cachedJobs() {
      return w.jobInfo.size;
    },
    start: () => startWorker(w),
    stop: () => stopWorker(w),
  };
}

async function infoOf(w: WorkerState, jobId: string): Promise<JobInfo> {
  const known = w.jobInfo.get(jobId);
  if (known) return known;
  const info = await jobOwnerAndOptions(w.ctx.database.db, jobId);
  w.jobInfo.set(jobId, info);
  return info;
}

async function release(w: WorkerState, batch: readonly Held[]): Promise<void> {
  if (batch.length === 0) return;
  const ids = batch.map((h) => h.unit.id);
  w.stats.released += await releaseUnits(w.ctx.database, w.id, ids);
}

function laneDepsOf(w: WorkerState): LaneDeps {
  return {
    ctx: w.ctx,
    workerId: w.id,
    lookup: w.options.lookup,
    held: w.held,
    signals: w.signals,
    maxAttempts: w.options.maxAttempts ?? 5,
    stats: w.stats,
    faults: w.faultBackoff,
    failures: w.failures,
    release: (batch) => release(w, batch),
    jobOptions: async (jobId) => (await infoOf(w, jobId)).options,
  };
}

/**
 * Claims for a route from the running job served least recently (round robin, so small jobs are
 * not starved): enough units for every lane of the route to send a full request. Each provider
 * of a job's chain has its own route and lanes (started when a job names it), so a unit waiting
 * for one provider's quota never holds a lane of another.
 */
async function claim(w: WorkerState, route: Route): Promise<number> {
  const { ctx, options, signals, held } = w;
  const jobs = await jobsToServe(ctx.database.db, { jobIds: options.jobIds, limit: 50 });
  for (const jobId of jobs) {
    if (signals.stop.aborted) return 0;
    const info = await infoOf(w, jobId);
    const chain = chainOf(info.options);
    for (const r of routesOf(chain)) startLanes(w, r, info.marketplaces);
    const steps = stepsOfRoute(chain, route);
    if (steps.length === 0) continue;
    const batching = await routeBatching(options.lookup, info.marketplaces, route);
    const perCall = Math.max(1, ...[...batching.values()].map((b) => b.maxCodesPerCall));
    w.stats.claims += 1;
    const units = await claimUnits(ctx.database, {
      jobId,
      workerId: w.id,
      limit: lanesOf(w, route) * perCall,
      leaseMs: w.leaseMs,
      steps,
    });
    await markJobServed(ctx.database.db, jobId);
    if (units.length > 0) {
      signals.of(jobId);
      held.add(
        units.map((unit) => heldUnit(unit, info.owner, route, batching.get(unit.marketplace))),
      );
      return units.length;
    }
    if (!held.holdsJob(jobId)) await completeIfDone(ctx, jobId);
  }
  return 0;
}

/** Starts a route's lanes the first time a job needs them (sized by its provider's pace). */
function startLanes(w: WorkerState, route: Route, marketplaces: readonly string[]): void {
  if (w.laneCounts.has(route) || w.signals.stop.aborted) return;
  w.laneCounts.set(route, w.laneSizer.lanes);
  void routeBatching(w.options.lookup, marketplaces, route)
    .then((b) => lanesOfRoute(w.options.concurrency, b.values()))
    .catch((err: unknown) => {
      const lanes = w.laneSizer.lanes;
      w.failures.failed(
        'route_lanes',
        "a provider's pace could not be read; its route takes the configured provider's lane count",
        err,
        { worker_id: w.id, route, lanes },
      );
      return lanes;
    })
    .then((count) => {
      w.laneCounts.set(route, count);
      if (w.signals.stop.aborted) return;
      const laneDeps = laneDepsOf(w);
      for (let i = 0; i < count; i++) w.lanes.push(runLane(laneDeps, () => next(w, route)));
    });
}

/**
 * Claims unless the database is faulty (backing off) or a volume is nearly full; resolves
 * after the wait otherwise. Never throws: a fault holds the worker, it never ends it.
 * Resolves to the units claimed (0 after a hold or a fault).
 */
async function claimUnlessHeld(w: WorkerState, route: Route): Promise<number> {
  const diskHold = await w.lowDisk.holdMs().catch((err: unknown) => {
    w.ctx.logger.warn({ err }, 'free disk space check failed; claiming anyway');
    return 0;
  });
  const hold = Math.max(w.faultBackoff.waitMs(), diskHold);
  if (hold > 0) return sleep(hold, w.signals.stop).then(() => 0);
  try {
    const claimed = await claim(w, route);
    w.faultBackoff.succeeded();
    return claimed;
  } catch (err) {
    w.faultBackoff.warnUnlessFault(err, 'claiming units failed; trying again');
    return 0;
  }
}

/**
 * A request a few codes short costs a whole request of quota: while no queued group fills a
 * request, the worker claims more (codes of a rarer type accumulate) up to this many claims'
 * worth held. With SP-API (20 codes, 4 lanes) that is 640 units, enough to fill requests of a
 * type that is 3 % of a file; claiming by id alone sent 625 requests for 10,000 codes (EAN
 * 91 %, ISBN 9 %) where 500 do.
 */
const CLAIMS_HELD_FOR_FULL_REQUESTS = 8;

function holdsEnough(w: WorkerState, route: Route): boolean {
  const lanes = lanesOf(w, route);
  return (
    w.held.queuedFor(route) >= lanes * w.held.maxPerCallOf(route) * CLAIMS_HELD_FOR_FULL_REQUESTS
  );
}

/** The next request's worth of units for a lane of `route`, claiming when none is queued; null at stop. */
async function next(w: WorkerState, route: Route, lane?: number): Promise<Held[] | null> {
  while (!w.signals.stop.aborted) {
    // A lane of the configured provider past the sizer's current count waits its turn.
    if (lane !== undefined) await w.laneSizer.admit(lane, w.signals.stop);
    if (w.signals.stop.aborted) break;
    // During a database fault no lookup starts: its result could not be stored.
    const faultWait = w.faultBackoff.waitMs();
    if (faultWait > 0) {
      await sleep(faultWait, w.signals.stop);
      continue;
    }
    const full = w.held.takeBatch(route, true);
    if (full) return full;
    const queued = w.held.queuedFor(route);
    // The last claim found nothing (or enough is held): queued units go in whatever they fill,
    // unless the steps before a chain step are still passing codes on to it.
    if (queued > 0 && (w.claimsDry.get(route) === true || holdsEnough(w, route))) {
      const hold = holdsEnough(w, route)
        ? 'send'
        : await upstreamHold(w, route, (id) => infoOf(w, id), w.lastClaimAt.get(route) ?? 0);
      if (hold === 'send') return w.held.takeBatch(route);
      if (hold === 'wait') {
        // One claim per route and poll, whatever the number of lanes: each lane waking on its
        // own to claim again made a route of 52 lanes (Keepa at 50/s) claim 230 times a second, nearly
        // all finding nothing, and the worker's event loop stalled 60-400 ms at a time — long
        // enough to hold a granted request back until the next ones went with it (429s).
        const due = (w.lastClaimAt.get(route) ?? 0) + w.idlePollMs;
        await sleep(Math.max(1, due - Date.now()), w.signals.stop);
        // Another lane claimed meanwhile: its answer stands for this poll.
        if ((w.lastClaimAt.get(route) ?? 0) + w.idlePollMs > Date.now()) continue;
      }
      w.claimsDry.set(route, false);
      continue;
    }
    const wait = queued === 0 ? (w.quietUntil.get(route) ?? 0) - Date.now() : 0;
    if (wait > 0) {
      await sleep(wait, w.signals.stop);
      continue;
    }
    let claimed = w.claiming.get(route);
    if (!claimed) {
      w.lastClaimAt.set(route, Date.now());
      claimed = claimUnlessHeld(w, route)
        .then((n) => {
          w.claimsDry.set(route, n === 0);
          if (w.held.queuedFor(route) === 0) w.quietUntil.set(route, Date.now() + w.idlePollMs);
        })
        .finally(() => w.claiming.delete(route));
      w.claiming.set(route, claimed);
    }
    await claimed;
  }
  return null;
}

/**
 * Re-reads the statuses of held and cached jobs. A job no longer processing (ended, paused,
 * deleted) leaves the cache, and if held has its lookups aborted and its queued units handed back.
 */
async function refreshStatuses(w: WorkerState): Promise<void> {
  const held = w.held.jobIds();
  const jobIds = [...new Set([...held, ...w.jobInfo.jobIds()])];
  if (jobIds.length === 0) return;
  const status = await jobStatuses(w.ctx.database.db, jobIds);
  for (const jobId of jobIds) {
    if (status.get(jobId) === 'processing') continue;
    w.jobInfo.drop(jobId);
    if (!held.includes(jobId)) continue;
    w.signals.abortJob(jobId);
    await release(w, w.held.dropQueued(jobId));
  }
}

function startWorker(w: WorkerState): void {
  const { ctx, faultBackoff, leaseMs } = w;
  const tick = () =>
    void refreshStatuses(w).catch((err: unknown) =>
      faultBackoff.warnUnlessFault(err, 'status refresh failed'),
    );
  // Leases renewed three times per lease: a unit held longer than its lease (a long wait
  // for a slot, a slow request, retries) stays this worker's.
  const renew = () =>
    void renewLeases(ctx.database, w.id, w.held.ids(), leaseMs).catch((err: unknown) =>
      faultBackoff.warnUnlessFault(err, 'lease renewal failed'),
    );
  const refreshMs = w.options.statusRefreshMs ?? 250;
  w.timers = [setInterval(tick, refreshMs), setInterval(renew, Math.max(50, leaseMs / 3))];
  const laneDeps = laneDepsOf(w);
  // The configured provider's lanes: `max` loops, those past the sizer's count wait in `admit`.
  // Marked as started, so that a job naming no provider never starts a second set.
  w.laneCounts.set(DEFAULT_ROUTE, w.laneSizer.max);
  for (let i = 0; i < w.laneSizer.max; i++)
    w.lanes.push(runLane(laneDeps, () => next(w, DEFAULT_ROUTE, i)));
  w.laneSizer.start();
  w.maintenance.start();
  w.presence = startWorkerPresence(ctx.database, {
    id: w.id,
    failures: w.failures,
    lanes: () => w.laneSizer.lanes,
    heldUnits: () => w.held.ids().length,
  });
}

/** Stops claiming, aborts waiting lookups, hands held units back; resolves when all is released. */
async function stopWorker(w: WorkerState): Promise<void> {
  w.signals.stopAll();
  for (const t of w.timers) clearInterval(t);
  w.laneSizer.stop();
  await w.maintenance.stop();
  await Promise.allSettled(w.lanes);
  await release(w, w.held.dropQueued());
  await w.presence?.stop();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
