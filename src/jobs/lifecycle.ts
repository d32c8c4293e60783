import { nowIso } from '../db/dialect.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import { assertTransition, TRANSITIONS, type JobAction, type JobStatus } from './job-status.js';
import { deleteJobData, getJob, type Job } from './jobs-repository.js';
import { recountJob } from './recount-job.js';
import { forgetRefusals } from './refused-providers.js';

/** Most retries of one job before `reset_retry_counter` is needed. */
export const MAX_RETRIES = 5;

export interface ActionOptions {
  /** When set, only this owner's job is visible (admins pass null). */
  owner?: string | null;
  /** For `retry`: start the retry counter again. */
  resetRetryCounter?: boolean;
  /** Message stored with the job (why it was paused, say). */
  message?: string | null;
}

/**
 * Applies a lifecycle action: checks the transition, then changes the status with a conditional
 * update so that two concurrent actions cannot both succeed. Returns the job as it is after.
 */
export async function applyJobAction(
  ctx: JobsContext,
  jobId: string,
  action: Exclude<JobAction, 'delete'>,
  options: ActionOptions = {},
): Promise<Job> {
  const job = await getJob(ctx.database.db, jobId, options.owner);
  assertTransition(job.id, job.status, action);
  if (job.preflight === null && action !== 'cancel') {
    // Still being read, or a leftover of a process that stopped while reading it: running it
    // would map part of the file and call it complete.
    throw new JobError(
      'illegal_transition',
      `Cannot ${action} job ${job.id}: its input has not been completely read. If it is not being uploaded right now, delete it and create the job again.`,
      { status: job.status, action, allowed: ['cancel', 'delete'] },
    );
  }
  if (action === 'retry') return retryJob(ctx, job, options);
  const to = TRANSITIONS[action].to as JobStatus;
  const now = nowIso();
  const result = await ctx.database.db
    .updateTable('code2asin_jobs')
    .set({
      status: to,
      updated_at: now,
      ...(to === 'processing' && !job.started_at ? { started_at: now } : {}),
      ...(to === 'cancelled' ? { completed_at: now } : {}),
      ...(action === 'resume' || action === 'start' ? { error_message: null } : {}),
      ...(options.message !== undefined ? { error_message: options.message } : {}),
    })
    .where('id', '=', job.id)
    .where('status', 'in', [...TRANSITIONS[action].from])
    .$if(action !== 'cancel', (q) => q.where('preflight', 'is not', null))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return raceLost(ctx, job.id, action, options.owner);
  // Settings may have been fixed meanwhile: a resumed job asks the providers that refused it again.
  if (action === 'resume') await forgetRefusals(ctx.database.db, job.id);
  await ctx.createJobLog(job.id, 'INFO', `Job ${actionPast(action)}`, {
    from: job.status,
    to,
    ...(options.message ? { message: options.message } : {}),
  });
  const after = await getJob(ctx.database.db, job.id);
  if (to === 'cancelled') await ctx.onJobEnded?.(after);
  return after;
}

async function retryJob(ctx: JobsContext, job: Job, options: ActionOptions): Promise<Job> {
  const retries = options.resetRetryCounter ? 0 : job.retry_count;
  if (retries >= MAX_RETRIES) {
    throw new JobError(
      'retry_limit_reached',
      `Job ${job.id} was retried ${retries} times already (the maximum is ${MAX_RETRIES}). Retry with reset_retry_counter=true to start counting again.`,
      { retry_count: retries, max: MAX_RETRIES },
    );
  }
  const now = nowIso();
  const done = await ctx.database.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('code2asin_jobs')
      .set({
        status: 'processing',
        retry_count: retries + 1,
        next_retry_at: null,
        error_message: null,
        completed_at: null,
        updated_at: now,
      })
      .where('id', '=', job.id)
      .where('status', 'in', ['failed', 'cancelled'])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('code2asin_results')
      .set({
        status: 'pending',
        attempts: 0,
        next_attempt_at: null,
        error_class: null,
        error_message: null,
        updated_at: now,
      })
      .where('job_id', '=', job.id)
      .where('status', '=', 'error')
      .execute();
    await recountJob(trx, job.id);
    await forgetRefusals(trx, job.id);
    return true;
  });
  if (!done) return raceLost(ctx, job.id, 'retry', options.owner);
  await ctx.createJobLog(job.id, 'INFO', 'Job retried', {
    retry_count: retries + 1,
    reset: !!options.resetRetryCounter,
  });
  return getJob(ctx.database.db, job.id);
}

/** Deletes a job with its rows, results and logs; refused while it is processing. */
export async function deleteJob(
  ctx: JobsContext,
  jobId: string,
  owner?: string | null,
): Promise<void> {
  const job = await getJob(ctx.database.db, jobId, owner);
  assertTransition(job.id, job.status, 'delete');
  const deleted = await deleteJobData(ctx.database.db, job.id, { notStatus: 'processing' });
  if (!deleted) await raceLost(ctx, job.id, 'delete', owner);
}

/** Another action changed the job between our read and our update: report its new state. */
async function raceLost(
  ctx: JobsContext,
  id: string,
  action: JobAction,
  owner?: string | null,
): Promise<never> {
  const now = await getJob(ctx.database.db, id, owner);
  assertTransition(id, now.status, action);
  throw new JobError(
    'illegal_transition',
    `Job ${id} changed while ${action} was applied; try again.`,
    {
      status: now.status,
      action,
    },
  );
}

function actionPast(action: JobAction): string {
  return {
    start: 'started',
    pause: 'paused',
    resume: 'resumed',
    cancel: 'cancelled',
    retry: 'retried',
    delete: 'deleted',
  }[action];
}
