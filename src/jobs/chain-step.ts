import { AmazonNotReadyError } from '../amazon/readiness.js';
import type { ProviderName } from '../config/provider-names.js';
import { fromJson } from '../db/dialect.js';
import type { ClaimedUnit } from '../db/work-queue.js';
import type { AmazonProduct } from '../amazon/product.js';
import {
  finderCount,
  needsEnrichment,
  type JobChain,
  type ProviderOutcome,
} from './provider-chain.js';
import type { BatchEntry } from './store-outcome.js';
import { lookupErrorOf, type LookupResult, type UnitOutcome } from './unit-lookup.js';

/** Whether a job asks more than its configured provider alone (a chain or an enrichment). */
export function isChained(chain: JobChain): boolean {
  return chain.providers !== null || chain.enrichWith !== null;
}

/** Whether a unit at this step has another finder after it. */
export function hasNextFinder(chain: JobChain, step: number): boolean {
  return step + 1 < finderCount(chain);
}

export function outcomesOf(unit: ClaimedUnit): ProviderOutcome[] {
  return fromJson<ProviderOutcome[]>(unit.provider_outcomes) ?? [];
}

/**
 * What to store for one unit of a finder's request in a chained job: the answer (with what every
 * provider said), or the move to the next step — not found, failed for good (or the provider
 * unusable, or settings incomplete), or found and waiting for the enricher.
 */
export function findEntry(
  unit: ClaimedUnit,
  chain: JobChain,
  asked: ProviderName | undefined,
  outcome: UnitOutcome,
  maxAttempts: number,
): BatchEntry {
  const step = unit.chain_step;
  const previous = outcomesOf(unit);
  if (outcome.ok) {
    const r = outcome.result;
    const provider = r.provider ?? asked;
    const own: ProviderOutcome[] = provider
      ? [{ provider, outcome: r.status, asin: r.asin ?? r.proposed_asin }]
      : [];
    const outcomes = [...previous, ...own];
    if (r.status === 'not_found' && hasNextFinder(chain, step))
      return { unit, advance: { step: step + 1, outcomes } };
    if (r.status !== 'not_found' && needsEnrichment(chain, provider))
      return { unit, advance: { step: finderCount(chain), outcomes, found: r } };
    return { unit, result: { ...r, outcomes } };
  }
  const e = lookupErrorOf(outcome.error);
  const unusable = e.providerUnusable || outcome.error instanceof AmazonNotReadyError;
  const own: ProviderOutcome[] = asked
    ? [
        {
          provider: asked,
          outcome: unusable ? 'unusable' : 'error',
          error_class: e.code,
          message: e.message,
        },
      ]
    : [];
  const outcomes = [...previous, ...own];
  const spent = !e.retryable || (!e.throttled && unit.attempts + 1 >= maxAttempts);
  if (hasNextFinder(chain, step) && (unusable || spent))
    return { unit, advance: { step: step + 1, outcomes } };
  return { unit, error: e, outcomes };
}

/** The finder's answer a unit carries while it waits for the enrichment step. */
export function storedAnswer(unit: ClaimedUnit): LookupResult {
  return {
    status: unit.asin ? 'found' : 'to_review',
    asin: unit.asin,
    proposed_asin: unit.proposed_asin,
    match_type: unit.match_type ?? 'unknown',
    confidence: unit.confidence ?? 0,
    reasons: fromJson<string[]>(unit.reasons) ?? [],
    candidates: fromJson<unknown[]>(unit.candidates) ?? [],
    product: fromJson<AmazonProduct>(unit.product),
    request_id: unit.request_id,
    ...(unit.provider ? { provider: unit.provider as ProviderName } : {}),
  };
}
