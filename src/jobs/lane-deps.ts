import type { JobsContext } from './context.js';
import type { DatabaseFaultBackoff } from './db-fault-backoff.js';
import type { FailureLog } from './failure-log.js';
import type { Held, HeldUnits } from './held-units.js';
import type { JobOptions } from './job-options.js';
import type { JobSignals } from './job-signals.js';
import type { UnitLookup } from './unit-lookup.js';

/** Requests sent, results stored, units handed back, claims made, since the worker started. */
export interface WorkerStats {
  requests: number;
  stored: number;
  released: number;
  /** Claim statements run (each route's, whether they found units or not). */
  claims: number;
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

/** One request under way: the job's abort signal and the milliseconds since it started. */
export interface Flight {
  signal: AbortSignal;
  elapsedMs(): number;
}

/**
 * The frame of one request for a batch (one job): the job's abort signal linked, the units marked
 * in flight (their leases are renewed, a pause waits for them), the request counted in
 * `stats.requests`. Aborted before it starts (pause, cancel, stop), the units go back and `run` is
 * not called. Used by the lane runner's lookups and by the chain's enrichment requests.
 */
export async function withFlight(
  deps: LaneDeps,
  batch: Held[],
  run: (flight: Flight) => Promise<void>,
): Promise<void> {
  const { signal, unlink } = deps.signals.forRequest((batch[0] as Held).unit.job_id);
  if (signal.aborted) {
    unlink();
    return deps.release(batch);
  }
  deps.held.startFlight(batch);
  const started = performance.now();
  try {
    deps.stats.requests += 1;
    await run({ signal, elapsedMs: () => Math.round(performance.now() - started) });
  } finally {
    unlink();
    deps.held.endFlight(batch);
  }
}
