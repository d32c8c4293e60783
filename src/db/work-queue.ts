import { sql, type Selectable } from 'kysely';
import type { Database } from './database.js';
import { nowIso } from './dialect.js';
import type { ResultsTable } from './schema.js';

export type ClaimedUnit = Selectable<ResultsTable>;

export interface ClaimRequest {
  jobId: string;
  workerId: string;
  limit: number;
  leaseMs: number;
  /** Only units waiting for these steps of the job's provider chain (absent: any step). */
  steps?: readonly number[];
}

/**
 * Claims up to `limit` pending units of a job in one statement, with a lease (who, until when).
 * This is part of the dialect seam: PostgreSQL selects in id order `FOR UPDATE SKIP LOCKED`, so
 * concurrent workers never wait on or take the same units; SQLite has a single writer, so one
 * `UPDATE … RETURNING` that re-checks the status is atomic.
 */
export async function claimUnits(database: Database, req: ClaimRequest): Promise<ClaimedUnit[]> {
  const now = nowIso();
  const leaseUntil = nowIso(req.leaseMs);
  const steps =
    req.steps === undefined ? sql`` : sql`and chain_step in (${sql.join([...req.steps])})`;
  // PostgreSQL: the pick is a CTE so it runs once. As an `IN (subquery)` the planner may run the
  // subquery again per row, and with SKIP LOCKED each run picks other rows: far more than
  // `limit` units got claimed (measured: 60 for a limit of 2).
  const result =
    database.kind === 'postgres'
      ? await sql<ClaimedUnit>`
    with picked as (
      select id from code2asin_results
       where job_id = ${req.jobId} and status = 'pending'
         and (next_attempt_at is null or next_attempt_at <= ${now}) ${steps}
       order by id
       limit ${req.limit}
       for update skip locked)
    update code2asin_results r
       set status = 'claimed', claimed_by = ${req.workerId}, lease_until = ${leaseUntil}, updated_at = ${now}
      from picked
     where r.id = picked.id
    returning r.*`.execute(database.db)
      : await sql<ClaimedUnit>`
    update code2asin_results
       set status = 'claimed', claimed_by = ${req.workerId}, lease_until = ${leaseUntil}, updated_at = ${now}
     where id in (
       select id from code2asin_results
        where job_id = ${req.jobId} and status = 'pending'
          and (next_attempt_at is null or next_attempt_at <= ${now}) ${steps}
        order by id
        limit ${req.limit})
       and status = 'pending'
    returning *`.execute(database.db);
  return [...result.rows].sort((a, b) => a.id - b.id);
}

/** Hands units a worker holds back to the queue (pause, cancel, shutdown). */
export async function releaseUnits(
  database: Database,
  workerId: string,
  ids: readonly number[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await database.db
    .updateTable('code2asin_results')
    .set({ status: 'pending', claimed_by: null, lease_until: null, updated_at: nowIso() })
    .where('id', 'in', [...ids])
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Extends the leases of the units a worker still holds (waiting for a request slot, or with a
 * request in flight), so that a wait longer than the lease never hands them to another claim:
 * that would send the same request twice. Resolves to the units renewed.
 */
export async function renewLeases(
  database: Database,
  workerId: string,
  ids: readonly number[],
  leaseMs: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await database.db
    .updateTable('code2asin_results')
    .set({ lease_until: nowIso(leaseMs) })
    .where('id', 'in', [...ids])
    .where('status', '=', sql.lit('claimed'))
    .where('claimed_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Expired leases go back to pending: a killed worker loses nothing. */
export async function sweepExpiredLeases(database: Database): Promise<number> {
  const result = await database.db
    .updateTable('code2asin_results')
    .set({ status: 'pending', claimed_by: null, lease_until: null, updated_at: nowIso() })
    // A literal, not a parameter: the lease index is partial (`where status = 'claimed'`) and a
    // planner can only use it when it sees the value.
    .where('status', '=', sql.lit('claimed'))
    .where('lease_until', '<', nowIso())
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
