import type { Insertable } from 'kysely';
import { fromJson } from '../db/dialect.js';
import type { LogsTable } from '../db/schema.js';
import type { AmazonProduct } from '../amazon/product.js';
import { AmazonError } from '../amazon/errors.js';
import { AmazonNotReadyError } from '../amazon/readiness.js';
import type { Held } from './held-units.js';
import { releaseAfterFault, withFlight, type LaneDeps } from './lane-deps.js';
import { jobLogRow } from './job-log.js';
import { applyJobAction } from './lifecycle.js';
import { storeBatch, type BatchEntry, type StoredEntry } from './store-outcome.js';
import { isProviderName, PROVIDER_LABELS, type ProviderName } from '../config/provider-names.js';
import type { ChainAdvance } from './chain-store.js';
import { findEntry, hasNextFinder, isChained } from './chain-step.js';
import { noteRefusal, refusalIn, refusalStopsJob, refusedEntries } from './chain-refusals.js';
import { runEnrichBatch } from './enrich-batch.js';
import { chainOf, isEnrichRoute, providerOfRoute, type JobChain } from './provider-chain.js';
import {
  everyFinderRefused,
  providerPauseMessage,
  refusalOf,
  rememberRefusal,
} from './refused-providers.js';
import {
  lookupErrorOf,
  type LookupErrorShape,
  type LookupUnit,
  type UnitOutcome,
} from './unit-lookup.js';
import { holdJobForAmazon } from './waiting-for-amazon.js';

export type { LaneDeps, WorkerStats } from './lane-deps.js';

/** One lane: takes a request's worth of units at a time until `next` has no more. */
export async function runLane(deps: LaneDeps, next: () => Promise<Held[] | null>): Promise<void> {
  for (let batch = await next(); batch; batch = await next()) {
    const units = batch.map((h) => h.unit.id);
    await runBatch(deps, batch).catch(async (err: unknown) => {
      if (!deps.faults?.failed(err))
        return deps.ctx.logger.error({ err, units }, 'worker lane error');
      // Not the codes' failure (the store or a rule read hit a database fault): no attempt is
      // counted. The units go back now, or when their lease ends if the database cannot take even
      // that.
      await releaseAfterFault(deps, batch);
    });
  }
}

/**
 * One request's worth of units (one job, one marketplace, one batch key): one lookup, matching
 * per unit, every outcome stored in one transaction. Aborted (pause, cancel, stop) before the
 * answer, the units are handed back; a provider that cannot serve anyone pauses the job.
 */
export async function runBatch(deps: LaneDeps, batch: Held[]): Promise<void> {
  const route = (batch[0] as Held).route;
  if (isEnrichRoute(route))
    return runEnrichBatch(deps, batch, providerOfRoute(route) as ProviderName, (entries, ms) =>
      storeEntries(deps, entries, ms),
    );
  const jobId = (batch[0] as Held).unit.job_id;
  const chain = chainOf(await deps.jobOptions(jobId));
  const asked = providerOfRoute(route);
  // A provider of the chain that refused this job before (any lane, any worker) is not asked.
  const movesOn = isChained(chain) && hasNextFinder(chain, (batch[0] as Held).unit.chain_step);
  const refused = asked ? await refusalOf(deps.ctx.database.db, jobId, asked) : null;
  if (refused) {
    const { signal, unlink } = deps.signals.forRequest(jobId);
    unlink();
    // Every finder refused: the job is pausing, its codes wait for the resume.
    if (signal.aborted || (!movesOn && (await refusalStopsJob(deps, jobId, chain))))
      return deps.release(batch);
    return storeEntries(deps, refusedEntries(deps, batch, chain, refused), 0);
  }
  await withFlight(deps, batch, async ({ signal, elapsedMs }) => {
    let outcomes: UnitOutcome[];
    try {
      outcomes = await deps.lookup.lookupMany(batch.map(lookupUnitOf), signal);
    } catch (error) {
      if (signal.aborted) return await deps.release(batch);
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    const fault = outcomes.find((o) => !o.ok && deps.faults?.failed(o.error));
    if (fault) return await releaseAfterFault(deps, batch);
    // A provider of a chain that cannot serve anyone is remembered as refusing the job: its
    // units go to the next finder, or (the last finder, earlier ones still serving) end with the
    // refusal as their error. A job's only provider, or a chain whose every finder refused,
    // pauses the job; so do incomplete settings.
    const chained = isChained(chain);
    const stopping = movesOn ? undefined : outcomes.find((o) => !o.ok && stopsTheJob(o.error));
    if (stopping && !stopping.ok && !(await endsCodesInstead(deps, jobId, chain, asked, outcomes)))
      return await stopJob(deps, batch, stopping.error, asked);
    if (asked) await noteRefusal(deps, jobId, asked, outcomes, movesOn ? 'find' : 'last');
    const entries = batch.map(({ unit }, i): BatchEntry => {
      const o: UnitOutcome = outcomes[i] ?? {
        ok: false,
        error: new Error('no outcome for this unit'),
      };
      if (chained) return findEntry(unit, chain, asked, o, deps.maxAttempts);
      return o.ok ? { unit, result: o.result } : { unit, error: lookupErrorOf(o.error) };
    });
    await storeEntries(deps, entries, elapsedMs());
  });
}

/**
 * Stores one request's entries and each code's log row in one transaction, then queues the
 * images of the products found.
 */
export async function storeEntries(
  deps: LaneDeps,
  entries: readonly BatchEntry[],
  ms: number,
): Promise<void> {
  const stored = await storeBatch(deps.ctx.database, deps.workerId, entries, {
    maxAttempts: deps.maxAttempts,
    processingMs: ms,
    backoffMs: (attempt) =>
      Math.min(60_000, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5),
    log: (entry, outcome) => entryLog(entry, outcome, ms),
  });
  deps.stats.stored += entries.filter((e) => 'result' in e).length;
  for (const [i, entry] of entries.entries()) {
    const product = 'result' in entry ? entry.result.product : null;
    if (product && stored[i]?.outcome === 'found') await queueImages(deps, entry.unit, product);
  }
}

function lookupUnitOf(held: Held): LookupUnit {
  const { unit } = held;
  return {
    jobId: unit.job_id,
    owner: held.owner,
    marketplace: unit.marketplace,
    code: unit.code,
    gtin: unit.gtin,
    context: fromJson(unit.context),
    ...(providerOfRoute(held.route) ? { provider: providerOfRoute(held.route) } : {}),
  };
}

/**
 * Whether a refusal by the chain's last finder ends its codes rather than pausing the job: yes
 * while an earlier finder still serves the job. When it pauses the job instead (a chain of one,
 * every finder refused), the refusal is remembered here, so other lanes hand their units back.
 */
async function endsCodesInstead(
  deps: LaneDeps,
  jobId: string,
  chain: JobChain,
  asked: ProviderName | undefined,
  outcomes: readonly UnitOutcome[],
): Promise<boolean> {
  const refusal = asked ? refusalIn(asked, outcomes) : null;
  if (!refusal) return false; // incomplete settings, or the configured provider of a plain job
  const others = (chain.providers ?? []).filter((p) => p !== asked);
  if (others.length > 0 && !(await everyFinderRefused(deps.ctx.database.db, jobId, others)))
    return true;
  await rememberRefusal(deps.ctx.database.db, jobId, refusal);
  return false;
}

/** Failures no code of the job escapes: settings incomplete, provider refusing this account. */
function stopsTheJob(error: unknown): boolean {
  return error instanceof AmazonNotReadyError || lookupErrorOf(error).providerUnusable;
}

async function stopJob(
  deps: LaneDeps,
  batch: readonly Held[],
  error: unknown,
  provider?: ProviderName,
): Promise<void> {
  const { ctx } = deps;
  const jobId = (batch[0] as Held).unit.job_id;
  await deps.release(batch);
  deps.signals.abortJob(jobId);
  if (error instanceof AmazonNotReadyError) {
    // Settings incomplete: nothing was sent. The job waits and starts again by itself.
    await holdJobForAmazon(ctx, jobId, error).catch((err: unknown) =>
      ctx.logger.warn({ err, jobId }, 'job not held for the Amazon settings'),
    );
    return;
  }
  const e = lookupErrorOf(error);
  // The message says which provider refused (Keepa is not Amazon): the chain's step, or for a
  // job without a chain the configured provider the error came from.
  const named = provider ?? providerOfError(error);
  const message = named && e.pauseMessage ? providerPauseMessage(named, e) : e.pauseMessage;
  // Another lane (or a user) may have paused or cancelled it first: nothing to do then.
  await applyJobAction(ctx, jobId, 'pause', { message }).catch((err: unknown) =>
    ctx.logger.debug({ err, jobId }, 'job not paused'),
  );
  const who = named ? PROVIDER_LABELS[named] : 'Amazon';
  await ctx.createJobLog(jobId, 'ERROR', `Job paused: ${who} refused access`, {
    error_class: e.code,
    message: e.message,
    provider: named ?? null,
  });
}

/** The provider an Amazon error names (every provider's transport sets it), if any. */
function providerOfError(error: unknown): ProviderName | undefined {
  const named = error instanceof AmazonError ? error.provider : null;
  return isProviderName(named) ? named : undefined;
}

/** The job log row a stored entry leaves: looked up, passed on, to be retried or failed. */
function entryLog(
  entry: BatchEntry,
  stored: StoredEntry,
  ms: number,
): Insertable<LogsTable> | null {
  const { unit } = entry;
  if ('advance' in entry) return advanceLog(unit, entry.advance, stored);
  if (!('result' in entry)) return failureLog(unit, entry.error, stored);
  const { result } = entry;
  const { outcome, previousAsin } = stored;
  return jobLogRow(unit.job_id, 'DEBUG', 'Code looked up', {
    code: unit.code,
    code_type: unit.code_type,
    marketplace: unit.marketplace,
    previous_asin: previousAsin,
    new_asin: result.asin,
    change_reason: outcome === 'lost' ? 'lease_lost' : changeReason(previousAsin, result.asin),
    match_type: result.match_type,
    confidence: result.confidence,
    processing_ms: ms,
    request_id: result.request_id,
  });
}

function advanceLog(
  unit: Held['unit'],
  advance: ChainAdvance,
  stored: StoredEntry,
): Insertable<LogsTable> | null {
  if (stored.outcome !== 'advanced') return null;
  const last = advance.outcomes.at(-1);
  return jobLogRow(unit.job_id, 'DEBUG', 'Code passed on in the provider chain', {
    code: unit.code,
    marketplace: unit.marketplace,
    provider: last?.provider ?? null,
    outcome: last?.outcome ?? null,
    next_step: advance.step,
  });
}

function failureLog(
  unit: Held['unit'],
  e: LookupErrorShape,
  stored: StoredEntry,
): Insertable<LogsTable> {
  const failed = stored.outcome === 'error';
  return jobLogRow(
    unit.job_id,
    failed ? 'ERROR' : 'WARNING',
    failed ? 'Code failed' : 'Code will be retried',
    {
      code: unit.code,
      marketplace: unit.marketplace,
      error_class: e.code,
      message: e.message,
      attempt: e.throttled ? unit.attempts : unit.attempts + 1,
      request_id: e.requestId ?? null,
    },
  );
}

async function queueImages(
  deps: LaneDeps,
  unit: Held['unit'],
  product: AmazonProduct,
): Promise<void> {
  const { images } = deps.ctx;
  const o = await deps.jobOptions(unit.job_id);
  if (!o.download_images || !images || o.max_images_per_product === 0) return;
  images.enqueue({
    jobId: unit.job_id,
    unitId: unit.id,
    marketplace: unit.marketplace,
    gtin: unit.gtin,
    product,
    max: o.max_images_per_product,
    mode: o.image_mode,
  });
}

function changeReason(previous: string | null, next: string | null): string {
  if (previous === null && next === null) return 'not_found';
  if (previous === null) return 'new';
  if (previous === next) return 'unchanged';
  return next === null ? 'no_longer_found' : 'changed';
}
