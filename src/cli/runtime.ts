import { loadConfig, type Config } from '../config/env.js';
import { loadAmazonSettings } from '../config/effective-amazon-settings.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import {
  createJobsRuntime,
  createProcessAmazonClients,
  type JobsRuntime,
} from '../jobs/jobs-runtime.js';
import { createLogger, type Logger } from '../logging/logger.js';

export interface CliRuntime {
  config: Config;
  logger: Logger;
  database: Database;
  jobs: JobsRuntime;
  close(): Promise<void>;
}

/**
 * What the `worker` and `map` commands share with `serve`: config, logger (to stderr, so
 * stdout stays for results), migrated database, jobs runtime.
 */
export async function openCliRuntime(options: { logLevel?: string } = {}): Promise<CliRuntime> {
  const config = loadConfig();
  const { pino } = await import('pino');
  const logger = createLogger({
    level: options.logLevel ?? config.logLevel,
    secrets: config.secrets,
    destination: pino.destination(2),
  });
  const database = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database);
    const secretKey = resolveSecretKey(config.secretKey, database.dataDir, logger);
    // The quota is shared with `serve` and the other workers on this database.
    const clients = createProcessAmazonClients(config, database, logger);
    // Stored settings (PUT /api/v1/amazon/config) over the environment, as `serve` reads them:
    // a job waiting for Amazon starts once they are complete.
    const keys = { current: secretKey, previous: config.previousSecretKey };
    const amazonSettings = async () =>
      (await loadAmazonSettings(database.db, config, keys)).settings;
    const jobs = createJobsRuntime({
      config,
      database,
      logger,
      secretKey,
      clients,
      amazonSettings,
    });
    return {
      config,
      logger,
      database,
      jobs,
      close: async () => {
        await jobs.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
