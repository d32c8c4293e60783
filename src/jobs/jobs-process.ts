import { setTimeout as sleep } from 'node:timers/promises';
import type { AmazonClients } from '../amazon/amazon-clients.js';
import type { Config } from '../config/env.js';
import type { SecretKeys } from '../config/provider-settings.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { classifyDatabaseFault } from '../db/db-fault.js';
import type { Logger } from '../logging/logger.js';
import { createJobsRuntime, createProcessAmazonClients, type JobsRuntime } from './jobs-runtime.js';

/** What every process of the service holds: database, keys, Amazon clients, jobs runtime. */
export interface JobsProcess {
  config: Config;
  logger: Logger;
  database: Database;
  keys: SecretKeys;
  /** One set of clients and per-credential limiters for the process (routes and workers). */
  amazonClients: AmazonClients;
  jobs: JobsRuntime;
  /** Stops the workers (units handed back), waits for webhooks, closes the database. */
  close(): Promise<void>;
}

/**
 * Sets a process up the one way every process shares: `serve` (its inline worker or its worker
 * child), `code2asin worker` and `map`. Migrates the database, resolves the secret key, and builds
 * the jobs runtime on the effective Amazon settings (environment under the stored ones, followed
 * as they change), with limiters that share each credential's quota through the database.
 */
export async function openJobsProcess(
  config: Config,
  logger: Logger,
  options: { waitForDatabase?: boolean; startupAbort?: AbortSignal } = {},
): Promise<JobsProcess> {
  const database = openDatabase(config.databaseUrl);
  database.faults.setLogger(logger);
  try {
    const migrations = options.waitForDatabase
      ? await migrateWhenReachable(database, logger, options.startupAbort)
      : await migrateToLatest(database);
    if (migrations.applied.length > 0) {
      logger.info({ applied: migrations.applied }, 'database migrated');
    }
    const secretKey = resolveSecretKey(config.secretKey, database.dataDir, logger);
    const keys: SecretKeys = { current: secretKey, previous: config.previousSecretKey };
    const amazonClients = createProcessAmazonClients(config, database, logger);
    const jobs = createJobsRuntime({ config, database, logger, keys, clients: amazonClients });
    return {
      config,
      logger,
      database,
      keys,
      amazonClients,
      jobs,
      close: async () => {
        try {
          await jobs.close();
        } finally {
          // The quota figures held in memory (written every CODE2ASIN_QUOTA_FLUSH_MS) go out
          // before the database closes: a stopped process's last requests stay on the dashboard.
          await amazonClients
            .flushQuota()
            .catch((err: unknown) => logger.warn({ err }, 'quota figures not written at stop'));
          await database.close();
        }
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Migrates once the database takes writes: a worker started (or restarted by `serve`) while the
 * disk is full or PostgreSQL is down waits for it (one log line), instead of exiting and being
 * restarted in a loop. Other errors end the process as before. A stop signal meanwhile (`abort`)
 * ends the wait with the signal's reason: the process stops instead of waiting on.
 */
async function migrateWhenReachable(
  database: Database,
  logger: Logger,
  abort?: AbortSignal,
): ReturnType<typeof migrateToLatest> {
  for (let wait = 250, told = false; ; wait = Math.min(2_000, wait * 2)) {
    abort?.throwIfAborted();
    try {
      return await migrateToLatest(database);
    } catch (error) {
      // migrateToLatest wraps the database's error (its cause) in one naming the migration.
      const fault = classifyDatabaseFault(error) ?? classifyDatabaseFault((error as Error).cause);
      if (!fault) throw error;
      if (!told) logger.warn({ fault }, 'waiting for the database before starting the worker');
      told = true;
      await sleep(wait, undefined, { signal: abort });
    }
  }
}
