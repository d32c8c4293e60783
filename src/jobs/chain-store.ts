import type { Transaction, Updateable } from 'kysely';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB, ResultsTable } from '../db/schema.js';
import type { ClaimedUnit } from '../db/work-queue.js';
import type { ProviderOutcome } from './provider-chain.js';
import type { LookupResult } from './unit-lookup.js';

/** A unit moving on in its job's provider chain (not found, failed, or found and to enrich). */
export interface ChainAdvance {
  step: number;
  outcomes: ProviderOutcome[];
  /** A finder's answer kept on the unit while it waits for the enrichment step. */
  found?: LookupResult;
}

/**
 * Hands the unit back as pending for the next step, in the transaction that stores the rest of
 * its request: a worker killed before the commit leaves it claimed at the old step (its lease
 * hands it back and the same provider is asked again), after it the next provider's lanes take
 * it. The next provider starts with no attempt used. Resolves to false when the lease was lost.
 */
export async function advanceUnitIn(
  trx: Transaction<DB>,
  unit: ClaimedUnit,
  workerId: string,
  advance: ChainAdvance,
): Promise<boolean> {
  const found = advance.found;
  const fields: Updateable<ResultsTable> = {
    status: 'pending',
    chain_step: advance.step,
    provider_outcomes: toJson(advance.outcomes),
    attempts: 0,
    next_attempt_at: null,
    error_class: null,
    error_message: null,
    claimed_by: null,
    lease_until: null,
    updated_at: nowIso(),
    ...(found
      ? {
          asin: found.asin,
          proposed_asin: found.proposed_asin,
          match_type: found.match_type,
          confidence: found.confidence,
          reasons: toJson(found.reasons),
          candidates: toJson(found.candidates),
          product: found.product ? toJson(found.product) : null,
          request_id: found.request_id,
          provider: found.provider ?? null,
        }
      : {}),
  };
  const result = await trx
    .updateTable('code2asin_results')
    .set(fields)
    .where('id', '=', unit.id)
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The providers that did not find the code, as the cache keeps them (`,spapi,keepa,`): a cached
 * "not found" answers a later job only when every provider of that job is among them.
 */
export function notFoundBy(result: LookupResult): string | null {
  const outcomes =
    result.outcomes ??
    (result.provider ? [{ provider: result.provider, outcome: result.status }] : []);
  const names = outcomes.filter((o) => o.outcome === 'not_found').map((o) => o.provider);
  return names.length > 0 ? `,${[...new Set(names)].join(',')},` : null;
}
