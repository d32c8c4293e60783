import type { JobsContext } from './context.js';
import type { DatabaseFaultBackoff } from './db-fault-backoff.js';
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
  release(batch: readonly Held[]): Promise<void>;
  jobOptions(jobId: string): Promise<JobOptions>;
}
