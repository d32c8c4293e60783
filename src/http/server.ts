import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config/env.js';
import { resolveSecretKey } from '../config/secret-key.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { buildApp } from './app.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  /** Stops accepting, finishes in-flight requests, closes the database; idempotent. */
  close(): Promise<void>;
}

/** Owns the process side of the service: config, logger, database, migrations, listen. */
export async function startServer(
  options: { config?: Config; logger?: Logger; port?: number; host?: string } = {},
): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger =
    options.logger ?? createLogger({ level: config.logLevel, secrets: config.secrets });
  const database = openDatabase(config.databaseUrl);
  const cleanups: (() => Promise<void>)[] = [() => database.close()];
  try {
    const migrations = await migrateToLatest(database);
    if (migrations.applied.length > 0) {
      logger.info({ applied: migrations.applied }, 'database migrated');
    }
    resolveSecretKey(config.secretKey, database.dataDir, logger);
    const app = await buildApp({ database, logger });
    cleanups.push(() => app.close());
    const address = await app.listen({
      port: options.port ?? config.port,
      host: options.host ?? config.host,
    });
    let closing: Promise<void> | undefined;
    return {
      app,
      database,
      url: address,
      close: () => (closing ??= runCleanups(cleanups)),
    };
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

/** Runs every cleanup in reverse order, all of them, even when one fails. */
async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'shutdown had errors');
}
