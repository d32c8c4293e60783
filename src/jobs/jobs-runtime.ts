import { createDatabaseQuotaStore } from '../db/quota-store.js';
import { createHmac } from 'node:crypto';
import { imageDirectory, watchedVolumes } from '../db/disk-space.js';
import { createImageDownloader } from './image-downloads.js';
import { imagePolicy } from './image-policy.js';
import { createImageStore } from './image-store.js';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import type { AmazonSettings } from '../amazon/provider.js';
import type { Config } from '../config/env.js';
import { watchAmazonSettings } from '../config/effective-amazon-settings.js';
import type { SecretKeys } from '../config/provider-settings.js';
import type { Database } from '../db/database.js';
import type { DialectAdapter } from '../db/dialect.js';
import { createDatabaseRateShareStore } from '../db/rate-share-store.js';
import { createDatabaseRateLimitStore } from '../db/rate-limit-store.js';
import type { Logger } from '../logging/logger.js';
import { createAmazonLookup } from './amazon-lookup.js';
import type { JobsContext } from './context.js';
import { createJobLogWriter } from './job-log.js';
import { pruneJobLogs } from './log-retention.js';
import { createJobEndNotifier } from './webhook.js';
import { createWorker, type Worker, type WorkerOptions } from './worker.js';
import { batchingOf, type UnitLookup } from './unit-lookup.js';

export interface JobsRuntime {
  ctx: JobsContext & { cacheTtlDays: number };
  lookup: UnitLookup;
  /** Starts a worker in this process; `close()` stops it. */
  startWorker(options?: Partial<WorkerOptions>): Worker;
  /** Stops workers (handing held units back), waits for webhooks, stops timers. */
  close(): Promise<void>;
}

export interface JobsRuntimeDeps {
  config: Config;
  database: Database;
  logger: Logger;
  /** Opens stored secrets (Amazon settings) and derives the webhook signing key. */
  keys: SecretKeys;
  /**
   * Effective Amazon settings; default: the environment's under the stored ones, re-read when
   * they change (`watchAmazonSettings`), so every process follows `PUT /api/v1/amazon/config`.
   */
  amazonSettings?: () => AmazonSettings | Promise<AmazonSettings>;
  /** Process-wide Amazon clients (shared with the HTTP routes: one limiter per credential). */
  clients?: AmazonClients;
  /** A lookup to use instead of Amazon (tests). */
  lookup?: UnitLookup;
}

/** The jobs context of a process, with what its end needs. */
export interface ProcessJobsContext {
  ctx: JobsContext & { cacheTtlDays: number };
  /** Waits for end-of-job webhooks and image downloads in progress. */
  drain(): Promise<void>;
}

/**
 * The Amazon clients of a process (`serve`, `worker`, `map`): one limiter per credential, kept in
 * the database's `rate_limits` (CODE2ASIN_SHARED_RATE_LIMIT, on by default), so every process on
 * this database shares each credential's quota.
 */
export function createProcessAmazonClients(
  config: Config,
  database: Database,
  logger: Logger,
): AmazonClients {
  return createAmazonClients({
    clientDeps: { logger },
    rateLimitStore: config.sharedRateLimit ? createDatabaseRateLimitStore(database) : undefined,
    // Figures of the quota dashboard (GET /api/v1/amazon/quotas, `code2asin quota`).
    quotaRecorder: createDatabaseQuotaStore(database, { flushMs: config.quotaFlushMs }),
    rateShareStore:
      shareLeaseFor(config, database.dialect) > 0
        ? createDatabaseRateShareStore(database)
        : undefined,
    shareLeaseMs: shareLeaseFor(config, database.dialect),
  });
}

/** A dead process's share of a credential returns within this by default (PostgreSQL). */
export const DEFAULT_SHARE_LEASE_MS = 10_000;

/**
 * Rate shares (issue 23) by default where several processes on several machines share one
 * credential: PostgreSQL. SQLite is one machine, where the worker and the API process share the
 * per-request schedule of `rate_limits` (job-quota bench: 98.6 % of the quota); CODE2ASIN_SHARE_LEASE_MS
 * set to a number decides for either database.
 */
export function shareLeaseFor(config: Config, dialect: DialectAdapter): number {
  if (!config.sharedRateLimit) return 0;
  if (config.shareLeaseMs !== null) return config.shareLeaseMs;
  return dialect.remoteServer ? DEFAULT_SHARE_LEASE_MS : 0;
}

/** The webhook signing key: CODE2ASIN_WEBHOOK_SECRET, else derived from the secret key. */
export function webhookSecret(config: Config, secretKey: Buffer): string {
  return (
    config.jobs.webhookSecret ??
    createHmac('sha256', secretKey).update('code2asin-webhook').digest('hex')
  );
}

/**
 * The jobs context every process builds the same way (serve, its worker child, worker, map, the
 * HTTP app alone in tests): job logs, end-of-job webhooks, image downloads.
 */
export function createJobsContext(
  deps: Pick<JobsRuntimeDeps, 'config' | 'database' | 'logger' | 'amazonSettings'> & {
    secretKey: Buffer;
  },
): ProcessJobsContext {
  const { config, database, logger } = deps;
  const createJobLog = createJobLogWriter(database.db, logger);
  const notifier = createJobEndNotifier(
    {
      url: config.jobs.webhookUrl,
      secret: webhookSecret(config, deps.secretKey),
      allowPrivate: config.jobs.webhookAllowPrivate,
    },
    logger,
    createJobLog,
  );
  const ctx: ProcessJobsContext['ctx'] = {
    database,
    logger,
    createJobLog,
    onJobEnded: notifier.onJobEnded,
    quotaTps: config.amazon.tps,
    cacheTtlDays: config.jobs.cacheTtlDays,
    webhookAllowPrivate: config.jobs.webhookAllowPrivate,
  };
  const settings = deps.amazonSettings ?? (() => config.amazon);
  const imageDir = imageDirectory(config.jobs.imageDir, database.dataDir);
  ctx.images = createImageDownloader(
    ctx,
    createImageStore({ dir: imageDir, policy: async () => imagePolicy(await settings()) }),
  );
  return {
    ctx,
    async drain() {
      await notifier.pending();
      await ctx.images?.idle();
    },
  };
}

/** Wires the jobs module for a process (serve, worker, map): context, lookup, workers, log pruning. */
export function createJobsRuntime(deps: JobsRuntimeDeps): JobsRuntime {
  const { config, database, logger } = deps;
  const settings = deps.amazonSettings ?? watchAmazonSettings(database.db, config, deps.keys);
  const { ctx, drain } = createJobsContext({
    ...deps,
    secretKey: deps.keys.current,
    amazonSettings: settings,
  });
  const lookup =
    deps.lookup ??
    createAmazonLookup(settings, database.db, {
      clients: deps.clients,
      logger,
      acceptThreshold: config.jobs.acceptThreshold,
      source: config.amazonSource,
    });
  const readiness = lookup.readiness?.bind(lookup);
  if (readiness) ctx.amazonReadiness = readiness;
  ctx.lookupBatching = () => batchingOf(lookup);
  if (lookup.providerInfo) ctx.providerInfo = lookup.providerInfo.bind(lookup);
  const workers: Worker[] = [];
  const prune = () =>
    void pruneJobLogs(database.db, config.jobs.logRetentionDays).catch((err: unknown) =>
      logger.warn({ err }, 'log pruning failed'),
    );
  const pruneTimer = setInterval(prune, 3_600_000);
  pruneTimer.unref();
  prune();
  return {
    ctx,
    lookup,
    startWorker(options = {}) {
      const worker = createWorker(ctx, {
        lookup,
        leaseMs: config.jobs.leaseMs,
        maintenanceMs: config.jobs.maintenanceMs,
        chainBatchWaitMs: config.jobs.chainBatchWaitMs,
        lowDisk: {
          volumes: watchedVolumes(
            database.dataDir,
            imageDirectory(config.jobs.imageDir, database.dataDir),
          ),
          minFreeMb: config.jobs.minFreeDiskMb,
        },
        ...(config.jobs.concurrency > 0 ? { concurrency: config.jobs.concurrency } : {}),
        ...options,
      });
      worker.start();
      workers.push(worker);
      return worker;
    },
    async close() {
      clearInterval(pruneTimer);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await drain();
    },
  };
}
