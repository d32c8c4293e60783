import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { fromJson } from '../db/dialect.js';
import { claimUnits, releaseUnits, renewLeases, type ClaimedUnit } from '../db/work-queue.js';
import type { AmazonProduct } from '../amazon/product.js';
import type { Clock } from '../amazon/clock.js';
import type { JobsContext } from './context.js';
import type { JobOptions } from './job-options.js';
import { completeIfDone } from './complete-job.js';
import { applyJobAction } from './lifecycle.js';
import { createMaintenanceLoop } from './maintenance.js';
import {
  jobOwnerAndOptions,
  jobStatuses,
  jobsToServe,
  markJobServed,
} from './worker-repository.js';
import { holdJobForAmazon } from './waiting-for-amazon.js';
import { AmazonNotReadyError } from '../amazon/readiness.js';
import { storeFailure, storeResult } from './store-outcome.js';
import { startWorkerPresence, type WorkerPresence } from './worker-presence.js';
import { lookupErrorOf, type LookupUnit, type UnitLookup } from './unit-lookup.js';

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
}

export interface Worker {
  readonly id: string;
  start(): void;
  /** Stops claiming, aborts waiting lookups, hands held units back; resolves when all is released. */
  stop(): Promise<void>;
  /** Lookups started, results stored, units handed back, since start. */
  readonly stats: { requests: number; stored: number; released: number };
  /** Maintenance runs completed (expired leases, due retries). */
  readonly maintenanceRuns: number;
}

interface Held {
  unit: ClaimedUnit;
  owner: string;
}

/**
 * The worker loop (ARCHITECTURE.md "The worker"): lanes take units from a small local queue
 * filled by claims fair across running jobs; each lane calls the lookup (which waits on the
 * credential's limiter), then stores the result and counters in one transaction.
 */
export function createWorker(ctx: JobsContext, options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = Math.max(
    1,
    options.concurrency ?? Math.min(64, Math.ceil(options.quotaTps ?? ctx.quotaTps) + 2),
  );
  const leaseMs = options.leaseMs ?? 60_000;
  const idlePollMs = options.idlePollMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const refreshMs = options.statusRefreshMs ?? 250;
  const queue: Held[] = [];
  const inFlight = new Map<number, Held>();
  const jobControllers = new Map<string, AbortController>();
  const jobInfo = new Map<string, { owner: string; options: JobOptions }>();
  const stats = { requests: 0, stored: 0, released: 0 };
  const stopController = new AbortController();
  // Every lane listens on the stop signal and its job's signal while it waits.
  setMaxListeners(concurrency * 2 + 10, stopController.signal);
  let claiming: Promise<void> | null = null;
  let lanes: Promise<void>[] = [];
  let timers: NodeJS.Timeout[] = [];
  let presence: WorkerPresence | null = null;
  const maintenance = createMaintenanceLoop(ctx, {
    periodMs: options.maintenanceMs ?? 5_000,
    jobIds: options.jobIds,
    clock: options.clock,
    readiness: options.lookup.readiness?.bind(options.lookup),
  });

  const controllerFor = (jobId: string): AbortController => {
    let c = jobControllers.get(jobId);
    if (!c || c.signal.aborted) {
      c = new AbortController();
      setMaxListeners(concurrency * 2 + 10, c.signal);
      jobControllers.set(jobId, c);
    }
    return c;
  };

  async function infoOf(jobId: string): Promise<{ owner: string; options: JobOptions }> {
    const known = jobInfo.get(jobId);
    if (known) return known;
    const info = await jobOwnerAndOptions(ctx.database.db, jobId);
    jobInfo.set(jobId, info);
    return info;
  }

  /** Claims from the running job served least recently (round robin), so small jobs are not starved. */
  async function claim(): Promise<void> {
    const jobs = await jobsToServe(ctx.database.db, { jobIds: options.jobIds, limit: 50 });
    for (const jobId of jobs) {
      if (stopController.signal.aborted) return;
      const units = await claimUnits(ctx.database, {
        jobId,
        workerId: id,
        limit: concurrency,
        leaseMs,
      });
      await markJobServed(ctx.database.db, jobId);
      if (units.length > 0) {
        const { owner } = await infoOf(jobId);
        controllerFor(jobId);
        for (const unit of units) queue.push({ unit, owner });
        return;
      }
      if (!heldFor(jobId)) await completeIfDone(ctx, jobId);
    }
  }

  const heldFor = (jobId: string): boolean =>
    queue.some((h) => h.unit.job_id === jobId) ||
    [...inFlight.values()].some((h) => h.unit.job_id === jobId);

  /** Until then, claims found nothing: lanes wait together instead of each polling the database. */
  let quietUntil = 0;

  async function next(): Promise<Held | null> {
    while (!stopController.signal.aborted) {
      const held = queue.shift();
      if (held) return held;
      const wait = quietUntil - Date.now();
      if (wait > 0) {
        await sleep(wait, stopController.signal);
        continue;
      }
      if (!claiming) {
        claiming = claim()
          .catch((err: unknown) => ctx.logger.warn({ err }, 'claiming units failed; trying again'))
          .then(() => {
            if (queue.length === 0) quietUntil = Date.now() + idlePollMs;
          })
          .finally(() => (claiming = null));
      }
      await claiming;
    }
    return null;
  }

  async function lane(): Promise<void> {
    for (let held = await next(); held; held = await next()) {
      await processUnit(held).catch((err: unknown) =>
        ctx.logger.error({ err, unit: held?.unit.id }, 'worker lane error'),
      );
    }
  }

  async function processUnit(held: Held): Promise<void> {
    const { unit } = held;
    const controller = controllerFor(unit.job_id);
    if (controller.signal.aborted || stopController.signal.aborted) return release([held]);
    inFlight.set(unit.id, held);
    const started = performance.now();
    // One controller per unit, unlinked afterwards: AbortSignal.any would leave a listener on
    // the long-lived job and stop signals for every unit ever processed.
    const unitController = new AbortController();
    const abortUnit = () => unitController.abort();
    controller.signal.addEventListener('abort', abortUnit, { once: true });
    stopController.signal.addEventListener('abort', abortUnit, { once: true });
    const signal = unitController.signal;
    try {
      const lookupUnit: LookupUnit = {
        jobId: unit.job_id,
        owner: held.owner,
        marketplace: unit.marketplace,
        code: unit.code,
        gtin: unit.gtin,
        context: fromJson(unit.context),
      };
      stats.requests += 1;
      const result = await options.lookup.lookup(lookupUnit, signal);
      const ms = Math.round(performance.now() - started);
      const { outcome, previousAsin } = await storeResult(ctx.database, unit, id, result, ms);
      stats.stored += 1;
      if (outcome === 'found' && result.product) await queueImages(unit, result.product);
      await ctx.createJobLog(unit.job_id, 'DEBUG', 'Code looked up', {
        code: unit.code,
        code_type: unit.code_type,
        marketplace: unit.marketplace,
        previous_asin: previousAsin,
        new_asin: result.asin,
        change_reason: outcome === 'lost' ? 'lease_lost' : changeReason(previousAsin, result.asin),
        match_type: result.match_type,
        confidence: result.confidence,
        processing_ms: ms,
        request_id: result.request_id,
      });
    } catch (error) {
      if (signal.aborted) return release([held]);
      await handleFailure(held, error, Math.round(performance.now() - started));
    } finally {
      controller.signal.removeEventListener('abort', abortUnit);
      stopController.signal.removeEventListener('abort', abortUnit);
      inFlight.delete(unit.id);
    }
  }

  async function queueImages(unit: ClaimedUnit, product: AmazonProduct): Promise<void> {
    const { options: o } = await infoOf(unit.job_id);
    if (!o.download_images || !ctx.images || o.max_images_per_product === 0) return;
    ctx.images.enqueue({
      jobId: unit.job_id,
      unitId: unit.id,
      marketplace: unit.marketplace,
      gtin: unit.gtin,
      product,
      max: o.max_images_per_product,
      mode: o.image_mode,
    });
  }

  async function handleFailure(held: Held, error: unknown, ms: number): Promise<void> {
    if (error instanceof AmazonNotReadyError) {
      // Settings incomplete: nothing was sent. The job waits and starts again by itself.
      await release([held]);
      controllerFor(held.unit.job_id).abort();
      await holdJobForAmazon(ctx, held.unit.job_id, error).catch(() => undefined);
      return;
    }
    const e = lookupErrorOf(error);
    if (e.providerUnusable) {
      await release([held]);
      controllerFor(held.unit.job_id).abort();
      const message = e.pauseMessage;
      // Another lane (or a user) may have paused or cancelled it first: nothing to do then.
      await applyJobAction(ctx, held.unit.job_id, 'pause', { message }).catch((err: unknown) =>
        ctx.logger.debug({ err, jobId: held.unit.job_id }, 'job not paused'),
      );
      await ctx.createJobLog(held.unit.job_id, 'ERROR', 'Job paused: Amazon refused access', {
        error_class: e.code,
        message: e.message,
      });
      return;
    }
    const outcome = await storeFailure(ctx.database, held.unit, id, e, {
      maxAttempts,
      processingMs: ms,
      backoffMs: (attempt) =>
        Math.min(60_000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5),
    });
    await ctx.createJobLog(
      held.unit.job_id,
      outcome === 'error' ? 'ERROR' : 'WARNING',
      outcome === 'error' ? 'Code failed' : 'Code will be retried',
      {
        code: held.unit.code,
        marketplace: held.unit.marketplace,
        error_class: e.code,
        message: e.message,
        attempt: held.unit.attempts + 1,
        request_id: e.requestId ?? null,
      },
    );
  }

  async function release(held: Held[]): Promise<void> {
    if (held.length === 0) return;
    stats.released += await releaseUnits(
      ctx.database,
      id,
      held.map((h) => h.unit.id),
    );
  }

  /** Re-reads the statuses of held jobs; a job no longer processing has its lookups aborted. */
  async function refreshStatuses(): Promise<void> {
    const jobIds = [...new Set([...queue, ...inFlight.values()].map((h) => h.unit.job_id))];
    if (jobIds.length === 0) return;
    const status = await jobStatuses(ctx.database.db, jobIds);
    for (const jobId of jobIds) {
      if (status.get(jobId) === 'processing') continue;
      jobControllers.get(jobId)?.abort();
      const mine = queue.filter((h) => h.unit.job_id === jobId);
      for (const h of mine) queue.splice(queue.indexOf(h), 1);
      await release(mine);
    }
  }

  return {
    id,
    stats,
    get maintenanceRuns() {
      return maintenance.runs;
    },
    start() {
      const tick = () =>
        void refreshStatuses().catch((err: unknown) =>
          ctx.logger.warn({ err }, 'status refresh failed'),
        );
      // Leases renewed three times per lease: a unit held longer than its lease (a long wait
      // for a slot, a slow request, retries) stays this worker's.
      const renew = () =>
        void renewLeases(
          ctx.database,
          id,
          [...queue, ...inFlight.values()].map((h) => h.unit.id),
          leaseMs,
        ).catch((err: unknown) => ctx.logger.warn({ err }, 'lease renewal failed'));
      timers = [setInterval(tick, refreshMs), setInterval(renew, Math.max(50, leaseMs / 3))];
      lanes = Array.from({ length: concurrency }, () => lane());
      maintenance.start();
      presence = startWorkerPresence(ctx.database, {
        id,
        concurrency,
        heldUnits: () => queue.length + inFlight.size,
      });
    },
    async stop() {
      stopController.abort();
      for (const t of timers) clearInterval(t);
      await maintenance.stop();
      await Promise.allSettled(lanes);
      await release(queue.splice(0));
      await presence?.stop();
    },
  };
}

function changeReason(previous: string | null, next: string | null): string {
  if (previous === null && next === null) return 'not_found';
  if (previous === null) return 'new';
  if (previous === next) return 'unchanged';
  return next === null ? 'no_longer_found' : 'changed';
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
