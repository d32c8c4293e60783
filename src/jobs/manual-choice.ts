import type { Selectable, Transaction } from 'kysely';
import { asinProblem, isValidAsin, normalizeAsin } from '../amazon/asin.js';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB, ResultsTable } from '../db/schema.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import type { Job } from './jobs-repository.js';
import { upsertRule, type StoredMatchingRule } from '../matching/index.js';

/** A result row (one unit of work). */
export type Unit = Selectable<ResultsTable>;

function validAsin(raw: string): string {
  const asin = normalizeAsin(raw);
  if (!isValidAsin(asin)) throw new JobError('invalid_asin', asinProblem(raw), { field: 'asin' });
  return asin;
}

/**
 * A user's choice for one result: an ASIN (a candidate or any valid ASIN) or null for "no
 * match". The result becomes `manual` (confidence 1, reason `manual_choice`), the job's
 * counters move with its status, and the job owner's matching rules remember the choice:
 * `always` for the chosen ASIN, `never` for the ASIN it had (or proposed) when "no match" is
 * chosen. Accepting a proposal (`to_review`) is choosing its `proposed_asin`: it becomes `asin`.
 * One transaction; the cache (`amazon_mappings`) keeps what Amazon said.
 */
export async function chooseResult(
  ctx: JobsContext,
  job: Job,
  resultId: number,
  rawAsin: string | null,
): Promise<{ result: Unit; rules: StoredMatchingRule[] }> {
  const asin = rawAsin === null ? null : validAsin(rawAsin);
  const outcome = await ctx.database.db.transaction().execute(async (trx) => {
    const unit = await trx
      .selectFrom('code2asin_results')
      .selectAll()
      .where('id', '=', resultId)
      .where('job_id', '=', job.id)
      .executeTakeFirst();
    if (!unit) {
      throw new JobError('result_not_found', `Result ${resultId} is not in job ${job.id}.`, {
        job_id: job.id,
        result_id: resultId,
      });
    }
    const updated = await storeChoice(trx, unit, asin);
    await moveCounters(trx, job.id, unit.status, updated.status);
    const rules = await rememberChoice(trx, job.owner, unit, asin);
    return { unit, updated, rules };
  });
  await ctx.createJobLog(job.id, 'INFO', 'Manual choice', {
    result_id: resultId,
    code: outcome.unit.code,
    marketplace: outcome.unit.marketplace,
    from: outcome.unit.asin,
    proposed: outcome.unit.proposed_asin,
    to: asin,
  });
  return { result: outcome.updated, rules: outcome.rules };
}

async function storeChoice(trx: Transaction<DB>, unit: Unit, asin: string | null): Promise<Unit> {
  const updated = await trx
    .updateTable('code2asin_results')
    .set({
      status: asin ? 'found' : 'not_found',
      source: 'manual',
      asin,
      proposed_asin: null,
      match_type: 'manual',
      confidence: 1,
      reasons: toJson(['manual_choice']),
      // The stored product is the previously chosen item's: kept only when it is still the one.
      product:
        asin !== null && (asin === unit.asin || asin === unit.proposed_asin) ? unit.product : null,
      previous_asin: unit.asin,
      error_class: null,
      error_message: null,
      claimed_by: null,
      lease_until: null,
      next_attempt_at: null,
      updated_at: nowIso(),
    })
    .where('id', '=', unit.id)
    // A worker storing its own result meanwhile changes the status: then nothing is stored here.
    .where('status', '=', unit.status)
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    throw new JobError(
      'result_changed',
      `Result ${unit.id} changed meanwhile; send the choice again.`,
      { result_id: unit.id },
    );
  }
  return updated;
}

/** The job's counters after a unit went from `before` to `after` (kept incrementally, as the worker does). */
async function moveCounters(trx: Transaction<DB>, jobId: string, before: string, after: string) {
  const wasOpen = before === 'pending' || before === 'claimed';
  const delta = (status: string) => (after === status ? 1 : 0) - (before === status ? 1 : 0);
  await trx
    .updateTable('code2asin_jobs')
    .set((eb) => ({
      done_count: eb('done_count', '+', wasOpen ? 1 : 0),
      found_count: eb('found_count', '+', delta('found')),
      not_found_count: eb('not_found_count', '+', delta('not_found')),
      to_review_count: eb('to_review_count', '+', delta('to_review')),
      error_count: eb('error_count', '+', delta('error')),
      updated_at: nowIso(),
    }))
    .where('id', '=', jobId)
    .execute();
}

async function rememberChoice(
  trx: Transaction<DB>,
  owner: string,
  unit: Unit,
  asin: string | null,
): Promise<StoredMatchingRule[]> {
  const base = { owner, gtin: unit.gtin, marketplace: unit.marketplace, note: 'manual choice' };
  if (asin) return [await upsertRule(trx, { ...base, asin, rule: 'always' })];
  const refused = unit.asin ?? unit.proposed_asin;
  if (refused) return [await upsertRule(trx, { ...base, asin: refused, rule: 'never' })];
  return [];
}
