import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { createImageDownloader } from './image-downloads.js';
import { createImageStore } from './image-store.js';
import { createAmazonClients, type AmazonClients } from '../amazon/amazon-clients.js';
import type { AmazonSettings } from '../amazon/provider.js';
import type { Config } from '../config/env.js';
import type { Database } from '../db/database.js';
import { createDatabaseRateLimitStore } from '../db/rate-limit-store.js';
import type { Logger } from '../logging/logger.js';
import { createAmazonLookup } from './amazon-lookup.js';
import type { JobsContext } from './context.js';
import { createJobLogWriter } from './job-log.js';
import { pruneJobLogs } from './log-retention.js';
import { createJobEndNotifier } from './webhook.js';
import { createWorker, type Worker, type WorkerOptions } from './worker.js';
import type { UnitLookup } from './unit-lookup.js';

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
  secretKey: Buffer;
  /** Effective Amazon settings (stored over environment); the config's when absent. */
  amazonSettings?: () => AmazonSettings | Promise<AmazonSettings>;
  /** Process-wide Amazon clients (shared with the HTTP routes: one limiter per credential). */
  clients?: AmazonClients;
  /** A lookup to use instead of Amazon (tests). */
  lookup?: UnitLookup;
}

/** Re-reads stored settings at most every `ms` (a PUT /config reaches the worker within it). */
function cached<T>(load: () => T | Promise<T>, ms: number): () => Promise<T> {
  let value: { at: number; v: Promise<T> } | null = null;
  return () => {
    if (!value || Date.now() - value.at > ms) {
      const v = Promise.resolve(load());
      value = { at: Date.now(), v };
      v.catch(() => (value = null));
    }
    return value.v;
  };
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
  });
}

/** The webhook signing key: CODE2ASIN_WEBHOOK_SECRET, else derived from the secret key. */
export function webhookSecret(config: Config, secretKey: Buffer): string {
  return (
    config.jobs.webhookSecret ??
    createHmac('sha256', secretKey).update('code2asin-webhook').digest('hex')
  );
}

/** Wires the jobs module for a process (serve, worker, map): context, notifier, lookup, workers. */
export function createJobsRuntime(deps: JobsRuntimeDeps): JobsRuntime {
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
  const ctx: JobsRuntime['ctx'] = {
    database,
    logger,
    createJobLog,
    onJobEnded: notifier.onJobEnded,
    quotaTps: config.amazon.tps,
    cacheTtlDays: config.jobs.cacheTtlDays,
  };
  const imageDir = config.jobs.imageDir ?? join(database.dataDir ?? './data', 'images');
  ctx.images = createImageDownloader(ctx, createImageStore({ dir: imageDir }));
  const lookup =
    deps.lookup ??
    createAmazonLookup(cached(deps.amazonSettings ?? (() => config.amazon), 2000), database.db, {
      clients: deps.clients,
      logger,
      source: config.amazonSource,
    });
  const readiness = lookup.readiness?.bind(lookup);
  if (readiness) ctx.amazonReadiness = readiness;
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
      await notifier.pending();
      await ctx.images?.idle();
    },
  };
}
