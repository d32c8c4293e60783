import {
  AMAZON_ERROR_CODES,
  makesProviderUnusable,
  TRANSIENT_ERROR_CODES,
} from '../amazon/errors.js';
import { nowIso } from '../db/dialect.js';
import type { JobsContext } from './context.js';
import { getJob } from './jobs-repository.js';
import { MAX_RETRIES } from './lifecycle.js';
import { refusalsOf, refusedEndMessage } from './refused-providers.js';

/** Error classes of codes a refusing provider never looked up (the last of a chain). */
const REFUSED_ERROR_CODES = AMAZON_ERROR_CODES.filter(makesProviderUnusable);

/** The original system's retry schedule of a failed job, in minutes. */
export const RETRY_SCHEDULE_MINUTES = [1, 5, 15, 60, 240] as const;

/**
 * Ends a processing job that has nothing pending or claimed left: `completed`, or `failed` when
 * some codes ended on a transient error (then a retry is scheduled on the original schedule
 * while retries remain). The conditional update makes the end happen once, whoever calls it;
 * the end hook (notifications) runs only for the caller that ended it.
 */
export async function completeIfDone(ctx: JobsContext, jobId: string): Promise<boolean> {
  const { db } = ctx.database;
  const open = await db
    .selectFrom('code2asin_results')
    .select('id')
    .where('job_id', '=', jobId)
    .where('status', 'in', ['pending', 'claimed'])
    .limit(1)
    .executeTakeFirst();
  if (open) return false;
  const transient = await countErrors(ctx, jobId, TRANSIENT_ERROR_CODES);
  const refused = await countErrors(ctx, jobId, REFUSED_ERROR_CODES);
  // Codes a refusing provider never looked up fail the job too (so it can be retried once the
  // setting is fixed), but are not retried on the schedule: the same settings would be refused.
  const failed = transient > 0 || refused > 0;
  const job = await getJob(db, jobId);
  const retryIn =
    transient > 0 && job.retry_count < MAX_RETRIES
      ? RETRY_SCHEDULE_MINUTES[job.retry_count]
      : undefined;
  const messages = [
    transient > 0
      ? `${transient} code(s) failed on transient errors${retryIn === undefined ? '; no automatic retry left' : `; automatic retry in ${retryIn} min`}.`
      : null,
    refused > 0 ? refusedEndMessage(refused, await refusalsOf(db, jobId)) : null,
  ].filter((m) => m !== null);
  const now = nowIso();
  const result = await db
    .updateTable('code2asin_jobs')
    .set({
      status: failed ? 'failed' : 'completed',
      completed_at: now,
      updated_at: now,
      next_retry_at: retryIn === undefined ? null : nowIso(retryIn * 60_000),
      error_message: failed ? messages.join(' ') : null,
    })
    .where('id', '=', jobId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  const ended = await getJob(db, jobId);
  await ctx.createJobLog(
    jobId,
    failed ? 'ERROR' : 'INFO',
    failed ? 'Job failed' : 'Job completed',
    {
      counters: ended.counters,
      ...(ended.next_retry_at ? { next_retry_at: ended.next_retry_at } : {}),
    },
  );
  await ctx.onJobEnded?.(ended);
  return true;
}

async function countErrors(
  ctx: JobsContext,
  jobId: string,
  classes: readonly string[],
): Promise<number> {
  const row = await ctx.database.db
    .selectFrom('code2asin_results')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('job_id', '=', jobId)
    .where('status', '=', 'error')
    .where('error_class', 'in', classes)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Failed jobs whose scheduled retry time has come. */
export async function dueRetries(ctx: JobsContext, jobIds?: readonly string[]): Promise<string[]> {
  let q = ctx.database.db
    .selectFrom('code2asin_jobs')
    .select('id')
    .where('status', '=', 'failed')
    .where('next_retry_at', '<=', nowIso())
    .where('retry_count', '<', MAX_RETRIES);
  if (jobIds) q = q.where('id', 'in', [...jobIds]);
  return (await q.execute()).map((r) => r.id);
}
