import { describeMissingSettings, type AmazonReadiness } from '../amazon/readiness.js';
import { nowIso } from '../db/dialect.js';
import type { JobsContext } from './context.js';

/**
 * Moves a started job to `waiting_for_amazon` when the Amazon settings are incomplete: no
 * request has been sent, so the message names the missing settings and never says Amazon
 * refused anything. Returns true when the job now waits.
 */
export async function holdJobForAmazon(
  ctx: JobsContext,
  jobId: string,
  readiness: Pick<AmazonReadiness, 'missing'>,
): Promise<boolean> {
  const message = describeMissingSettings(readiness.missing);
  const result = await ctx.database.db
    .updateTable('code2asin_jobs')
    .set({ status: 'waiting_for_amazon', error_message: message, updated_at: nowIso() })
    .where('id', '=', jobId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await ctx.createJobLog(jobId, 'WARNING', 'Job waiting for Amazon settings', {
    missing: readiness.missing.map((m) => m.variable),
  });
  return true;
}

/**
 * Starts the jobs waiting for Amazon once the settings are complete (the worker calls it on its
 * maintenance timer, so a `PUT /api/v1/amazon/config` or a restart with the variables set is
 * enough). Returns the ids of the jobs started.
 */
export async function releaseWaitingJobs(
  ctx: JobsContext,
  readiness: () => Promise<AmazonReadiness>,
  jobIds?: readonly string[],
): Promise<string[]> {
  let q = ctx.database.db
    .selectFrom('code2asin_jobs')
    .select('id')
    .where('status', '=', 'waiting_for_amazon');
  if (jobIds) q = q.where('id', 'in', [...jobIds]);
  const waiting = await q.execute();
  if (waiting.length === 0) return [];
  const now = await readiness();
  if (!now.ready) return [];
  const started: string[] = [];
  for (const { id } of waiting) {
    const result = await ctx.database.db
      .updateTable('code2asin_jobs')
      .set({
        status: 'processing',
        error_message: null,
        provider: now.provider,
        provider_source: now.source,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .where('status', '=', 'waiting_for_amazon')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) continue;
    started.push(id);
    await ctx.createJobLog(id, 'INFO', 'Amazon settings complete: job started', {
      provider: now.provider,
      source: now.source,
    });
  }
  return started;
}
