import type { JobsContext } from '../../jobs/context.js';
import type { Job } from '../../jobs/jobs-repository.js';
import { normalizeAsin } from '../../amazon/asin.js';
import { fromJson } from '../../db/dialect.js';
import type { StoredMatchingRule } from '../../matching/index.js';
import { HttpError } from '../http-error.js';
import { applyDecisions, decidedAsin, type DecisionAction, type Unit } from './review-decisions.js';

/**
 * `PATCH /jobs/{id}/results/{resultId}`: a person's choice for one result, an ASIN (a candidate or
 * any valid ASIN) or null for "no match". It is a review decision like the review queue's
 * (`review-decisions.ts`): the result becomes `manual`, the counters follow, the decision is in
 * the job's history (`GET …/decisions`, with who made it) and `POST …/decisions/undo` takes it
 * back with the rule it wrote. Unlike the queue, the owner's rule is written unless `remember`
 * is false, as this route always did.
 */
export async function chooseResult(
  ctx: JobsContext,
  job: Job,
  resultId: number,
  choice: { asin: string | null; remember: boolean; decidedBy: string },
): Promise<{ batchId: string; result: Unit; rules: StoredMatchingRule[] }> {
  const outcome = await ctx.database.db.transaction().execute(async (trx) => {
    const unit = await trx
      .selectFrom('code2asin_results')
      .selectAll()
      .where('id', '=', resultId)
      .where('job_id', '=', job.id)
      .executeTakeFirst();
    if (!unit) {
      throw new HttpError(404, 'result_not_found', `Result ${resultId} is not in job ${job.id}.`, {
        job_id: job.id,
        result_id: resultId,
      });
    }
    const action = actionOf(unit, choice.asin);
    const asin = decidedAsin({ unit, action, asin: choice.asin });
    const applied = await applyDecisions(trx, job, [{ unit, action, asin }], {
      remember: choice.remember,
      decidedBy: choice.decidedBy,
      ruleNote: 'manual choice',
    });
    return { unit, asin, ...applied };
  });
  await ctx.createJobLog(job.id, 'INFO', 'Manual choice', {
    result_id: resultId,
    code: outcome.unit.code,
    marketplace: outcome.unit.marketplace,
    from: outcome.unit.asin,
    proposed: outcome.unit.proposed_asin,
    to: outcome.asin,
    batch_id: outcome.batchId,
  });
  return { batchId: outcome.batchId, result: outcome.units[0]!, rules: outcome.rules };
}

/** How the history names the choice: one of the candidates, another ASIN, or no match. */
function actionOf(unit: Unit, raw: string | null): DecisionAction {
  if (raw === null) return 'no_match';
  const asin = normalizeAsin(raw);
  const candidates = fromJson<{ asin?: string }[]>(unit.candidates) ?? [];
  return candidates.some((c) => c.asin === asin) ? 'choose' : 'asin';
}
