import type { AmazonClients } from '../amazon/amazon-clients.js';
import type { Config } from '../config/env.js';
import type { SecretKeys } from '../config/provider-settings.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
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
export async function openJobsProcess(config: Config, logger: Logger): Promise<JobsProcess> {
  const database = openDatabase(config.databaseUrl);
  try {
    const migrations = await migrateToLatest(database);
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
          await database.close();
        }
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
