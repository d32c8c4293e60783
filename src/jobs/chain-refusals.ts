import type { ProviderName } from '../config/provider-names.js';
import { findEntry } from './chain-step.js';
import type { Held } from './held-units.js';
import type { LaneDeps } from './lane-deps.js';
import type { JobChain } from './provider-chain.js';
import { refusalError, refusalNotice, rememberRefusal, type Refusal } from './refused-providers.js';
import type { BatchEntry } from './store-outcome.js';
import { lookupErrorOf, type UnitOutcome } from './unit-lookup.js';

/**
 * A batch for a provider the job already found refusing: no request, each unit passes on to the
 * next step with the refusal as that provider's outcome (`unusable`), as if it had been asked.
 */
export function refusedEntries(
  deps: LaneDeps,
  batch: readonly Held[],
  chain: JobChain,
  refusal: Refusal,
): BatchEntry[] {
  const error = refusalError(refusal);
  return batch.map(({ unit }) =>
    findEntry(unit, chain, refusal.provider, { ok: false, error }, deps.maxAttempts),
  );
}

/**
 * Remembers, for every lane of every worker, a provider that refused this request for good
 * (credentials refused, plan expired), and says so once on the job: who, and what to set.
 */
export async function noteRefusal(
  deps: LaneDeps,
  jobId: string,
  provider: ProviderName,
  outcomes: readonly UnitOutcome[],
  role: 'find' | 'enrich' = 'find',
): Promise<void> {
  const failed = outcomes.find((o) => !o.ok && lookupErrorOf(o.error).providerUnusable);
  if (!failed || failed.ok) return;
  const e = lookupErrorOf(failed.error);
  const refusal: Refusal = { provider, errorClass: e.code, message: e.message };
  if (!(await rememberRefusal(deps.ctx.database.db, jobId, refusal))) return;
  await deps.ctx.createJobLog(jobId, 'WARNING', refusalNotice(refusal, role), {
    provider,
    error_class: e.code,
    message: e.message,
  });
}
