import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { claimUnits, releaseUnits, renewLeases, type ClaimedUnit } from '../db/work-queue.js';
import type { Clock } from '../amazon/clock.js';
import type { JobsContext } from './context.js';
import type { JobOptions } from './job-options.js';
import { completeIfDone } from './complete-job.js';
import { HeldUnits, type Held } from './held-units.js';
import { JobSignals } from './job-signals.js';
import { runLane, type LaneDeps, type WorkerStats } from './lane-runner.js';
import { createMaintenanceLoop } from './maintenance.js';
import { createDatabaseFaultBackoff } from './db-fault-backoff.js';
import { createLowDiskGuard } from './low-disk-guard.js';
import type { WatchedVolume } from '../db/disk-space.js';
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
import { countLiveWorkers, startWorkerPresence, type WorkerPresence } from './worker-presence.js';
import { createLaneSizer, type LaneSizer } from './lane-plan.js';

export interface WorkerOptions {
  lookup: UnitLookup;
  workerId?: string;
  /**
   * Lookups in flight at once. They queue on the credential's limiter, so more lanes than the
   * quota allows only wait; enough lanes keep the quota busy while responses are slow: at
   * `tps` with latency L, about tps × L requests are in flight (default ceil(tps) + 2, enough
   * up to 1 s of latency). More lanes only add waiting work to the event loop.
   */
  concurrency?: number;
  leaseMs?: number;
  idlePollMs?: number;
  maxAttempts?: number;
  /** Only these jobs (the CLI's `map` runs its own job). */
  jobIds?: readonly string[];
  /** How often held jobs' statuses are re-read (pause/cancel take effect within this). */
  statusRefreshMs?: number;
  quotaTps?: number;
  /** Longest wait between two maintenance runs (expired leases, due retries); default 5 s. */
  maintenanceMs?: number;
  /** Times the maintenance runs; tests pass a manual clock. */
  clock?: Clock;
  /** Claiming stops while one of these volumes has less free space (CODE2ASIN_MIN_FREE_DISK_MB). */
  lowDisk?: { volumes: readonly WatchedVolume[]; minFreeMb: number; checkEveryMs?: number };
}

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

interface JobInfo {
  owner: string;
  options: JobOptions;
  marketplaces: string[];
}

/**
 * The worker (ARCHITECTURE.md "The worker"): claims fill a small local queue fairly across
 * running jobs (round robin in `worker-repository.ts`), lanes (`lane-runner.ts`) take a
 * request's worth of units at a time, and maintenance runs on its own timer.
 */
export function createWorker(ctx: JobsContext, options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const lanes = workerLanes(ctx, options);
  const leaseMs = options.leaseMs ?? 60_000;
  const idlePollMs = options.idlePollMs ?? 500;
  const held = new HeldUnits();
  // Every lane listens on the stop signal and its job's signal while it waits.
  const signals = new JobSignals(lanes.max * 2 + 10);
  const jobInfo = new Map<string, JobInfo>();
  const stats: WorkerStats = { requests: 0, stored: 0, released: 0 };
  const faultBackoff = createDatabaseFaultBackoff(ctx.logger);
  const lowDisk = createLowDiskGuard(ctx, {
    volumes: options.lowDisk?.volumes ?? [],
    minFreeMb: options.lowDisk?.minFreeMb ?? 0,
    checkEveryMs: options.lowDisk?.checkEveryMs,
    jobIds: options.jobIds,
  });
  let presence: WorkerPresence | null = null;
  const maintenance = createMaintenanceLoop(ctx, {
    periodMs: options.maintenanceMs ?? 5_000,
    jobIds: options.jobIds,
    clock: options.clock,
    readiness: options.lookup.readiness?.bind(options.lookup),
  });

  async function infoOf(jobId: string): Promise<JobInfo> {
    const known = jobInfo.get(jobId);
    if (known) return known;
    const info = await jobOwnerAndOptions(ctx.database.db, jobId);
    jobInfo.set(jobId, info);
    return info;
  }

  const release = async (batch: readonly Held[]): Promise<void> => {
    if (batch.length === 0) return;
    const ids = batch.map((h) => h.unit.id);
    stats.released += await releaseUnits(ctx.database, id, ids);
  };

  const laneDeps: LaneDeps = {
    ctx,
    workerId: id,
    lookup: options.lookup,
    held,
    signals,
    maxAttempts: options.maxAttempts ?? 5,
    stats,
    faults: faultBackoff,
    release,
    jobOptions: async (jobId) => (await infoOf(jobId)).options,
  };

  /**
   * Claims from the running job served least recently (round robin, so small jobs are not
   * starved): enough units for every lane to send a full request.
   */
  async function claim(): Promise<void> {
    const jobs = await jobsToServe(ctx.database.db, { jobIds: options.jobIds, limit: 50 });
    for (const jobId of jobs) {
      if (signals.stop.aborted) return;
      const info = await infoOf(jobId);
      const batching = await batchingByMarketplace(options.lookup, info.marketplaces);
      const perCall = Math.max(1, ...[...batching.values()].map((b) => b.maxCodesPerCall));
      const units = await claimUnits(ctx.database, {
        jobId,
        workerId: id,
        limit: lanes.lanes * perCall,
        leaseMs,
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
  async function claimUnlessHeld(): Promise<void> {
    const hold = Math.max(faultBackoff.waitMs(), await lowDisk.holdMs().catch(() => 0));
    if (hold > 0) return sleep(hold, signals.stop);
    try {
      await claim();
      faultBackoff.succeeded();
    } catch (err) {
      faultBackoff.warnUnlessFault(err, 'claiming units failed; trying again');
    }
  }

  let claiming: Promise<void> | null = null;
  /** Until then, claims found nothing: lanes wait together instead of each polling the database. */
  let quietUntil = 0;

  async function next(lane: number): Promise<Held[] | null> {
    while (!signals.stop.aborted) {
      await lanes.admit(lane, signals.stop);
      if (signals.stop.aborted) break;
      // During a database fault no lookup starts: its result could not be stored.
      const faultWait = faultBackoff.waitMs();
      if (faultWait > 0) {
        await sleep(faultWait, signals.stop);
        continue;
      }
      const batch = held.takeBatch();
      if (batch) return batch;
      const wait = quietUntil - Date.now();
      if (wait > 0) {
        await sleep(wait, signals.stop);
        continue;
      }
      claiming ??= claimUnlessHeld()
        .then(() => {
          if (held.queued === 0) quietUntil = Date.now() + idlePollMs;
        })
        .finally(() => (claiming = null));
      await claiming;
    }
    return null;
  }

  /** Re-reads the statuses of held jobs; a job no longer processing has its lookups aborted. */
  async function refreshStatuses(): Promise<void> {
    const jobIds = held.jobIds();
    if (jobIds.length === 0) return;
    const status = await jobStatuses(ctx.database.db, jobIds);
    for (const jobId of jobIds) {
      if (status.get(jobId) === 'processing') continue;
      signals.abortJob(jobId);
      await release(held.dropQueued(jobId));
    }
  }

  let running: Promise<void>[] = [];
  let timers: NodeJS.Timeout[] = [];
  return {
    id,
    stats,
    get maintenanceRuns() {
      return maintenance.runs;
    },
    start() {
      const tick = () =>
        void refreshStatuses().catch((err: unknown) =>
          faultBackoff.warnUnlessFault(err, 'status refresh failed'),
        );
      // Leases renewed three times per lease: a unit held longer than its lease (a long wait
      // for a slot, a slow request, retries) stays this worker's.
      const renew = () =>
        void renewLeases(ctx.database, id, held.ids(), leaseMs).catch((err: unknown) =>
          faultBackoff.warnUnlessFault(err, 'lease renewal failed'),
        );
      const refreshMs = options.statusRefreshMs ?? 250;
      timers = [setInterval(tick, refreshMs), setInterval(renew, Math.max(50, leaseMs / 3))];
      running = Array.from({ length: lanes.max }, (_, i) => runLane(laneDeps, () => next(i)));
      lanes.start();
      maintenance.start();
      presence = startWorkerPresence(ctx.database, {
        id,
        lanes: () => lanes.lanes,
        heldUnits: () => held.ids().length,
      });
    },
    async stop() {
      signals.stopAll();
      for (const t of timers) clearInterval(t);
      lanes.stop();
      await maintenance.stop();
      await Promise.allSettled(running);
      await release(held.dropQueued());
      await presence?.stop();
    },
  };
}

/**
 * Lanes: `concurrency` when given, else derived from the credential's effective rate (stored
 * settings first), its answer time and the workers sharing it (`lane-plan.ts`).
 */
function workerLanes(ctx: JobsContext, options: WorkerOptions): LaneSizer {
  const quotaTps = options.quotaTps ?? ctx.quotaTps;
  return createLaneSizer({
    fixed: options.concurrency,
    initial: { requestsPerSecond: quotaTps, sharers: 1 },
    pace: async () => {
      const b = await batchingOf(options.lookup);
      return {
        requestsPerSecond: b.requestsPerSecond ?? quotaTps,
        latencyMs: b.latencyMs,
        sharers: b.sharers ?? (await countLiveWorkers(ctx.database)),
      };
    },
    onChange: (n, pace) => ctx.logger.debug({ lanes: n, ...pace }, 'worker lanes resized'),
  });
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
