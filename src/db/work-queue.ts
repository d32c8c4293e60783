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
 * The statement is the dialect's (`DialectAdapter.claimUnits`): concurrent workers never take
 * the same units on either database.
 */
export async function claimUnits(database: Database, req: ClaimRequest): Promise<ClaimedUnit[]> {
  const pick = { ...req, now: nowIso(), leaseUntil: nowIso(req.leaseMs) };
  const result = await database.dialect.claimUnits(pick).execute(database.db);
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
