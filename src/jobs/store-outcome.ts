import type { Insertable, Transaction, Updateable } from 'kysely';
import type { Database } from '../db/database.js';
import { nowIso, toJson } from '../db/dialect.js';
import type { DB, LogsTable, ResultsTable } from '../db/schema.js';
import type { ClaimedUnit } from '../db/work-queue.js';
import type { LookupErrorShape, LookupResult } from './unit-lookup.js';
import { advanceUnitIn, notFoundBy, type ChainAdvance } from './chain-store.js';
import type { ProviderOutcome } from './provider-chain.js';

export type StoredOutcome =
  'found' | 'not_found' | 'to_review' | 'error' | 'retry' | 'lost' | 'advanced';

/**
 * Stores a lookup's result, the job's counters and the cache entry in one transaction. The
 * update re-checks that this worker still holds the unit: if its lease expired and another
 * worker took it, nothing is stored twice (`lost`).
 */
export async function storeResult(
  database: Database,
  unit: ClaimedUnit,
  workerId: string,
  result: LookupResult,
  processingMs: number,
): Promise<{ outcome: StoredOutcome; previousAsin: string | null }> {
  return database.db
    .transaction()
    .execute((trx) => storeResultIn(trx, unit, workerId, result, processingMs));
}

/** One unit's part of a batch: its lookup's result, or the error that concerns it alone. */
export type BatchEntry =
  | { unit: ClaimedUnit; result: LookupResult }
  | { unit: ClaimedUnit; error: LookupErrorShape; outcomes?: ProviderOutcome[] }
  /** The unit goes on to the next step of its job's provider chain. */
  | { unit: ClaimedUnit; advance: ChainAdvance };

export interface StoredEntry {
  outcome: StoredOutcome;
  /** The cached ASIN before this result (results only). */
  previousAsin: string | null;
}

/** The job log row an entry leaves once stored (`null`: none). */
export type EntryLog = (entry: BatchEntry, stored: StoredEntry) => Insertable<LogsTable> | null;

/**
 * Stores the outcomes of one request — results, failures, counters and, with `log`, each code's
 * job log row — in one transaction: a worker killed before the commit leaves the whole batch
 * claimed (its lease hands it back), after it nothing is left to do, not even a log to write.
 * Entries come back in order.
 */
export async function storeBatch(
  database: Database,
  workerId: string,
  entries: readonly BatchEntry[],
  options: FailureOptions & { log?: EntryLog },
): Promise<StoredEntry[]> {
  const batchOptions = { ...options, retryAt: retryTimes(options.backoffMs) };
  return database.db.transaction().execute(async (trx) => {
    const stored: StoredEntry[] = [];
    for (const entry of entries) {
      if ('result' in entry) {
        stored.push(
          await storeResultIn(trx, entry.unit, workerId, entry.result, options.processingMs),
        );
      } else if ('advance' in entry) {
        const moved = await advanceUnitIn(trx, entry.unit, workerId, entry.advance);
        stored.push({ outcome: moved ? 'advanced' : 'lost', previousAsin: null });
      } else {
        const failure = { ...batchOptions, outcomes: entry.outcomes };
        const outcome = await storeFailureIn(trx, entry.unit, workerId, entry.error, failure);
        stored.push({ outcome, previousAsin: null });
      }
    }
    const { log } = options;
    const rows = log ? entries.flatMap((e, i) => log(e, stored[i] as StoredEntry) ?? []) : [];
    if (rows.length > 0) await trx.insertInto('code2asin_logs').values(rows).execute();
    return stored;
  });
}

export interface FailureOptions {
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  processingMs: number;
  /** When a retried unit is due again; one batch shares it (see `retryTimes`). */
  retryAt?: RetryAt;
  /** What the providers of the job's chain said (stored when the unit ends in `error`). */
  outcomes?: ProviderOutcome[];
}

type RetryAt = (attempt: number, retryAfterMs: number | null) => string;

/**
 * Retry times, one per attempt number and retry-after: the units of one request that failed
 * alike are due at the same instant, so they come back as one request, not one each.
 */
function retryTimes(backoffMs: (attempt: number) => number): RetryAt {
  const times = new Map<string, string>();
  return (attempt, retryAfterMs) => {
    const key = `${attempt}:${retryAfterMs}`;
    let at = times.get(key);
    if (at === undefined) {
      at = nowIso(Math.max(retryAfterMs ?? 0, backoffMs(attempt)));
      times.set(key, at);
    }
    return at;
  };
}

async function storeResultIn(
  trx: Transaction<DB>,
  unit: ClaimedUnit,
  workerId: string,
  result: LookupResult,
  processingMs: number,
): Promise<{ outcome: StoredOutcome; previousAsin: string | null }> {
  const now = nowIso();
  const fields: Updateable<ResultsTable> = {
    status: result.status,
    source: 'api',
    asin: result.asin,
    proposed_asin: result.proposed_asin,
    match_type: result.match_type,
    confidence: result.confidence,
    reasons: toJson(result.reasons),
    candidates: toJson(result.candidates),
    product: result.product ? toJson(result.product) : null,
    request_id: result.request_id,
    provider: result.provider ?? null,
    provider_outcomes: result.outcomes ? toJson(result.outcomes) : null,
    processing_ms: processingMs,
    error_class: null,
    error_message: null,
  };
  const previous = await trx
    .selectFrom('amazon_mappings')
    .select('asin')
    .where('marketplace', '=', unit.marketplace)
    .where('gtin', '=', unit.gtin)
    .executeTakeFirst();
  const previousAsin = previous?.asin ?? null;
  if (!(await finishUnit(trx, unit, workerId, { ...fields, previous_asin: previousAsin }, now))) {
    return { outcome: 'lost' as const, previousAsin };
  }
  await trx
    .updateTable('code2asin_jobs')
    .set((eb) => ({
      done_count: eb('done_count', '+', 1),
      ...(result.status === 'found'
        ? { found_count: eb('found_count', '+', 1) }
        : result.status === 'to_review'
          ? { to_review_count: eb('to_review_count', '+', 1) }
          : { not_found_count: eb('not_found_count', '+', 1) }),
      updated_at: now,
    }))
    .where('id', '=', unit.job_id)
    .execute();
  const mapping = {
    asin: result.asin,
    proposed_asin: result.proposed_asin,
    match_type: result.match_type,
    confidence: result.confidence,
    reasons: fields.reasons as string,
    candidates: fields.candidates as string,
    product: (fields.product as string | null) ?? null,
    request_id: result.request_id,
    provider: result.provider ?? null,
    provider_outcomes: (fields.provider_outcomes as string | null) ?? null,
    not_found_by: notFoundBy(result),
    fetched_at: now,
  };
  await trx
    .insertInto('amazon_mappings')
    .values({ marketplace: unit.marketplace, gtin: unit.gtin, ...mapping })
    .onConflict((oc) => oc.columns(['marketplace', 'gtin']).doUpdateSet(mapping))
    .execute();
  return { outcome: result.status, previousAsin };
}

/**
 * Stores a failed lookup: back to pending with a backoff while attempts remain and the error is
 * transient; otherwise the unit ends in `error` with its class and message.
 */
export async function storeFailure(
  database: Database,
  unit: ClaimedUnit,
  workerId: string,
  error: LookupErrorShape,
  options: FailureOptions,
): Promise<StoredOutcome> {
  return database.db
    .transaction()
    .execute((trx) => storeFailureIn(trx, unit, workerId, error, options));
}

async function storeFailureIn(
  trx: Transaction<DB>,
  unit: ClaimedUnit,
  workerId: string,
  error: LookupErrorShape,
  options: FailureOptions,
): Promise<StoredOutcome> {
  const now = nowIso();
  // Throttled: the request was refused for pace, not for the code; it costs no attempt.
  const attempts = error.throttled ? unit.attempts : unit.attempts + 1;
  if (error.retryable && (error.throttled || attempts < options.maxAttempts)) {
    const retryAt = options.retryAt ?? retryTimes(options.backoffMs);
    const fields: Updateable<ResultsTable> = {
      status: 'pending',
      attempts,
      next_attempt_at: retryAt(unit.attempts + 1, error.retryAfterMs),
      error_class: error.code,
      error_message: error.message,
    };
    return (await finishUnit(trx, unit, workerId, fields, now)) ? 'retry' : 'lost';
  }
  const ok = await finishUnit(
    trx,
    unit,
    workerId,
    {
      status: 'error',
      attempts,
      error_class: error.code,
      error_message: error.message,
      request_id: error.requestId ?? null,
      processing_ms: options.processingMs,
      ...(options.outcomes ? { provider_outcomes: toJson(options.outcomes) } : {}),
    },
    now,
  );
  if (!ok) return 'lost';
  await trx
    .updateTable('code2asin_jobs')
    .set((eb) => ({
      done_count: eb('done_count', '+', 1),
      error_count: eb('error_count', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', unit.job_id)
    .execute();
  return 'error';
}

async function finishUnit(
  db: Transaction<DB>,
  unit: ClaimedUnit,
  workerId: string,
  fields: Updateable<ResultsTable>,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('code2asin_results')
    .set({ ...fields, claimed_by: null, lease_until: null, updated_at: now })
    .where('id', '=', unit.id)
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
