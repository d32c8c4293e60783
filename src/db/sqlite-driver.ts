import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';

/** How long a statement waits for another connection's write lock before failing (as busy_timeout did). */
export const SQLITE_LOCK_WAIT_MS = 5000;
/** Longest pause between two tries: short, so a waiter takes the lock soon after it is free. */
const MAX_RETRY_PAUSE_MS = 4;

/**
 * SQLite for Kysely, with two differences from Kysely's own dialect.
 *
 * Transactions take the write lock when they begin (`begin immediate`). A deferred `begin` reads
 * first and becomes a writer at its first write, which fails at once with SQLITE_BUSY ("database
 * is locked", no wait applies) when another process committed in between: with two processes on
 * one file (serve and a worker, two workers) a worker's store of a result failed so several times
 * a minute.
 *
 * A statement that finds the write lock taken waits for it without blocking the event loop: the
 * connection's busy_timeout is 0 and the statement is tried again after a pause of a few ms,
 * up to {@link SQLITE_LOCK_WAIT_MS}. With busy_timeout, better-sqlite3 waited inside the call:
 * while an ingestion thread held the lock, the job worker's process stood still — its rate
 * limiter's timers, its requests in flight — for as long as the lock was held (event-loop stalls
 * of 2–5 s on a loaded machine, bench/upload-during-job.bench.ts). A statement that fails with
 * SQLITE_BUSY has changed nothing, so trying it again is safe.
 */
export class WaitingSqliteDialect extends SqliteDialect {
  private readonly driverConfig: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.driverConfig = config;
  }

  override createDriver(): Driver {
    return new WaitingSqliteDriver(this.driverConfig);
  }
}

class WaitingSqliteDriver extends SqliteDriver {
  private readonly waiting = new WeakMap<DatabaseConnection, DatabaseConnection>();

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    let wrapped = this.waiting.get(connection);
    if (!wrapped) {
      wrapped = waitingConnection(connection);
      this.waiting.set(connection, wrapped);
    }
    return wrapped;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function waitingConnection(connection: DatabaseConnection): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await connection.executeQuery<R>(query);
        } catch (error) {
          if (!isBusy(error) || Date.now() >= deadline) throw error;
          await pause(Math.min(MAX_RETRY_PAUSE_MS, 1 + attempt));
        }
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pragmas of every connection: busy_timeout 0, the waits being {@link WaitingSqliteDialect}'s. */
export function noBlockingLockWait(sqlite: BetterSqlite3.Database): void {
  sqlite.pragma('busy_timeout = 0');
}
