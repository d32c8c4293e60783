import type { Kysely } from 'kysely';
import { AmazonError, isAmazonErrorCode } from '../amazon/errors.js';
import { PROVIDER_LABELS, type ProviderName } from '../config/provider-names.js';
import { nowIso } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import type { LookupErrorShape } from './unit-lookup.js';

/** What a provider said when it refused a job's request for good (401/403, invalid key, 402). */
export interface Refusal {
  provider: ProviderName;
  errorClass: LookupErrorShape['code'];
  message: string;
}

/** The credentials a provider is refused for, named as the environment sets them. */
const CREDENTIAL_VARIABLES: Readonly<Record<ProviderName, readonly string[]>> = Object.freeze({
  creators: ['AMAZON_CREATORS_CREDENTIAL_ID', 'AMAZON_CREATORS_CREDENTIAL_SECRET'],
  paapi: ['AMAZON_PAAPI_ACCESS_KEY', 'AMAZON_PAAPI_SECRET_KEY'],
  spapi: ['AMAZON_SPAPI_CLIENT_ID', 'AMAZON_SPAPI_CLIENT_SECRET', 'AMAZON_SPAPI_REFRESH_TOKEN'],
  keepa: ['AMAZON_KEEPA_KEY'],
});

/**
 * The refusal remembered for a job's provider, by any worker (`code2asin_refused_providers`), or
 * null. Read before each request a chain step would send: one primary-key read, so that a
 * refusal seen by one lane stops every lane of every process at its next request.
 */
export async function refusalOf(
  db: Kysely<DB>,
  jobId: string,
  provider: ProviderName,
): Promise<Refusal | null> {
  const row = await db
    .selectFrom('code2asin_refused_providers')
    .select(['error_class', 'message'])
    .where('job_id', '=', jobId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  if (!row) return null;
  const errorClass = isAmazonErrorCode(row.error_class) ? row.error_class : 'auth';
  return { provider, errorClass, message: row.message };
}

/**
 * Remembers that a provider refused a job's request. Resolves to true for the first to record
 * it (that one logs it on the job), false when another lane or process already had.
 */
export async function rememberRefusal(db: Kysely<DB>, jobId: string, r: Refusal): Promise<boolean> {
  const inserted = await db
    .insertInto('code2asin_refused_providers')
    .values({
      job_id: jobId,
      provider: r.provider,
      error_class: r.errorClass,
      message: r.message,
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.columns(['job_id', 'provider']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Forgets a job's refusals: resumed or retried, it asks every provider again. */
export async function forgetRefusals(db: Kysely<DB>, jobId: string): Promise<void> {
  await db.deleteFrom('code2asin_refused_providers').where('job_id', '=', jobId).execute();
}

/** The error a remembered refusal stands for: what each unit it skips records. */
export function refusalError(r: Refusal): AmazonError {
  return new AmazonError(r.errorClass, r.message, { provider: r.provider, retryable: false });
}

/** The job log's sentence: who refused, that its codes move on, and what to set. */
export function refusalNotice(r: Refusal, role: 'find' | 'enrich'): string {
  const label = PROVIDER_LABELS[r.provider];
  const vars = CREDENTIAL_VARIABLES[r.provider].join(', ');
  const then =
    role === 'find'
      ? 'its codes go on to the next provider of the chain'
      : 'the ASINs found stand without its offers and prices';
  return `${label} (${r.provider}) refused this job's requests (${r.errorClass}): ${r.message} It is not asked again for this job: ${then}. Check ${vars} (or PUT /api/v1/amazon/config); a resumed or retried job asks ${label} again.`;
}
