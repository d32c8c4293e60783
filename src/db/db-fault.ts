/**
 * Database faults: the errors that say the database cannot be written or reached right now (a
 * full disk, a restarting PostgreSQL), as opposed to a bug or bad data. They are answered with
 * 503 and a code, the worker backs off on them instead of failing units, and they are logged
 * once per episode instead of a stack per request.
 */
export type DatabaseFaultCode = 'disk_full' | 'database_unavailable';

/** A fault passed on as such (across the ingestion thread boundary, or raised by a guard). */
export class DatabaseFaultError extends Error {
  override readonly name = 'DatabaseFaultError';
  constructor(
    readonly code: DatabaseFaultCode,
    message: string,
    override readonly cause?: unknown,
    /** What the answer shows beside the message (free and needed space of a refused upload). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** SQLite result codes (better-sqlite3 `SqliteError.code`, extended codes included). */
const SQLITE_DISK_FULL = new Set(['SQLITE_FULL']);
const SQLITE_UNAVAILABLE = /^SQLITE_(IOERR|BUSY|LOCKED|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

/** Node socket errors met while connecting to PostgreSQL. */
const SOCKET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (shut down, crash, cannot
 * connect now), 53100 disk full and 53xxx insufficient resources.
 */
function postgresFault(sqlState: string): DatabaseFaultCode | null {
  if (sqlState === '53100') return 'disk_full';
  if (sqlState.startsWith('08') || sqlState.startsWith('57P') || sqlState.startsWith('53'))
    return 'database_unavailable';
  return null;
}

/**
 * pg raises a connection that ends under a query as a plain Error without a code (pg 8:
 * "Connection terminated unexpectedly", "Connection terminated", "Client has encountered a
 * connection error and is not queryable"). These are the only errors read by their text: pg
 * gives nothing else to tell them by.
 */
const PG_CONNECTION_LOST =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/** Which fault an error is, or null when it is not one (a bug, a constraint, bad data). */
export function classifyDatabaseFault(error: unknown): DatabaseFaultCode | null {
  if (error instanceof DatabaseFaultError) return error.code;
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_DISK_FULL.has(code)) return 'disk_full';
    if (SQLITE_UNAVAILABLE.test(code)) return 'database_unavailable';
    if (SOCKET_UNAVAILABLE.has(code)) return 'database_unavailable';
    if (/^[0-9A-Z]{5}$/.test(code)) return postgresFault(code);
  }
  if (code === undefined && PG_CONNECTION_LOST.test(error.message)) return 'database_unavailable';
  // pg connecting to every address of a host (::1 and 127.0.0.1), each refused. Other causes
  // are not followed: an Amazon network error wraps a socket error that is no database fault.
  if (error instanceof AggregateError)
    return error.errors.map(classifyDatabaseFault).find((c) => c !== null) ?? null;
  return null;
}

/** What the API and the logs say for a fault: what happened and what to do. */
export function describeDatabaseFault(code: DatabaseFaultCode): string {
  return code === 'disk_full'
    ? 'The database cannot store anything: the disk holding it is full. Nothing was changed; free space on that volume (the service resumes by itself within seconds) and retry.'
    : 'The database cannot be reached right now (restarting, stopped, or its connections refused). Nothing was changed; retry in a few seconds, and check the database server if it lasts.';
}

/** Seconds a client should wait before retrying during a fault. */
export const FAULT_RETRY_AFTER_SECONDS = 5;
