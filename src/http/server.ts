import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config/env.js';
import { reencryptStoredSecrets } from '../config/provider-settings.js';
import type { Database } from '../db/database.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { OutboundClient } from '../net/outbound-request.js';
import { buildApp } from './app.js';
import { openJobsProcess } from '../jobs/jobs-process.js';
import type { JobsRuntime } from '../jobs/jobs-runtime.js';
import { createServeIngestionPool } from '../jobs/ingestion-pool.js';
import { startWorkerProcess } from '../jobs/worker-process.js';
import { ensureAdminToken } from './auth/bootstrap-admin-token.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  /** Stops accepting, finishes in-flight requests, closes the database; idempotent. */
  close(): Promise<void>;
}

/** Owns the process side of the service: config, logger, database, migrations, listen. */
export async function startServer(
  options: {
    config?: Config;
    logger?: Logger;
    port?: number;
    host?: string;
    /** Where the generated admin token is shown, once (default stdout). */
    print?: (line: string, token: string) => void;
    /** The guarded client of review thumbnails (tests: an injected resolver and connector). */
    imageOutbound?: OutboundClient;
  } = {},
): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger =
    options.logger ?? createLogger({ level: config.logLevel, secrets: config.secrets });
  const base = await openJobsProcess(config, logger);
  const { database, keys, amazonClients, jobs } = base;
  const cleanups: (() => Promise<void>)[] = [() => base.close()];
  try {
    const reencrypted = await reencryptStoredSecrets(database.db, keys);
    if (config.previousSecretKey) {
      logger.info(
        { reencrypted },
        `key rotation: ${reencrypted} stored secret(s) re-encrypted with CODE2ASIN_SECRET_KEY; remove CODE2ASIN_PREVIOUS_SECRET_KEY once every process runs with the new key`,
      );
    }
    await ensureAdminToken(database.db, {
      adminToken: config.adminToken,
      logger,
      print: options.print ?? ((line) => process.stdout.write(`${line}\n`)),
    });
    const ingestion = createServeIngestionPool(config, logger);
    const app = await buildApp({
      database,
      logger,
      config,
      secretKey: keys.current,
      previousSecretKey: keys.previous,
      amazonClients,
      jobs: jobs.ctx,
      ingestion: ingestion ?? undefined,
      imageOutbound: options.imageOutbound,
    });
    // The pool stops with the app, not after it: the app's close waits for the requests in
    // flight, and an upload being read would hold it until its whole file was stored.
    cleanups.push(async () => {
      const [appClosed, poolClosed] = await Promise.allSettled([app.close(), ingestion?.close()]);
      for (const r of [appClosed, poolClosed]) if (r.status === 'rejected') throw r.reason;
    });
    // Started after the app: a stop closes the app (no new jobs) before the worker hands back its units.
    startJobWorker(config, database, jobs, logger, cleanups);
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

/**
 * The job worker of `serve` (CODE2ASIN_WORKER): `process` runs `code2asin worker` as a supervised
 * child, so HTTP load on this event loop never delays a request slot; an in-memory SQLite
 * database cannot be shared with a child, so it falls back to `inline`.
 */
function startJobWorker(
  config: Config,
  database: Database,
  jobs: JobsRuntime,
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): void {
  let mode = config.jobs.worker;
  if (mode === 'process' && !database.sharedWithOtherProcesses) {
    logger.warn('CODE2ASIN_WORKER=process needs a database file; running the worker inline');
    mode = 'inline';
  }
  if (mode === 'inline') jobs.startWorker();
  if (mode === 'process') {
    const child = startWorkerProcess({ logger });
    cleanups.push(() => child.close());
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
