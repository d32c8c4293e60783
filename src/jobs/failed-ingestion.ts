import { sql, type Kysely } from 'kysely';
import { classifyDatabaseFault } from '../db/db-fault.js';
import type { DB } from '../db/schema.js';
import type { JobsContext } from './context.js';
import { deleteJobData } from './jobs-repository.js';

/**
 * Rows or units deleted per transaction while a failed ingestion is removed. Small, so that each
 * transaction needs little room: on a full disk SQLite's WAL must hold every page a delete
 * touches, and removing a 20,000-row leftover in one transaction failed where the space a
 * rolled-back ingestion gave back held a few thousand rows at a time.
 */
const DELETE_BATCH = 2_000;

/** Waits between attempts while the database cannot be written (or reached). */
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000];

/**
 * A half-read input is not a job: removes what its ingestion stored, so an upload that could not
 * be stored whole leaves nothing behind. When the removal itself meets a database fault (the disk
 * that refused the ingestion is still full), it is retried in the background until the database
 * can be written again: the job has no pre-flight report meanwhile and never runs. Should the
 * process stop first, the maintenance sweep removes it (sweepAbandonedIngestions).
 */
export async function removeFailedIngestion(
  ctx: JobsContext,
  jobId: string,
  error: unknown,
): Promise<void> {
  ctx.logger.warn({ jobId, err: error }, 'job input could not be read or stored; removing the job');
  const failure = await deleteIngestedJob(ctx.database.db, jobId).then(
    () => null,
    (e: unknown) => e,
  );
  if (failure === null) return;
  const fault = classifyDatabaseFault(failure);
  if (!fault) {
    ctx.logger.warn(
      { jobId, err: failure },
      'could not remove the half-read job; maintenance will',
    );
    return;
  }
  ctx.logger.warn(
    { jobId, fault },
    `could not remove the half-read job yet (${fault}); retrying until the database can be written`,
  );
  void retryRemoval(ctx, jobId);
}

async function retryRemoval(ctx: JobsContext, jobId: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] ?? 5_000;
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    try {
      await deleteIngestedJob(ctx.database.db, jobId);
      ctx.logger.info({ jobId }, 'removed the half-read job of an upload that was refused');
      return;
    } catch (error) {
      if (classifyDatabaseFault(error)) continue;
      ctx.logger.warn(
        { jobId, err: error },
        'could not remove the half-read job; maintenance will',
      );
      return;
    }
  }
}

/**
 * Deletes a job's units and rows in small transactions, then the job with its logs. Units by
 * their id, rows by their number within the job (the rows table has no id of its own).
 */
export async function deleteIngestedJob(db: Kysely<DB>, jobId: string): Promise<void> {
  const batches = [
    sql`delete from code2asin_results where id in
      (select id from code2asin_results where job_id = ${jobId} limit ${DELETE_BATCH})`,
    sql`delete from code2asin_rows where job_id = ${jobId} and row_number in
      (select row_number from code2asin_rows where job_id = ${jobId} limit ${DELETE_BATCH})`,
  ];
  for (const batch of batches)
    for (;;) {
      const deleted = await batch.execute(db);
      if (Number(deleted.numAffectedRows ?? 0) < DELETE_BATCH) break;
    }
  await deleteJobData(db, jobId);
}
