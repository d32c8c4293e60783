import type { Kysely, Transaction } from 'kysely';
import { fromJson, nowIso } from '../../db/dialect.js';
import type { DB } from '../../db/schema.js';
import { HttpError } from '../http-error.js';
import {
  moveCounters,
  restoreRules,
  writeState,
  type ResultState,
  type RuleChange,
  type Unit,
} from './review-decisions.js';

/**
 * Undoes the job's latest batch of decisions that is not undone yet (a bulk decision is one
 * batch), in one transaction: each result gets back its state from before, the counters follow,
 * the rules the batch wrote are put back. `batchId`, when given, must be that latest batch.
 * A result changed since the decision answers 409 and nothing is undone.
 */
export async function undoLatestBatch(
  db: Kysely<DB>,
  jobId: string,
  batchId?: string,
): Promise<{ batch_id: string; undone: number; result_ids: number[]; restored: Unit[] }> {
  return db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('code2asin_decisions')
      .select('batch_id')
      .where('job_id', '=', jobId)
      .where('undone_at', 'is', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest) {
      throw new HttpError(409, 'nothing_to_undo', 'No decision of this job is left to undo.', {
        job_id: jobId,
      });
    }
    if (batchId !== undefined && batchId !== latest.batch_id) {
      throw new HttpError(
        409,
        'not_latest_decision',
        'Only the latest decision can be undone; undo the later ones first.',
        { latest_batch_id: latest.batch_id },
      );
    }
    const restored = await undoBatch(trx, jobId, latest.batch_id);
    const ids = restored.map((u) => u.id);
    return { batch_id: latest.batch_id, undone: ids.length, result_ids: ids, restored };
  });
}

async function undoBatch(trx: Transaction<DB>, jobId: string, batchId: string): Promise<Unit[]> {
  const decisions = await trx
    .selectFrom('code2asin_decisions')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('batch_id', '=', batchId)
    .orderBy('id', 'desc')
    .execute();
  const moves = new Map<string, number>();
  const at = nowIso();
  const restored: Unit[] = [];
  for (const d of decisions) {
    const unit = await trx
      .selectFrom('code2asin_results')
      .selectAll()
      .where('id', '=', d.result_id)
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    if (!unit || unit.match_type !== 'manual' || unit.asin !== d.asin) {
      throw new HttpError(
        409,
        'decision_superseded',
        `Result ${d.result_id} changed after this decision; it cannot be undone.`,
        { result_id: d.result_id },
      );
    }
    const before = fromJson<ResultState>(d.before);
    if (!before) throw new Error(`decision ${d.id} has no state to restore`);
    restored.push(await writeState(trx, unit, before, at));
    moves.set(unit.status, (moves.get(unit.status) ?? 0) - 1);
    moves.set(before.status, (moves.get(before.status) ?? 0) + 1);
    await restoreRules(trx, fromJson<RuleChange[]>(d.rule_ids) ?? []);
  }
  await moveCounters(trx, jobId, moves);
  await trx
    .updateTable('code2asin_decisions')
    .set({ undone_at: at })
    .where('job_id', '=', jobId)
    .where('batch_id', '=', batchId)
    .execute();
  return restored;
}

/** A page of a job's decisions, newest first (keyset: `before` an id). */
export async function listDecisions(
  db: Kysely<DB>,
  jobId: string,
  page: { per_page: number; before?: number },
) {
  let query = db
    .selectFrom('code2asin_decisions as d')
    .innerJoin('code2asin_results as r', 'r.id', 'd.result_id')
    .select([
      'd.id',
      'd.batch_id',
      'd.result_id',
      'd.action',
      'd.asin',
      'd.before',
      'd.decided_by',
      'd.created_at',
      'd.undone_at',
      'r.code',
      'r.marketplace',
    ])
    .where('d.job_id', '=', jobId);
  if (page.before !== undefined) query = query.where('d.id', '<', page.before);
  const rows = await query.orderBy('d.id', 'desc').limit(page.per_page).execute();
  const last = rows.at(-1);
  return {
    items: rows.map((r) => ({
      id: r.id,
      batch_id: r.batch_id,
      result_id: r.result_id,
      code: r.code,
      marketplace: r.marketplace,
      action: r.action,
      asin: r.asin,
      previous_asin: fromJson<ResultState>(r.before)?.asin ?? null,
      decided_by: r.decided_by,
      created_at: String(r.created_at),
      undone_at: r.undone_at === null ? null : String(r.undone_at),
    })),
    next_before: last && rows.length === page.per_page ? last.id : null,
  };
}
