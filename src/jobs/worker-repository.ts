import { sql, type Kysely } from 'kysely';
import { fromJson, nowIso } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import type { JobOptions } from './job-options.js';
import type { JobStatus } from './job-status.js';

/**
 * Running jobs in the order the worker serves them: never served first, then the one served
 * least recently (round robin, so a small job is never stuck behind a large one), then oldest.
 */
export async function jobsToServe(
  db: Kysely<DB>,
  options: { jobIds?: readonly string[]; limit: number },
): Promise<string[]> {
  let q = db
    .selectFrom('code2asin_jobs')
    .select('id')
    .where('status', '=', 'processing')
    // Never-served jobs first on both dialects (NULL sorts first on SQLite, last on PostgreSQL).
    .orderBy(sql`last_claimed_at is not null`)
    .orderBy('last_claimed_at', 'asc')
    .orderBy('created_at', 'asc')
    .limit(options.limit);
  if (options.jobIds) q = q.where('id', 'in', [...options.jobIds]);
  return (await q.execute()).map((r) => r.id);
}

/** Records that a worker just claimed from this job (it goes to the back of the round robin). */
export async function markJobServed(db: Kysely<DB>, jobId: string): Promise<void> {
  await db
    .updateTable('code2asin_jobs')
    .set({ last_claimed_at: nowIso() })
    .where('id', '=', jobId)
    .execute();
}

/**
 * What the worker needs of a job besides its units: its owner (rules), options (images) and
 * marketplaces (batch sizes).
 */
export async function jobOwnerAndOptions(
  db: Kysely<DB>,
  jobId: string,
): Promise<{ owner: string; options: JobOptions; marketplaces: string[] }> {
  const row = await db
    .selectFrom('code2asin_jobs')
    .select(['owner', 'options', 'marketplaces'])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return {
    owner: row.owner,
    options: fromJson<JobOptions>(row.options) as JobOptions,
    marketplaces: fromJson<string[]>(row.marketplaces) ?? [],
  };
}

/** The current status of each of these jobs (a deleted job is absent). */
export async function jobStatuses(
  db: Kysely<DB>,
  jobIds: readonly string[],
): Promise<Map<string, JobStatus>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('code2asin_jobs')
    .select(['id', 'status'])
    .where('id', 'in', [...jobIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r.status as JobStatus]));
}
