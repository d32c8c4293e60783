import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, type KyselyConfig } from 'kysely';
import pg from 'pg';
import type { CreateBulkWriter } from './bulk-insert.js';
import {
  postgresAdapter,
  sqliteAdapter,
  type DialectAdapter,
  type DialectKind,
} from './dialect.js';
import { createPostgresBulkWriter } from './postgres-bulk-writer.js';
import type { DB } from './schema.js';
import { createSqliteBulkWriters } from './sqlite-bulk-writer.js';
import { noBlockingLockWait, SQLITE_LOCK_WAIT_MS, WaitingSqliteDialect } from './sqlite-driver.js';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: DialectAdapter;
  readonly kind: DialectKind;
  /** For SQLite files, the folder of the database; for the rest, undefined. */
  readonly dataDir: string | undefined;
  /** Inserts many rows inside a transaction, the fastest way this dialect allows. */
  readonly createBulkWriter: CreateBulkWriter;
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
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const sqlite = new BetterSqlite3(target.file);
    // Takes effect on a new database only (before its first table); an existing one keeps its own.
    sqlite.pragma(`page_size = ${SQLITE_PAGE_SIZE}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // From here on, lock waits are the dialect's, off the event loop (see sqlite-driver.ts).
    noBlockingLockWait(sqlite);
    const db = new Kysely<DB>({
      dialect: new WaitingSqliteDialect({ database: sqlite }),
      log: options.log,
    });
    return {
      db,
      dialect: sqliteAdapter,
      kind: 'sqlite',
      dataDir: target.file === ':memory:' ? undefined : dirname(target.file),
      createBulkWriter: createSqliteBulkWriters(sqlite),
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
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: options.log });
  return {
    db,
    dialect: postgresAdapter,
    kind: 'postgres',
    dataDir: undefined,
    createBulkWriter: createPostgresBulkWriter,
    close: once(() => db.destroy()),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
