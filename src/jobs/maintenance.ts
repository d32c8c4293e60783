import { systemClock, type Clock } from '../amazon/clock.js';
import { sweepExpiredLeases } from '../db/work-queue.js';
import { classifyDatabaseFault } from '../db/db-fault.js';
import { dueRetries } from './complete-job.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import { foldPiledJobCounts } from './job-counts.js';
import { sweepAbandonedIngestions } from './jobs-repository.js';
import { applyJobAction } from './lifecycle.js';
import type { AmazonReadiness } from '../amazon/readiness.js';
import { releaseWaitingJobs } from './waiting-for-amazon.js';

export interface MaintenanceOptions {
  /**
   * The longest wait between two runs (CODE2ASIN_MAINTENANCE_MS). Each wait is drawn between half
   * of it and all of it, so workers started together do not sweep in step (graphile-worker
   * randomises its sweeps the same way). An expired lease is back to pending within this.
   */
  periodMs: number;
  /** Only these jobs' retries (the CLI's `map` retries its own job only). */
  jobIds?: readonly string[];
  /** Times the runs; tests pass a manual clock. */
  clock?: Clock;
  random?: () => number;
  /** Whether the Amazon settings are complete: jobs `waiting_for_amazon` start once they are. */
  readiness?: () => Promise<AmazonReadiness>;
}

export interface MaintenanceLoop {
  /** Runs once now, then on the timer until `stop()`. */
  start(): void;
  /** Stops the timer; resolves when a run in progress has finished. */
  stop(): Promise<void>;
  /** Runs completed so far. */
  readonly runs: number;
}

/**
 * The work queue's housekeeping, on its own timer so that it never waits for claiming: expired
 * leases go back to pending (a killed worker's units), jobs whose scheduled retry time has come
 * are retried, and jobs whose input was never completely read are deleted. It used to run only
 * when a claim found nothing, so a worker busy with one long job swept nothing for hours.
 */
export function createMaintenanceLoop(
  ctx: JobsContext,
  options: MaintenanceOptions,
): MaintenanceLoop {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  let timer: unknown = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let runs = 0;

  const schedule = (): void => {
    if (stopped) return;
    const wait = options.periodMs * (0.5 + random() * 0.5);
    timer = clock.setTimer(() => {
      timer = null;
      run();
    }, wait);
  };

  const run = (): void => {
    running = runMaintenance(ctx, options.jobIds, options.readiness)
      .catch((err: unknown) => {
        // A database fault is logged once by the database and the worker, not at every run.
        if (classifyDatabaseFault(err)) ctx.logger.debug({ err }, 'job maintenance skipped');
        else ctx.logger.warn({ err }, 'job maintenance failed; trying again');
      })
      .finally(() => {
        runs += 1;
        running = null;
        schedule();
      });
  };

  return {
    get runs() {
      return runs;
    },
    start() {
      if (timer !== null || running) return;
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * One maintenance run: leases, abandoned ingestions, due retries, jobs waiting for Amazon, and
 * the count deltas of jobs that piled them up (PostgreSQL).
 */
export async function runMaintenance(
  ctx: JobsContext,
  jobIds?: readonly string[],
  readiness?: () => Promise<AmazonReadiness>,
): Promise<void> {
  const swept = await sweepExpiredLeases(ctx.database);
  if (swept > 0) ctx.logger.info({ units: swept }, 'expired leases returned to the queue');
  for (const job of await sweepAbandonedIngestions(ctx.database.db))
    ctx.logger.warn(
      { jobId: job.id, name: job.name },
      'deleted a job whose input was never completely read (its process stopped while reading it)',
    );
  for (const jobId of await dueRetries(ctx, jobIds)) {
    try {
      await applyJobAction(ctx, jobId, 'retry');
    } catch (error) {
      // Another process retried (or someone deleted) the job between the query and the update.
      if (error instanceof JobError && error.code !== 'retry_limit_reached')
        ctx.logger.debug({ jobId, err: error }, 'scheduled retry already taken');
      else ctx.logger.warn({ jobId, err: error }, 'scheduled retry failed');
    }
  }
  if (readiness) await releaseWaitingJobs(ctx, readiness, jobIds);
  const folded = await foldPiledJobCounts(ctx.database);
  if (folded > 0) ctx.logger.debug({ jobs: folded }, 'folded the count deltas of jobs');
}
