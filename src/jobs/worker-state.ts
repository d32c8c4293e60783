import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../amazon/clock.js';
import type { WatchedVolume } from '../db/disk-space.js';
import type { JobsContext } from './context.js';
import { createDatabaseFaultBackoff, type DatabaseFaultBackoff } from './db-fault-backoff.js';
import { createFailureLog, type FailureLog } from './failure-log.js';
import { HeldUnits } from './held-units.js';
import { JobSignals } from './job-signals.js';
import { JobInfoCache } from './job-info-cache.js';
import type { WorkerStats } from './lane-runner.js';
import { createLowDiskGuard, type LowDiskGuard } from './low-disk-guard.js';
import { createMaintenanceLoop, type MaintenanceLoop } from './maintenance.js';
import { createLaneSizer, type LaneSizer } from './lane-plan.js';
import { DEFAULT_ROUTE, type Route } from './provider-chain.js';
import { batchingOf, type UnitLookup } from './unit-lookup.js';
import { DEFAULT_CHAIN_BATCH_WAIT_MS } from './upstream-hold.js';
import { countLiveWorkers, type WorkerPresence } from './worker-presence.js';

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
  /**
   * Longest a code of a later chain step waits for more before it goes in a short request
   * (default 30 s, CODE2ASIN_CHAIN_BATCH_WAIT_MS; 0: never waits).
   */
  chainBatchWaitMs?: number;
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

export type { JobInfo } from './job-info-cache.js';

/** What the worker's parts share: settings, held units and signals, guards and timers. */
export interface WorkerState {
  readonly ctx: JobsContext;
  readonly options: WorkerOptions;
  readonly id: string;
  /** Lanes of the configured provider (the default route): fixed, or sized to the pace. */
  readonly laneSizer: LaneSizer;
  readonly leaseMs: number;
  readonly idlePollMs: number;
  readonly held: HeldUnits;
  readonly signals: JobSignals;
  /** Owner and options of the jobs served, dropped when a job stops processing. */
  readonly jobInfo: JobInfoCache;
  readonly stats: WorkerStats;
  readonly faultBackoff: DatabaseFaultBackoff;
  /** Failures that change nothing but must be seen (release, heartbeat), one line a minute each. */
  readonly failures: FailureLog;
  readonly lowDisk: LowDiskGuard;
  readonly maintenance: MaintenanceLoop;
  /** The claim in progress per route: lanes that find nothing queued wait for this one. */
  readonly claiming: Map<Route, Promise<void>>;
  /** Per route, until then claims found nothing: lanes wait together instead of each polling. */
  readonly quietUntil: Map<Route, number>;
  /** Per route, the last claim found nothing: queued units go out in whatever requests they fill. */
  readonly claimsDry: Map<Route, boolean>;
  /** Lanes started per route (a provider of a job's chain gets its own the first time). */
  readonly laneCounts: Map<Route, number>;
  readonly chainBatchWaitMs: number;
  /** Per job and chain step: whether the steps before it still had codes, and when read. */
  readonly upstream: Map<string, { busy: boolean; at: number }>;
  /** Per route, when its last claim started (Date.now()). */
  readonly lastClaimAt: Map<Route, number>;
  presence: WorkerPresence | null;
  lanes: Promise<void>[];
  timers: NodeJS.Timeout[];
}

/** The worker's settings (defaults applied), its empty queue and its guards, not started. */
export function workerState(ctx: JobsContext, options: WorkerOptions): WorkerState {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const failures = createFailureLog(ctx.logger, { now: () => (options.clock ?? Date).now() });
  const laneSizer = workerLanes(ctx, options, (error, lanes) =>
    failures.failed(
      'lane_pace',
      "the credential's pace could not be read; the lane count stays and is read again in 2 s",
      error,
      { worker_id: id, lanes },
    ),
  );
  return {
    ctx,
    options,
    id,
    laneSizer,
    leaseMs: options.leaseMs ?? 60_000,
    idlePollMs: options.idlePollMs ?? 500,
    held: new HeldUnits(),
    // Every lane listens on the stop signal and its job's signal while it waits.
    // Lanes of other routes (a job's provider chain) listen too: room for them.
    signals: new JobSignals(laneSizer.max * 2 + 200),
    jobInfo: new JobInfoCache(),
    stats: { requests: 0, stored: 0, released: 0, claims: 0 },
    faultBackoff: createDatabaseFaultBackoff(ctx.logger),
    failures,
    lowDisk: createLowDiskGuard(ctx, {
      volumes: options.lowDisk?.volumes ?? [],
      minFreeMb: options.lowDisk?.minFreeMb ?? 0,
      checkEveryMs: options.lowDisk?.checkEveryMs,
      jobIds: options.jobIds,
    }),
    maintenance: createMaintenanceLoop(ctx, {
      periodMs: options.maintenanceMs ?? 5_000,
      jobIds: options.jobIds,
      clock: options.clock,
      readiness: options.lookup.readiness?.bind(options.lookup),
    }),
    claiming: new Map(),
    quietUntil: new Map(),
    laneCounts: new Map(),
    claimsDry: new Map(),
    chainBatchWaitMs: Math.max(0, options.chainBatchWaitMs ?? DEFAULT_CHAIN_BATCH_WAIT_MS),
    upstream: new Map(),
    lastClaimAt: new Map(),
    presence: null,
    lanes: [],
    timers: [],
  };
}

/**
 * Lanes: `concurrency` when given, else derived from the credential's effective rate (stored
 * settings first), its answer time and the workers sharing it (`lane-plan.ts`).
 */
function workerLanes(
  ctx: JobsContext,
  options: WorkerOptions,
  onPaceError: (error: unknown, lanes: number) => void,
): LaneSizer {
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
    onPaceError,
  });
}

/** Lanes of a route: the sizer's for the configured provider, else the route's own count. */
export function lanesOf(w: WorkerState, route: Route): number {
  return route === DEFAULT_ROUTE
    ? w.laneSizer.lanes
    : (w.laneCounts.get(route) ?? w.laneSizer.lanes);
}
