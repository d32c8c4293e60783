import { claimUnits, releaseUnits, renewLeases, type ClaimedUnit } from '../db/work-queue.js';
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
import {
  batchingOf,
  ONE_PER_REQUEST,
  type LookupBatching,
  type UnitLookup,
} from './unit-lookup.js';
import { startWorkerPresence } from './worker-presence.js';
import { workerState, type JobInfo, type WorkerOptions, type WorkerState } from './worker-state.js';

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
    release: (batch) => release(w, batch),
    jobOptions: async (jobId) => (await infoOf(w, jobId)).options,
  };
}

/**
 * Claims from the running job served least recently (round robin, so small jobs are not
 * starved): enough units for every lane to send a full request.
 */
async function claim(w: WorkerState): Promise<void> {
  const { ctx, options, signals, held } = w;
  const jobs = await jobsToServe(ctx.database.db, { jobIds: options.jobIds, limit: 50 });
  for (const jobId of jobs) {
    if (signals.stop.aborted) return;
    const info = await infoOf(w, jobId);
    const batching = await batchingByMarketplace(options.lookup, info.marketplaces);
    const perCall = Math.max(1, ...[...batching.values()].map((b) => b.maxCodesPerCall));
    const units = await claimUnits(ctx.database, {
      jobId,
      workerId: w.id,
      limit: w.concurrency * perCall,
      leaseMs: w.leaseMs,
    });
    await markJobServed(ctx.database.db, jobId);
    if (units.length > 0) {
      signals.of(jobId);
      held.add(units.map((unit) => heldUnit(unit, info.owner, batching.get(unit.marketplace))));
      return;
    }
    if (!held.holdsJob(jobId)) await completeIfDone(ctx, jobId);
  }
}

/**
 * Claims unless the database is faulty (backing off) or a volume is nearly full; resolves
 * after the wait otherwise. Never throws: a fault holds the worker, it never ends it.
 */
async function claimUnlessHeld(w: WorkerState): Promise<void> {
  const diskHold = await w.lowDisk.holdMs().catch((err: unknown) => {
    w.ctx.logger.warn({ err }, 'free disk space check failed; claiming anyway');
    return 0;
  });
  const hold = Math.max(w.faultBackoff.waitMs(), diskHold);
  if (hold > 0) return sleep(hold, w.signals.stop);
  try {
    await claim(w);
    w.faultBackoff.succeeded();
  } catch (err) {
    w.faultBackoff.warnUnlessFault(err, 'claiming units failed; trying again');
  }
}

/** The next request's worth of units for a lane, claiming when none is queued; null at stop. */
async function next(w: WorkerState): Promise<Held[] | null> {
  while (!w.signals.stop.aborted) {
    // During a database fault no lookup starts: its result could not be stored.
    const faultWait = w.faultBackoff.waitMs();
    if (faultWait > 0) {
      await sleep(faultWait, w.signals.stop);
      continue;
    }
    const batch = w.held.takeBatch();
    if (batch) return batch;
    const wait = w.quietUntil - Date.now();
    if (wait > 0) {
      await sleep(wait, w.signals.stop);
      continue;
    }
    w.claiming ??= claimUnlessHeld(w)
      .then(() => {
        if (w.held.queued === 0) w.quietUntil = Date.now() + w.idlePollMs;
      })
      .finally(() => (w.claiming = null));
    await w.claiming;
  }
  return null;
}

/** Re-reads the statuses of held jobs; a job no longer processing has its lookups aborted. */
async function refreshStatuses(w: WorkerState): Promise<void> {
  const jobIds = w.held.jobIds();
  if (jobIds.length === 0) return;
  const status = await jobStatuses(w.ctx.database.db, jobIds);
  for (const jobId of jobIds) {
    if (status.get(jobId) === 'processing') continue;
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
  w.lanes = Array.from({ length: w.concurrency }, () => runLane(laneDeps, () => next(w)));
  w.maintenance.start();
  w.presence = startWorkerPresence(ctx.database, {
    id: w.id,
    concurrency: w.concurrency,
    heldUnits: () => w.held.ids().length,
  });
}

/** Stops claiming, aborts waiting lookups, hands held units back; resolves when all is released. */
async function stopWorker(w: WorkerState): Promise<void> {
  w.signals.stopAll();
  for (const t of w.timers) clearInterval(t);
  await w.maintenance.stop();
  await Promise.allSettled(w.lanes);
  await release(w, w.held.dropQueued());
  await w.presence?.stop();
}

/** The batch shape of each marketplace of a job. */
async function batchingByMarketplace(
  lookup: UnitLookup,
  marketplaces: readonly string[],
): Promise<Map<string, LookupBatching>> {
  const entries = await Promise.all(
    marketplaces.map(async (m) => [m, await batchingOf(lookup, m)] as const),
  );
  return new Map(entries);
}

function heldUnit(unit: ClaimedUnit, owner: string, batching?: LookupBatching): Held {
  const b = batching ?? ONE_PER_REQUEST;
  return {
    unit,
    owner,
    batchKey: b.batchKeyOf?.(unit.code) ?? '',
    maxPerCall: b.maxCodesPerCall,
  };
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
