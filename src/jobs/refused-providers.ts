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

/** Every refusal remembered for a job, in the order they came. */
export async function refusalsOf(db: Kysely<DB>, jobId: string): Promise<Refusal[]> {
  const rows = await db
    .selectFrom('code2asin_refused_providers')
    .select(['provider', 'error_class', 'message'])
    .where('job_id', '=', jobId)
    .orderBy('created_at')
    .orderBy('provider')
    .execute();
  return rows.map((row) => ({
    provider: row.provider as ProviderName,
    errorClass: isAmazonErrorCode(row.error_class) ? row.error_class : 'auth',
    message: row.message,
  }));
}

/**
 * Whether no finder of the chain can serve the job any more: each has refused it. The job then
 * pauses (nothing more would be found), as a job with one provider does.
 */
export async function everyFinderRefused(
  db: Kysely<DB>,
  jobId: string,
  finders: readonly ProviderName[],
): Promise<boolean> {
  const refused = new Set((await refusalsOf(db, jobId)).map((r) => r.provider));
  return finders.length > 0 && finders.every((p) => refused.has(p));
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

/**
 * What a refusal does to the job's codes: a finder with one after it passes them on; the last
 * finder of a chain whose earlier finders still serve ends them with status `error`; an enricher
 * leaves the answers without prices.
 */
export type RefusalRole = 'find' | 'last' | 'enrich';

const REFUSAL_EFFECT: Readonly<Record<RefusalRole, string>> = {
  find: 'its codes go on to the next provider of the chain',
  last: `the codes the providers before it did not find end with status error, not looked up by it`,
  enrich: 'the ASINs found stand without its offers and prices',
};

/** The job log's sentence: who refused, what happens to its codes, and what to set. */
export function refusalNotice(r: Refusal, role: RefusalRole): string {
  const label = PROVIDER_LABELS[r.provider];
  const then =
    role === 'last'
      ? `then retry the job: it asks ${label} again for those codes only`
      : `a resumed or retried job asks ${label} again`;
  return `${label} (${r.provider}) refused this job's requests (${r.errorClass}): ${r.message} It is not asked again for this job: ${REFUSAL_EFFECT[role]}. Check ${credentialsOf(r.provider)} (or PUT /api/v1/amazon/config); ${then}.`;
}

/**
 * The job's `error_message` when it ended with codes a refusing last provider never looked up:
 * how many, who refused, what to set, and that a retry asks it again.
 */
export function refusedEndMessage(count: number, refusals: readonly Refusal[]): string {
  const who = refusals.map(
    (r) => `${PROVIDER_LABELS[r.provider]} (${r.provider}, ${r.errorClass})`,
  );
  const vars = refusals.map((r) => credentialsOf(r.provider)).join('; ');
  const named = who.length > 0 ? who.join(', ') : 'a provider of the chain';
  return `${count} code(s) not looked up: ${named} refused this job's requests. Check ${vars || 'the provider settings'} (or PUT /api/v1/amazon/config), then retry the job.`;
}

/** The pause message of a job whose named provider refused it: who, what it said, what to do. */
export function providerPauseMessage(
  provider: ProviderName,
  e: Pick<LookupErrorShape, 'code' | 'message'>,
): string {
  const label = `${PROVIDER_LABELS[provider]} (${provider})`;
  return e.code === 'auth'
    ? `${label} refused the credentials: ${e.message} Fix the settings, then resume the job.`
    : `${label} cannot serve this account: ${e.message} Resume the job once that is fixed.`;
}

function credentialsOf(provider: ProviderName): string {
  return CREDENTIAL_VARIABLES[provider].join(', ');
}
