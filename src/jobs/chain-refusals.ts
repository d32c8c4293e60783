import type { ProviderName } from '../config/provider-names.js';
import { findEntry } from './chain-step.js';
import type { Held } from './held-units.js';
import type { LaneDeps } from './lane-deps.js';
import type { JobChain } from './provider-chain.js';
import {
  everyFinderRefused,
  refusalError,
  refusalNotice,
  rememberRefusal,
  type Refusal,
  type RefusalRole,
} from './refused-providers.js';
import type { BatchEntry } from './store-outcome.js';
import { lookupErrorOf, type UnitOutcome } from './unit-lookup.js';

/**
 * A batch for a provider the job already found refusing: no request, each unit passes on to the
 * next step with the refusal as that provider's outcome (`unusable`), as if it had been asked —
 * or, at the chain's last step, ends with the refusal as its error.
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
  role: RefusalRole = 'find',
): Promise<void> {
  const refusal = refusalIn(provider, outcomes);
  if (!refusal) return;
  if (!(await rememberRefusal(deps.ctx.database.db, jobId, refusal))) return;
  const e = refusal;
  await deps.ctx.createJobLog(jobId, 'WARNING', refusalNotice(refusal, role), {
    provider,
    error_class: e.errorClass,
    message: e.message,
  });
}

/** The refusal among a request's outcomes (the provider unusable with these settings), if any. */
export function refusalIn(
  provider: ProviderName,
  outcomes: readonly UnitOutcome[],
): Refusal | null {
  const failed = outcomes.find((o) => !o.ok && lookupErrorOf(o.error).providerUnusable);
  if (!failed || failed.ok) return null;
  const e = lookupErrorOf(failed.error);
  return { provider, errorClass: e.code, message: e.message };
}

/**
 * Whether the last finder of a chain refusing this job leaves it nothing to find with: every
 * finder refused (a chain of one included). The job pauses then, as with one provider; else the
 * codes at that step end with the refusal as their error and the others go on.
 */
export async function refusalStopsJob(
  deps: LaneDeps,
  jobId: string,
  chain: JobChain,
): Promise<boolean> {
  return everyFinderRefused(deps.ctx.database.db, jobId, chain.providers ?? []);
}
