import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type RawBuilder } from 'kysely';
import type { Selectable } from 'kysely';
import type { ResultsTable } from './schema.js';

export type DialectKind = 'sqlite' | 'postgres';

type Sql = RawBuilder<unknown>;

/** What a claim picks: a job's pending units that are due, in id order, and who holds them. */
export interface ClaimPick {
  jobId: string;
  workerId: string;
  limit: number;
  /** "Now" as stored (ISO-8601): units due at or before it. */
  now: string;
  leaseUntil: string;
  /** Only units at these steps of the job's provider chain (all when absent). */
  steps?: readonly number[];
}

/** The chain-step filter of a claim (empty when every step may be claimed). */
function stepsFilter(p: ClaimPick): Sql {
  return p.steps === undefined ? sql`` : sql`and chain_step in (${sql.join([...p.steps])})`;
}

/**
 * The one seam for SQLite/PostgreSQL differences. Every other module is dialect-agnostic and
 * asks this object when a difference matters: column types in migrations, claiming work, the
 * database's clock, `greatest`, how writers lock. `kind` is for logs and tests, not branches
 * (one exception: migrations that rebuilt a table differently per dialect, README "Module map").
 */
export interface DialectAdapter {
  readonly kind: DialectKind;
  /** Column type of JSON columns: `jsonb` on PostgreSQL, `text` on SQLite. */
  readonly jsonType: ColumnDataType;
  /** Column type of timestamps: `timestamptz` on PostgreSQL, ISO-8601 `text` on SQLite. */
  readonly timestampType: ColumnDataType;
  /** Column type of large integers (epoch milliseconds). */
  readonly bigintType: ColumnDataType;
  /** Column type of floating-point numbers. */
  readonly realType: ColumnDataType;
  /** Adds an auto-increment primary key to a column. */
  autoIncrementPrimaryKey(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /**
   * One writer for the whole database (SQLite): a write transaction holds the one write lock,
   * so long writes go in small pieces and a transaction takes the lock by writing first. False
   * when writers lock rows (PostgreSQL): two connections write at once, `for update` locks a row.
   */
  readonly singleWriter: boolean;
  /**
   * A server that processes on other machines reach (PostgreSQL), not a file of this machine
   * (SQLite): the volume holding its files is not this machine's to measure, and workers sharing
   * a credential may run anywhere.
   */
  readonly remoteServer: boolean;
  /**
   * The locking clause of a `select` that holds the selected row against deletion until the
   * transaction ends, while other transactions may still update it: `for key share` on
   * PostgreSQL. Empty on SQLite: a transaction that has written holds the one write lock, so no
   * delete runs before it commits.
   */
  lockAgainstDelete(): Sql;
  /** Seconds since the epoch (fractional) of a timestamp column. */
  epochSeconds(column: Sql): RawBuilder<number>;
  /** One statement returning `bytes`: the space the database takes, as its engine reports it. */
  databaseSizeBytes(): RawBuilder<{ bytes: number | string }>;
  /** A number bound as a floating-point value (so arithmetic on it is never integer division). */
  real(value: number): Sql;
  /** The database's clock in epoch milliseconds, read when evaluated (after any lock wait). */
  epochMsNow(): Sql;
  /** The largest of the values (`greatest` on PostgreSQL, the scalar `max` on SQLite). */
  greatest(...values: Sql[]): Sql;
  /** `value` divided by `divisor`, rounded down to an integer (e.g. epoch ms → day number). */
  floorDiv(value: Sql, divisor: number): Sql;
  /**
   * One statement that claims the pick (`status` → `claimed`, holder, lease) and returns the
   * claimed rows; concurrent claims never take the same unit.
   */
  claimUnits(pick: ClaimPick): RawBuilder<Selectable<ResultsTable>>;
}

/** PostgreSQL's clock_timestamp() moves within a statement; statement_timestamp() would not,
 * but it predates a wait for a row's lock, so a statement that waited would be dated too early. */
const PG_EPOCH_MS = sql`(extract(epoch from clock_timestamp()) * 1000)::double precision`;
const SQLITE_EPOCH_MS = sql`(unixepoch('subsec') * 1000.0)`;

/** SQLite has a single writer, so one `UPDATE … RETURNING` that re-checks the status is atomic. */
function sqliteClaim(p: ClaimPick): RawBuilder<Selectable<ResultsTable>> {
  return sql<Selectable<ResultsTable>>`
    update code2asin_results
       set status = 'claimed', claimed_by = ${p.workerId}, lease_until = ${p.leaseUntil}, updated_at = ${p.now}
     where id in (
       select id from code2asin_results
        where job_id = ${p.jobId} and status = 'pending'
          and (next_attempt_at is null or next_attempt_at <= ${p.now}) ${stepsFilter(p)}
        order by id
        limit ${p.limit})
       and status = 'pending'
    returning *`;
}

/**
 * PostgreSQL selects in id order `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on
 * or take the same units. The pick is a CTE so it runs once: as an `IN (subquery)` the planner
 * may run the subquery again per row, and with SKIP LOCKED each run picks other rows (measured:
 * 60 units claimed for a limit of 2).
 */
function postgresClaim(p: ClaimPick): RawBuilder<Selectable<ResultsTable>> {
  return sql<Selectable<ResultsTable>>`
    with picked as (
      select id from code2asin_results
       where job_id = ${p.jobId} and status = 'pending'
         and (next_attempt_at is null or next_attempt_at <= ${p.now}) ${stepsFilter(p)}
       order by id
       limit ${p.limit}
       for update skip locked)
    update code2asin_results r
       set status = 'claimed', claimed_by = ${p.workerId}, lease_until = ${p.leaseUntil}, updated_at = ${p.now}
      from picked
     where r.id = picked.id
    returning r.*`;
}

export const sqliteAdapter: DialectAdapter = Object.freeze({
  kind: 'sqlite',
  jsonType: 'text',
  timestampType: 'text',
  bigintType: 'integer',
  realType: 'real',
  autoIncrementPrimaryKey: (col: ColumnDefinitionBuilder) => col.primaryKey().autoIncrement(),
  singleWriter: true,
  remoteServer: false,
  lockAgainstDelete: () => sql``,
  epochSeconds: (column: Sql) => sql<number>`unixepoch(${column}, 'subsec')`,
  databaseSizeBytes: () =>
    sql<{
      bytes: number;
    }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`,
  real: (value: number) => sql`cast(${value} as real)`,
  epochMsNow: () => SQLITE_EPOCH_MS,
  greatest: (...values: Sql[]) => sql`max(${sql.join(values)})`,
  floorDiv: (value: Sql, divisor: number) => sql`cast(${value} / ${divisor} as integer)`,
  claimUnits: sqliteClaim,
});

export const postgresAdapter: DialectAdapter = Object.freeze({
  kind: 'postgres',
  jsonType: 'jsonb',
  timestampType: 'timestamptz',
  bigintType: 'bigint',
  realType: 'double precision',
  autoIncrementPrimaryKey: (col: ColumnDefinitionBuilder) =>
    col.primaryKey().generatedByDefaultAsIdentity(),
  singleWriter: false,
  remoteServer: true,
  lockAgainstDelete: () => sql`for key share`,
  epochSeconds: (column: Sql) => sql<number>`extract(epoch from ${column})`,
  databaseSizeBytes: () =>
    sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`,
  real: (value: number) => sql`cast(${value} as double precision)`,
  epochMsNow: () => PG_EPOCH_MS,
  greatest: (...values: Sql[]) => sql`greatest(${sql.join(values)})`,
  floorDiv: (value: Sql, divisor: number) => sql`floor(${value} / ${divisor})`,
  claimUnits: postgresClaim,
});

/** JSON for a JSON column (both dialects take text). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Parses a JSON column as read back (text on both dialects). */
export function fromJson<T>(text: string | null | undefined): T | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as T;
}

/** The current time as stored: ISO-8601 UTC with milliseconds (sorts as text on SQLite). */
export function nowIso(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString();
}
