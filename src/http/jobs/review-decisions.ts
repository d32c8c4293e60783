import { randomUUID } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import { asinProblem, isValidAsin, normalizeAsin } from '../../amazon/asin.js';
import { fromJson, nowIso, toJson } from '../../db/dialect.js';
import type { DB, ResultsTable } from '../../db/schema.js';
import { upsertRule, type StoredMatchingRule } from '../../matching/index.js';
import { HttpError } from '../http-error.js';

type Unit = Selectable<ResultsTable>;

/** What a reviewer can decide for one result. */
export type DecisionAction = 'accept' | 'choose' | 'asin' | 'no_match';

/** The fields of a result a decision changes, as they were before it (restored by undo). */
interface ResultState {
  status: string;
  source: string | null;
  asin: string | null;
  /** The matcher's proposal of a `to_review` result; a decision settles (clears) it. */
  proposed_asin: string | null;
  match_type: string | null;
  confidence: number | null;
  reasons: string | null;
  product: string | null;
  previous_asin: string | null;
  /** The failure of a result in `error`: a decision settles it (absent in decisions made before). */
  error_class?: string | null;
  error_message?: string | null;
}

/** A rule a decision wrote, and the rule it replaced (null: there was none). */
interface RuleChange {
  id: number;
  previous: { rule: string; note: string | null; created_at: string } | null;
}

export interface DecisionInput {
  unit: Unit;
  action: DecisionAction;
  /** The ASIN for `choose` and `asin`. */
  asin?: string | null;
}

interface Candidate {
  asin?: string;
  rejected?: boolean;
  rank?: number | null;
}

function candidatesOf(unit: Unit): Candidate[] {
  return fromJson<Candidate[]>(unit.candidates) ?? [];
}

/**
 * The proposal of a result: its ASIN, else the matcher's `proposed_asin` (a `to_review` result),
 * else its best candidate that was not rejected.
 */
export function proposalOf(unit: Unit): string | null {
  if (unit.asin) return unit.asin;
  if (unit.proposed_asin) return unit.proposed_asin;
  const best = candidatesOf(unit).find((c) => !c.rejected && typeof c.asin === 'string');
  return best?.asin ?? null;
}

/** The ASIN a decision sets (null = no match); a 400 naming `asin` when it cannot be used. */
export function decidedAsin(input: DecisionInput): string | null {
  const { unit, action } = input;
  if (action === 'no_match') return null;
  if (action === 'accept') {
    const proposal = proposalOf(unit);
    if (!proposal) {
      throw new HttpError(
        400,
        'nothing_to_accept',
        `Result ${unit.id} has no proposal to accept: choose a candidate, enter an ASIN or mark no match.`,
        { field: 'action', result_id: unit.id },
      );
    }
    return proposal;
  }
  const asin = normalizeAsin(input.asin ?? '');
  if (!isValidAsin(asin)) {
    throw new HttpError(400, 'invalid_asin', asinProblem(input.asin ?? ''), { field: 'asin' });
  }
  if (action === 'choose' && !candidatesOf(unit).some((c) => c.asin === asin)) {
    throw new HttpError(
      400,
      'not_a_candidate',
      `${asin} is not a candidate of result ${unit.id}: pick one of its candidates, or enter it as an ASIN.`,
      { field: 'asin', result_id: unit.id },
    );
  }
  return asin;
}

function stateOf(unit: Unit): ResultState {
  return {
    status: unit.status,
    source: unit.source,
    asin: unit.asin,
    proposed_asin: unit.proposed_asin,
    match_type: unit.match_type,
    confidence: unit.confidence === null ? null : Number(unit.confidence),
    reasons: unit.reasons,
    product: unit.product,
    previous_asin: unit.previous_asin,
    error_class: unit.error_class,
    error_message: unit.error_message,
  };
}

/**
 * Applies decisions in the caller's transaction, as one batch (one undo step): each result
 * becomes `manual` (confidence 1), the job counters follow, the decision and the state before
 * it are recorded, and with `remember` the owner's matching rules learn it for later jobs.
 * A result a worker changed meanwhile answers 409 and nothing of the batch is kept.
 */
export async function applyDecisions(
  trx: Transaction<DB>,
  job: { id: string; owner: string },
  decisions: readonly (DecisionInput & { asin: string | null })[],
  options: { remember: boolean; decidedBy: string; ruleNote?: string },
): Promise<{ batchId: string; units: Unit[]; rules: StoredMatchingRule[] }> {
  const batchId = randomUUID();
  const at = nowIso();
  const units: Unit[] = [];
  const stored: StoredMatchingRule[] = [];
  const moves = new Map<string, number>();
  for (const d of decisions) {
    const updated = await writeState(trx, d.unit, decidedState(d.unit, d.asin), at);
    count(moves, d.unit.status, -1);
    count(moves, updated.status, +1);
    const remembered = options.remember
      ? await rememberDecision(trx, job.owner, d.unit, d.asin, options.ruleNote)
      : [];
    const rules = remembered.map((r) => r.change);
    stored.push(...remembered.map((r) => r.rule));
    await trx
      .insertInto('code2asin_decisions')
      .values({
        job_id: job.id,
        batch_id: batchId,
        result_id: d.unit.id,
        action: d.action,
        asin: d.asin,
        before: toJson(stateOf(d.unit)),
        rule_ids: rules.length > 0 ? toJson(rules) : null,
        decided_by: options.decidedBy,
        created_at: at,
        undone_at: null,
      })
      .execute();
    units.push(updated);
  }
  await moveCounters(trx, job.id, moves);
  return { batchId, units, rules: stored };
}

function decidedState(unit: Unit, asin: string | null): ResultState {
  return {
    status: asin ? 'found' : 'not_found',
    source: 'manual',
    asin,
    proposed_asin: null,
    match_type: 'manual',
    confidence: 1,
    reasons: toJson(['manual_choice']),
    // The stored product is the previously chosen (or proposed) item's: kept only when it is still the one.
    product:
      asin !== null && (asin === unit.asin || asin === unit.proposed_asin) ? unit.product : null,
    previous_asin: unit.asin,
    error_class: null,
    error_message: null,
  };
}

/** Writes a result's state if it did not change since it was read (else 409). */
export async function writeState(
  trx: Transaction<DB>,
  unit: Unit,
  state: ResultState,
  at: string,
): Promise<Unit> {
  const updated = await trx
    .updateTable('code2asin_results')
    .set({ ...state, updated_at: at })
    .where('id', '=', unit.id)
    .where('status', '=', unit.status)
    .where('updated_at', '=', unit.updated_at)
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    throw new HttpError(
      409,
      'result_changed',
      `Result ${unit.id} changed meanwhile; reload and decide again.`,
      { result_id: unit.id },
    );
  }
  return updated;
}

function count(moves: Map<string, number>, status: string, delta: number): void {
  moves.set(status, (moves.get(status) ?? 0) + delta);
}

/** The job's counters after results moved between statuses (kept incrementally, like the worker). */
export async function moveCounters(
  trx: Transaction<DB>,
  jobId: string,
  moves: ReadonlyMap<string, number>,
): Promise<void> {
  const m = (s: string) => moves.get(s) ?? 0;
  const opened = m('pending') + m('claimed');
  await trx
    .updateTable('code2asin_jobs')
    .set((eb) => ({
      done_count: eb('done_count', '-', opened),
      found_count: eb('found_count', '+', m('found')),
      not_found_count: eb('not_found_count', '+', m('not_found')),
      to_review_count: eb('to_review_count', '+', m('to_review')),
      error_count: eb('error_count', '+', m('error')),
      updated_at: nowIso(),
    }))
    .where('id', '=', jobId)
    .execute();
}

async function rememberDecision(
  trx: Transaction<DB>,
  owner: string,
  unit: Unit,
  asin: string | null,
  note = 'review decision',
): Promise<{ change: RuleChange; rule: StoredMatchingRule }[]> {
  const target = asin ?? unit.asin ?? unit.proposed_asin;
  if (!target) return [];
  const key = { owner, gtin: unit.gtin, marketplace: unit.marketplace, asin: target };
  const previous = await trx
    .selectFrom('matching_rules')
    .select(['rule', 'note', 'created_at'])
    .where('owner', '=', owner)
    .where('gtin', '=', key.gtin)
    .where('asin', '=', key.asin)
    .where('marketplace', '=', key.marketplace)
    .executeTakeFirst();
  const rule = await upsertRule(trx, { ...key, rule: asin ? 'always' : 'never', note });
  return [{ change: { id: rule.id, previous: previous ?? null }, rule }];
}

/** Puts back the rules a decision wrote: the replaced rule, or none. */
export async function restoreRules(trx: Transaction<DB>, changes: RuleChange[]): Promise<void> {
  for (const c of changes) {
    if (c.previous) {
      await trx.updateTable('matching_rules').set(c.previous).where('id', '=', c.id).execute();
    } else {
      await trx.deleteFrom('matching_rules').where('id', '=', c.id).execute();
    }
  }
}

export type { ResultState, RuleChange, Unit };
