import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';

/**
 * The one better-sqlite3 handle of a SQLite database, replaced when a fault may have left it
 * unusable. Everything that runs statements on it directly (the bulk writers) reads `current`.
 */
export interface SqliteHandle {
  readonly current: BetterSqlite3.Database;
  /** Times the handle was replaced (the bulk writers drop their prepared statements then). */
  readonly generation: number;
}

/** How long a statement waits for another connection's write lock before failing (as busy_timeout did). */
export const SQLITE_LOCK_WAIT_MS = 5000;
/** Longest pause between two tries: short, so a waiter takes the lock soon after it is free. */
const MAX_RETRY_PAUSE_MS = 4;

/** Error codes after which the handle is closed and opened again before the next statement. */
const REOPEN_AFTER = /^SQLITE_(FULL|IOERR|CANTOPEN|NOMEM|PROTOCOL)/;

/**
 * SQLite through one handle that a fault cannot wedge. Four things it does that Kysely's driver
 * does not:
 * - Transactions take the write lock when they begin (`begin immediate`, waiting for another
 *   process's as below). A deferred `begin` becomes a writer at its first write,
 *   which fails at once with SQLITE_BUSY when another process committed in between.
 * - A rollback is sent only while a transaction is open. On SQLITE_FULL or SQLITE_IOERR, SQLite
 *   may roll the whole transaction back by itself; Kysely's unconditional `rollback` then failed
 *   with "cannot rollback - no transaction is active", and that error replaced the real one
 *   (a full disk then read as an unknown error: 500 `internal_error`, a unit failed).
 * - After an I/O or disk-full error the handle is closed and opened again before the next
 *   statement (statements reset, pager out of its error state), and a transaction the handle
 *   still holds outside Kysely's is rolled back.
 * - A statement that finds the write lock taken waits for it without blocking the event loop:
 *   the handle's busy_timeout is 0 (see {@link noBlockingLockWait}) and the statement is tried
 *   again after a pause of a few ms, up to {@link SQLITE_LOCK_WAIT_MS}. With busy_timeout,
 *   better-sqlite3 waited inside the call: while an ingestion thread held the lock, the job
 *   worker's process stood still — its rate limiter's timers, its requests in flight — for as
 *   long as the lock was held (event-loop stalls of 2–5 s on a loaded machine,
 *   bench/upload-during-job.bench.ts). A statement that fails with SQLITE_BUSY has changed
 *   nothing, so trying it again is safe.
 */
export function createSqliteHandle(file: string, configure: (db: BetterSqlite3.Database) => void) {
  const open = () => {
    const db = new BetterSqlite3(file);
    configure(db);
    return db;
  };
  let db = open();
  let generation = 0;
  let reopenWanted = false;
  const handle = {
    get current() {
      return db;
    },
    get generation() {
      return generation;
    },
    /** Notes a failed statement: the handle is replaced before the next one when needed. */
    failed(error: unknown): void {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && REOPEN_AFTER.test(code)) reopenWanted = true;
    },
    /** Between statements of no transaction: leaves the handle clean, reopening it if asked. */
    settle(): void {
      if (db.inTransaction) rollbackQuietly(db);
      if (!reopenWanted || file === ':memory:') return;
      const fresh = open(); // throws (and keeps the old handle) while the file cannot be opened
      db.close();
      db = fresh;
      generation += 1;
      reopenWanted = false;
    },
    close(): void {
      if (db.open) db.close();
    },
  };
  return handle;
}

export type ManagedSqliteHandle = ReturnType<typeof createSqliteHandle>;

function rollbackQuietly(db: BetterSqlite3.Database): void {
  try {
    db.exec('rollback');
  } catch {
    // Nothing open after all: SQLite ended it between the check and the rollback.
  }
}

export class ManagedSqliteDialect extends SqliteDialect {
  constructor(private readonly handle: ManagedSqliteHandle) {
    // The database is never read from the config: the driver below uses the handle.
    super({ database: handle.current });
  }

  override createDriver(): Driver {
    return new ManagedSqliteDriver(this.handle);
  }
}

class ManagedSqliteDriver implements Driver {
  private readonly mutex = new ConnectionMutex();
  private readonly connection: ManagedSqliteConnection;

  constructor(private readonly handle: ManagedSqliteHandle) {
    this.connection = new ManagedSqliteConnection(handle);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection: the mutex makes callers wait for its release.
    await this.mutex.lock();
    try {
      this.handle.settle();
    } catch (error) {
      this.mutex.unlock();
      throw error;
    }
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.handle.current.inTransaction)
      await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.handle.close();
  }
}

/**
 * Statements kept prepared per handle: the most recently used, by SQL text. Preparing is most of
 * a short statement's cost — in bench/provider-chain.bench.ts the worker's process prepared every
 * claim, store and rate-limit statement again (40 s of CPU in a 4-minute run), and its event loop
 * stood still 19 ms at a time, long enough to make requests leave together (429s).
 */
const PREPARED_KEPT = 500;

class ManagedSqliteConnection implements DatabaseConnection {
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  /** The handle the kept statements belong to: a replaced handle's are dropped with it. */
  private preparedOn: BetterSqlite3.Database | null = null;

  constructor(private readonly handle: ManagedSqliteHandle) {}

  private statement(sql: string): BetterSqlite3.Statement {
    const db = this.handle.current;
    if (this.preparedOn !== db) {
      this.prepared.clear();
      this.preparedOn = db;
    }
    let stmt = this.prepared.get(sql);
    if (stmt) {
      // Least recently used first: a hit moves to the end.
      this.prepared.delete(sql);
    } else {
      stmt = db.prepare(sql);
      if (this.prepared.size >= PREPARED_KEPT)
        this.prepared.delete(this.prepared.keys().next().value as string);
    }
    this.prepared.set(sql, stmt);
    return stmt;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return this.run<R>(compiledQuery);
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await pause(Math.min(MAX_RETRY_PAUSE_MS, 1 + attempt));
      }
    }
  }

  private run<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    try {
      const stmt = this.statement(compiledQuery.sql);
      const parameters = compiledQuery.parameters as unknown[];
      if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      this.handle.failed(error);
      throw error;
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used on SQLite (a half-read statement would hold the file)');
  }
}

class ConnectionMutex {
  private promise: Promise<void> | undefined;
  private resolve: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.promise) await this.promise;
    this.promise = new Promise((resolve) => (this.resolve = resolve));
  }

  unlock(): void {
    const resolve = this.resolve;
    this.promise = undefined;
    this.resolve = undefined;
    resolve?.();
  }
}

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lock waits are the driver's, off the event loop (see {@link createSqliteHandle}). */
export function noBlockingLockWait(sqlite: BetterSqlite3.Database): void {
  sqlite.pragma('busy_timeout = 0');
}
