import { mkdirSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, type KyselyConfig } from 'kysely';
import pg from 'pg';
import type { CreateBulkWriter } from './bulk-insert.js';
import {
  postgresAdapter,
  sqliteAdapter,
  type DialectAdapter,
  type DialectKind,
} from './dialect.js';
import { createDatabaseFaultMonitor, type DatabaseFaultMonitor } from './fault-monitor.js';
import { withFaultTracking } from './fault-tracking-dialect.js';
import { createPostgresBulkWriter } from './postgres-bulk-writer.js';
import type { DB } from './schema.js';
import { createSqliteBulkWriters } from './sqlite-bulk-writer.js';
import { createSqliteHandle, ManagedSqliteDialect, noBlockingLockWait } from './sqlite-driver.js';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: DialectAdapter;
  readonly kind: DialectKind;
  /** For SQLite files, the folder of the database; for the rest, undefined. */
  readonly dataDir: string | undefined;
  /** Whether another process can open this database (not an in-memory SQLite database). */
  readonly sharedWithOtherProcesses: boolean;
  /** Inserts many rows inside a transaction, the fastest way this dialect allows. */
  readonly createBulkWriter: CreateBulkWriter;
  /** Whether the database can be written and reached, from the statements this process ran. */
  readonly faults: DatabaseFaultMonitor;
  close(): Promise<void>;
}

export interface SqliteTarget {
  kind: 'sqlite';
  file: string;
}
export interface PostgresTarget {
  kind: 'postgres';
  url: string;
}

/** Parses DATABASE_URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://…`. */
export function parseDatabaseUrl(url: string): SqliteTarget | PostgresTarget {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (rest === ':memory:' || rest === '') return { kind: 'sqlite', file: ':memory:' };
    return { kind: 'sqlite', file: resolve(rest) };
  }
  throw new Error(
    `DATABASE_URL "${url.split('@').pop()}" is neither sqlite: nor postgres://; use sqlite:./data/code2asin.db or postgres://user:pass@host/db`,
  );
}

// PostgreSQL values are read back in the same portable shapes as SQLite's (see schema.ts):
// int8 → number, timestamps → ISO strings, json/jsonb → JSON text.
const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case 20: // int8
      case 1700: // numeric
        return (v: string) => Number(v);
      case 1184: // timestamptz
      case 1114: // timestamp
        return parsePgTimestamp;
      case 114: // json
      case 3802: // jsonb
        return (v: string) => v;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
};

/** `2026-11-27 16:30:00.123+00` (PostgreSQL text output) → `2026-11-27T16:30:00.123Z`. */
function parsePgTimestamp(v: string): string {
  let iso = v.replace(' ', 'T');
  if (/[+-]\d\d$/.test(iso)) iso = `${iso}:00`;
  else if (!/(Z|[+-]\d\d:?\d\d)$/.test(iso)) iso = `${iso}Z`;
  return new Date(iso).toISOString();
}

/** Opens the database named by DATABASE_URL. Importing this module opens nothing. */
/**
 * Page size of a new SQLite database. 16 KiB pages instead of SQLite's 4 KiB: a job's ingestion
 * writes a million rows and units in large transactions, and with 4 times fewer pages (and
 * checkpoints, counted in pages) 1,000,000 rows took 10.2–11.7 s against 12.4–13.5 s. A worker's
 * store of one result writes a few more bytes to the WAL; at Amazon's rates that is nothing.
 */
const SQLITE_PAGE_SIZE = 16_384;

export function openDatabase(
  url: string,
  options: {
    poolSize?: number;
    /** PostgreSQL: how long a query waits for a free pool connection before failing (default: no limit). */
    connectionTimeoutMs?: number;
    onPoolError?: (error: Error) => void;
    log?: KyselyConfig['log'];
  } = {},
): Database {
  const target = parseDatabaseUrl(url);
  const faults = createDatabaseFaultMonitor();
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const handle = createSqliteHandle(target.file, configureSqlite);
    const db = new Kysely<DB>({
      dialect: withFaultTracking(new ManagedSqliteDialect(handle), faults),
      log: options.log,
    });
    return {
      db,
      dialect: sqliteAdapter,
      kind: 'sqlite',
      dataDir: target.file === ':memory:' ? undefined : dirname(target.file),
      sharedWithOtherProcesses: target.file !== ':memory:',
      createBulkWriter: createSqliteBulkWriters(handle),
      faults,
      close: once(() => db.destroy()),
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 0,
    types: PG_TYPES,
    options: '-c TimeZone=UTC',
  });
  // An idle client whose connection dies (server restart, admin termination) emits 'error' on
  // the pool; pg then drops it and connects anew. Unhandled, that event would crash the process.
  // A checked-out client whose connection dies (server stopped or restarted) emits 'error' with
  // no listener of the pool's on it: an uncaught exception that ended the worker with exit code 1.
  // Every client keeps this listener; the pool drops the dead client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => faults.failed(error));
  });
  pool.on('error', (error) => {
    faults.failed(error);
    options.onPoolError?.(error);
  });
  const db = new Kysely<DB>({
    dialect: withFaultTracking(new PostgresDialect({ pool }), faults),
    log: options.log,
  });
  return {
    db,
    dialect: postgresAdapter,
    kind: 'postgres',
    dataDir: undefined,
    sharedWithOtherProcesses: true,
    createBulkWriter: createPostgresBulkWriter,
    faults,
    close: once(() => db.destroy()),
  };
}

/**
 * Settings of every SQLite handle (also when one is opened again after a fault).
 *
 * The WAL is checkpointed before it outgrows an eighth of the free space, and truncated after a
 * checkpoint. With SQLite's default of a checkpoint every 1,000 pages (16 MB at 16 KiB pages) a
 * database on a small volume never checkpointed: on a 12 MB filesystem the WAL took the whole
 * volume within seconds of a job, and a checkpoint then needed room in the database file that
 * the WAL held, so every write failed with SQLITE_FULL for good, even after space was freed.
 */
function configureSqlite(sqlite: BetterSqlite3.Database): void {
  // Takes effect on a new database only (before its first table); an existing one keeps its own.
  sqlite.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // Lock waits are the driver's, off the event loop (see sqlite-driver.ts).
  noBlockingLockWait(sqlite);
  const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
  const pages = walCheckpointPages(sqlite.name, pageSize);
  sqlite.pragma(`wal_autocheckpoint = ${pages}`);
  sqlite.pragma(`journal_size_limit = ${pages * pageSize}`);
}

/** Checkpoint threshold in pages: 1,000 (SQLite's default), less on a volume with little room. */
function walCheckpointPages(file: string, pageSize: number): number {
  if (file === ':memory:' || file === '') return 1000;
  try {
    const fs = statfsSync(dirname(file));
    const free = fs.bavail * fs.bsize;
    return Math.max(16, Math.min(1000, Math.floor(free / 8 / pageSize)));
  } catch {
    return 1000;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
