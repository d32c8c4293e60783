import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { fromJson, nowIso, toJson, type DialectAdapter } from '../db/dialect.js';
import type { DB, JobsTable } from '../db/schema.js';
import { JobError } from './errors.js';
import type { JobOptions } from './job-options.js';
import type { JobStatus } from './job-status.js';
import type { ProviderName } from '../config/provider-names.js';

export type JobRow = Selectable<JobsTable>;

/** What one provider of a job's chain is asked for, by the pre-flight (`chain-preflight.ts`). */
export interface ProviderCost {
  provider: ProviderName;
  /** `find`: asked for codes; `enrich`: asked for the offers of found ASINs. */
  role: 'find' | 'enrich';
  /** Units it may be asked for: all pending ones for the first finder, an upper bound after. */
  units: number;
  requests: number;
  /** Keepa's token cost (about 1 per product; a code with several products costs more). */
  tokens: number | null;
  requests_per_second: number;
  eta_seconds: number;
  /**
   * `all_pending`: the first provider is asked for every unit to query. `upper_bound`: a later
   * provider only gets what the ones before did not find (the enricher: what they found), as
   * they answer, so its figures are at most these: ⌈units ÷ codes per request⌉ plus one partial
   * request per batch key for each request of the step before it, never more than the units.
   */
  bound: 'all_pending' | 'upper_bound';
}

/** The pre-flight report stored with a job when its input has been read. */
export interface PreflightReport {
  rows: number;
  valid: number;
  invalid: number;
  invalid_by_reason: Record<string, number>;
  duplicates: number;
  distinct_codes: number;
  marketplaces: string[];
  /** Units already known: cache hits (unless `refresh`) and matching rules. */
  already_known: number;
  cached: number;
  by_rule: number;
  imported: number;
  to_query: number;
  /** Requests the job will cost (one search per unit to query). */
  requests: number;
  /** At the configured quota. */
  eta_seconds: number;
  detection: Record<string, unknown> | null;
  /** Per provider of the job's chain (jobs with `providers` or `enrich_with`). */
  providers?: ProviderCost[];
}

/** A job as the API and CLI show it. */
export interface Job {
  id: string;
  owner: string;
  name: string;
  supplier_code: string | null;
  status: JobStatus;
  marketplaces: string[];
  options: JobOptions;
  source_file_name: string | null;
  source_format: string | null;
  preflight: PreflightReport | null;
  counters: {
    total_rows: number;
    valid_rows: number;
    invalid_rows: number;
    duplicate_rows: number;
    cached: number;
    to_query: number;
    done: number;
    found: number;
    not_found: number;
    /** Units whose best candidate waits for a person (`to_review`, `proposed_asin`). */
    to_review: number;
    errors: number;
  };
  retry_count: number;
  next_retry_at: string | null;
  error_message: string | null;
  /** The Amazon provider it runs on and what that points at; null for a direct import. */
  provider: { name: string; source: string } | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    supplier_code: row.supplier_code,
    status: row.status as JobStatus,
    marketplaces: fromJson<string[]>(row.marketplaces) ?? [],
    options: fromJson<JobOptions>(row.options) as JobOptions,
    source_file_name: row.source_file_name,
    source_format: row.source_format,
    preflight: fromJson<PreflightReport>(row.preflight),
    counters: {
      total_rows: row.total_rows,
      valid_rows: row.valid_rows,
      invalid_rows: row.invalid_rows,
      duplicate_rows: row.duplicate_rows,
      cached: row.cached_count,
      to_query: row.to_query,
      done: row.done_count,
      found: row.found_count,
      not_found: row.not_found_count,
      to_review: row.to_review_count,
      errors: row.error_count,
    },
    retry_count: row.retry_count,
    next_retry_at: row.next_retry_at,
    error_message: row.error_message,
    provider: row.provider ? { name: row.provider, source: row.provider_source ?? 'amazon' } : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
  };
}

export interface NewJob {
  owner: string;
  options: JobOptions;
  sourceFileName?: string | null;
  sourceFormat?: string | null;
  sourceSha256?: string | null;
}

/** Inserts a job in `pending`; ingestion fills its rows and counters. */
export async function insertJob(db: Kysely<DB>, job: NewJob): Promise<Job> {
  const now = nowIso();
  const row = await db
    .insertInto('code2asin_jobs')
    .values({
      id: randomUUID(),
      owner: job.owner,
      name: job.options.name,
      supplier_code: job.options.supplier_code ?? null,
      status: 'pending',
      marketplaces: toJson(job.options.marketplaces),
      options: toJson(job.options),
      source_file_name: job.sourceFileName ?? null,
      source_format: job.sourceFormat ?? null,
      source_sha256: job.sourceSha256 ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

/**
 * The job, or a `job_not_found` error. With `owner`, someone else's job is reported as not
 * found (never as forbidden), so ids of other owners' jobs do not leak.
 */
export async function getJob(db: Kysely<DB>, id: string, owner?: string | null): Promise<Job> {
  let query = db.selectFrom('code2asin_jobs').selectAll().where('id', '=', id);
  if (owner) query = query.where('owner', '=', owner);
  const row = await query.executeTakeFirst();
  if (!row) throw new JobError('job_not_found', `Job ${id} not found.`, { id });
  return toJob(row);
}

export interface JobListQuery {
  owner?: string | null;
  status?: JobStatus | null;
  search?: string | null;
  page?: number;
  perPage?: number;
  sort?: 'created_at' | '-created_at' | 'name' | '-name' | 'status' | '-status';
}

/** A page of jobs: `{items, total, page, per_page}` as in the original system. */
export async function listJobs(
  db: Kysely<DB>,
  q: JobListQuery,
): Promise<{ items: Job[]; total: number; page: number; per_page: number }> {
  const page = Math.max(1, q.page ?? 1);
  const perPage = Math.min(200, Math.max(1, q.perPage ?? 20));
  let base = db.selectFrom('code2asin_jobs');
  if (q.owner) base = base.where('owner', '=', q.owner);
  if (q.status) base = base.where('status', '=', q.status);
  if (q.search) {
    const like = `%${q.search.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        // SQLite has no default escape character: name it, on both dialects.
        sql<boolean>`lower(name) like ${like} escape '\\'`,
        sql<boolean>`lower(supplier_code) like ${like} escape '\\'`,
      ]),
    );
  }
  const sort = q.sort ?? '-created_at';
  const column = sort.replace('-', '') as 'created_at' | 'name' | 'status';
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(column, sort.startsWith('-') ? 'desc' : 'asc')
      .orderBy('id')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toJob), total: Number(count.n), page, per_page: perPage };
}

/**
 * Deletes a job and everything stored for it, in one transaction; resolves to whether the job
 * was deleted (false when it no longer matched `where`, e.g. it started processing meanwhile).
 * On PostgreSQL rows and results have no foreign key to the job (migration 0003), so they are
 * deleted here. The job row goes first: it waits for an ingestion transaction holding the job
 * (`holdJobForIngestion`), and any later one finds the job gone and stops, so nothing is left
 * behind.
 */
export async function deleteJobData(
  db: Kysely<DB>,
  id: string,
  where: { notStatus?: JobStatus; abandonedBefore?: string } = {},
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let query = trx.deleteFrom('code2asin_jobs').where('id', '=', id);
    if (where.notStatus) query = query.where('status', '<>', where.notStatus);
    if (where.abandonedBefore)
      query = query.where('preflight', 'is', null).where('updated_at', '<', where.abandonedBefore);
    const deleted = await query.executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return false;
    await trx.deleteFrom('code2asin_results').where('job_id', '=', id).execute();
    await trx.deleteFrom('code2asin_rows').where('job_id', '=', id).execute();
    await trx.deleteFrom('code2asin_logs').where('job_id', '=', id).execute();
    await trx.deleteFrom('code2asin_decisions').where('job_id', '=', id).execute();
    await trx.deleteFrom('code2asin_refused_providers').where('job_id', '=', id).execute();
    return true;
  });
}

/**
 * A job whose pre-flight report is still missing this long after its last ingestion transaction
 * is a leftover of a process that stopped while reading its input (ingestion touches the job at
 * every transaction, every 10,000 rows).
 */
export const ABANDONED_INGESTION_MS = 2 * 60_000;

/** The error of an ingestion whose job was deleted meanwhile. */
export function deletedWhileRead(id: string): JobError {
  return new JobError('job_not_found', `Job ${id} was deleted while its input was read.`);
}

/**
 * Holds the job for an ingestion transaction and marks it alive: one `update` of the job row per
 * transaction (on PostgreSQL, where no foreign key checks each inserted row, it also makes a
 * delete of the job wait for the transaction). Fails if the job is gone.
 */
export async function holdJobForIngestion(trx: Transaction<DB>, id: string): Promise<void> {
  const held = await trx
    .updateTable('code2asin_jobs')
    .set({ updated_at: nowIso() })
    .where('id', '=', id)
    .where('preflight', 'is', null)
    .executeTakeFirst();
  if (Number(held.numUpdatedRows) === 0) throw deletedWhileRead(id);
}

/**
 * Holds the job for a second ingestion transaction next to the one that touched it (PostgreSQL's
 * `for key share` is compatible with that update's lock; a delete of the job waits for both).
 */
export async function shareJobForIngestion(
  trx: Transaction<DB>,
  dialect: DialectAdapter,
  id: string,
): Promise<void> {
  const found = await sql<{
    id: string;
  }>`select id from code2asin_jobs where id = ${id} ${dialect.lockAgainstDelete()}`.execute(trx);
  if (found.rows.length === 0) throw deletedWhileRead(id);
}

/**
 * Deletes the leftovers of ingestions that stopped half-way (a process killed while reading a
 * file): jobs still without a pre-flight report {@link ABANDONED_INGESTION_MS} after their last
 * ingestion transaction. Their input was not completely read, so they must never run; the upload
 * that created them never succeeded. Resolves to the jobs deleted.
 */
export async function sweepAbandonedIngestions(
  db: Kysely<DB>,
  olderThanMs = ABANDONED_INGESTION_MS,
): Promise<{ id: string; name: string }[]> {
  const cutoff = nowIso(-olderThanMs);
  const stale = await db
    .selectFrom('code2asin_jobs')
    .select(['id', 'name'])
    .where('status', '=', 'pending')
    .where('preflight', 'is', null)
    .where('updated_at', '<', cutoff)
    .execute();
  const deleted: { id: string; name: string }[] = [];
  for (const job of stale)
    if (await deleteJobData(db, job.id, { abandonedBefore: cutoff })) deleted.push(job);
  return deleted;
}

/** The owner's jobs of the same input file (by its SHA-256) that have not ended, newest first. */
export async function unfinishedJobsOfSource(
  db: Kysely<DB>,
  owner: string,
  sourceSha256: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('code2asin_jobs')
    .select('id')
    .where('owner', '=', owner)
    .where('source_sha256', '=', sourceSha256)
    .where('status', 'in', ['pending', 'waiting_for_amazon', 'processing', 'paused', 'failed'])
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => r.id);
}
