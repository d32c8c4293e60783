import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../db/dialect.js';
import type { DB } from '../db/schema.js';

/** Unit statuses: waiting, held by a worker, or resolved one way or another. */
export const UNIT_STATUSES = [
  'pending',
  'claimed',
  'found',
  'to_review',
  'not_found',
  'error',
] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/**
 * Recomputes a job's result counters from its units, in one statement's worth of reads. Used
 * after ingestion and retries; the worker keeps the counters incrementally in between.
 */
export async function recountJob(db: Kysely<DB> | Transaction<DB>, jobId: string): Promise<void> {
  const rows = await db
    .selectFrom('code2asin_results')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
  const found = by.found ?? 0;
  const notFound = by.not_found ?? 0;
  const errors = by.error ?? 0;
  const toReview = by.to_review ?? 0;
  await db
    .updateTable('code2asin_jobs')
    .set({
      done_count: found + notFound + toReview + errors,
      found_count: found,
      not_found_count: notFound,
      to_review_count: toReview,
      error_count: errors,
      updated_at: nowIso(),
    })
    .where('id', '=', jobId)
    .execute();
}
