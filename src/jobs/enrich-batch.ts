import type { AmazonProduct } from '../amazon/product.js';
import type { ProviderName } from '../config/provider-names.js';
import { noteRefusal } from './chain-refusals.js';
import { outcomesOf, storedAnswer } from './chain-step.js';
import type { Held } from './held-units.js';
import { releaseAfterFault, withFlight, type LaneDeps } from './lane-deps.js';
import { mergeEnrichment, type ProviderOutcome } from './provider-chain.js';
import { refusalError, refusalOf } from './refused-providers.js';
import type { BatchEntry } from './store-outcome.js';
import { lookupErrorOf } from './unit-lookup.js';

/**
 * The enrichment step of a chain (`enrich_with`): one item request of the enricher for the ASINs
 * of a batch (up to its `maxItemsPerCall`, 10 for the Creators API), each finder's product
 * completed with what the enricher has and the finder lacks (offers, price). The answer stands
 * without enrichment when the enricher fails for good: a price is never worth a lost ASIN.
 */
export async function runEnrichBatch(
  deps: LaneDeps,
  batch: Held[],
  provider: ProviderName,
  /** Stores one request's entries in one transaction (the lane runner's `storeEntries`). */
  store: (entries: readonly BatchEntry[], ms: number) => Promise<void>,
): Promise<void> {
  const first = batch[0] as Held;
  await withFlight(deps, batch, async ({ signal, elapsedMs }) => {
    const asins = [...new Set(batch.map(({ unit }) => unit.asin ?? unit.proposed_asin ?? ''))];
    let items: Map<string, AmazonProduct> | null = null;
    let failure: unknown = null;
    try {
      if (!deps.lookup.enrichMany) throw new Error('this lookup cannot enrich');
      // An enricher that refused this job before (any lane, any worker) is not asked again.
      const refused = await refusalOf(deps.ctx.database.db, first.unit.job_id, provider);
      if (refused) throw refusalError(refused);
      const request = { marketplace: first.unit.marketplace, provider, asins };
      items = await deps.lookup.enrichMany(request, signal);
    } catch (error) {
      if (signal.aborted) return await deps.release(batch);
      if (deps.faults?.failed(error)) return await releaseAfterFault(deps, batch);
      failure = error;
      await noteRefusal(deps, first.unit.job_id, provider, [{ ok: false, error }], 'enrich');
    }
    const entries = batch.map(({ unit }) =>
      failure === null
        ? enriched(unit, provider, items)
        : notEnriched(unit, provider, failure, deps.maxAttempts),
    );
    await store(entries, elapsedMs());
  });
}

function enriched(
  unit: Held['unit'],
  provider: ProviderName,
  items: Map<string, AmazonProduct> | null,
): BatchEntry {
  const answer = storedAnswer(unit);
  const item = items?.get(unit.asin ?? unit.proposed_asin ?? '');
  const own: ProviderOutcome = { provider, outcome: item ? 'enriched' : 'no_offer' };
  const product = item ? mergeEnrichment(answer.product, item) : answer.product;
  return { unit, result: { ...answer, product, outcomes: [...outcomesOf(unit), own] } };
}

/** A failed item request: tried again while attempts remain, else the answer stands as found. */
function notEnriched(
  unit: Held['unit'],
  provider: ProviderName,
  error: unknown,
  maxAttempts: number,
): BatchEntry {
  const e = lookupErrorOf(error);
  const again =
    e.retryable && !e.providerUnusable && (e.throttled || unit.attempts + 1 < maxAttempts);
  if (again) return { unit, error: e };
  const own: ProviderOutcome = {
    provider,
    outcome: e.providerUnusable ? 'unusable' : 'error',
    error_class: e.code,
    message: e.message,
  };
  return { unit, result: { ...storedAnswer(unit), outcomes: [...outcomesOf(unit), own] } };
}
