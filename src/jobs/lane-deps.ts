import type { JobsContext } from './context.js';
import type { DatabaseFaultBackoff } from './db-fault-backoff.js';
import type { FailureLog } from './failure-log.js';
import type { Held, HeldUnits } from './held-units.js';
import type { JobOptions } from './job-options.js';
import type { JobSignals } from './job-signals.js';
import type { UnitLookup } from './unit-lookup.js';

/** Requests sent, results stored, units handed back, since the worker started. */
export interface WorkerStats {
  requests: number;
  stored: number;
  released: number;
}

/** What a lane works with: the worker's units, signals and settings. */
export interface LaneDeps {
  ctx: JobsContext;
  workerId: string;
  lookup: UnitLookup;
  held: HeldUnits;
  signals: JobSignals;
  maxAttempts: number;
  stats: WorkerStats;
  /** Database faults hold the worker; a unit caught in one goes back with no attempt counted. */
  faults?: DatabaseFaultBackoff;
  /** Failures that change nothing but must be seen (a release after a fault), rate-limited. */
  failures: FailureLog;
  release(batch: readonly Held[]): Promise<void>;
  jobOptions(jobId: string): Promise<JobOptions>;
}

/**
 * Hands a batch back after a database fault. When the database cannot take even that, the units
 * stay claimed and return to the queue when their lease ends (maintenance sweeps them): logged,
 * at most once a minute, never thrown.
 */
export async function releaseAfterFault(deps: LaneDeps, batch: readonly Held[]): Promise<void> {
  await deps
    .release(batch)
    .catch((err: unknown) =>
      deps.failures.failed(
        'release',
        'units not handed back after a database fault; they return to the queue when their lease ends',
        err,
        { worker_id: deps.workerId, job_id: batch[0]?.unit.job_id, units: batch.length },
      ),
    );
}
