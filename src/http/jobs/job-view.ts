import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { allowedActions } from '../../jobs/job-status.js';
import type { Job } from '../../jobs/jobs-repository.js';
import { jobStatistics, type JobStatistics } from '../../jobs/statistics.js';

/** Resolved units out of all units (code × marketplace) of a job; rate and ETA when known. */
export interface JobProgress {
  percent: number;
  done: number;
  total: number;
  rate_per_second: number | null;
  eta_seconds: number | null;
}

/** A job as the routes show it: the stored job, the actions allowed now and its progress. */
export type JobView = Job & { allowed_actions: string[]; progress: JobProgress };

/** The window the current rate is measured over. */
export const RATE_WINDOW_MS = 60_000;

function progressOf(total: number, open: number): JobProgress {
  const done = Math.max(0, total - open);
  const percent = total === 0 ? 100 : Math.floor((done / total) * 1000) / 10;
  return { percent, done, total, rate_per_second: null, eta_seconds: null };
}

/** Units and open (pending or claimed) units of each job, in one grouped query. */
async function unitCounts(
  db: Kysely<DB>,
  jobIds: readonly string[],
): Promise<Map<string, { total: number; open: number }>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('code2asin_results')
    .select([
      'job_id',
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when status in ('pending', 'claimed') then 1 else 0 end)`.as('open'),
    ])
    .where('job_id', 'in', [...jobIds])
    .groupBy('job_id')
    .execute();
  return new Map(
    rows.map((r) => [r.job_id, { total: Number(r.total), open: Number(r.open ?? 0) }]),
  );
}

/** List items: each job with its allowed actions and progress (no rate: one query per page). */
export async function jobViews(db: Kysely<DB>, jobs: readonly Job[]): Promise<JobView[]> {
  const counts = await unitCounts(
    db,
    jobs.map((j) => j.id),
  );
  return jobs.map((job) => {
    const c = counts.get(job.id) ?? { total: 0, open: 0 };
    return {
      ...job,
      allowed_actions: allowedActions(job.status),
      progress: progressOf(c.total, c.open),
    };
  });
}

/**
 * Units resolved per second lately: those resolved since the job started within the last
 * minute, over the time from the first of them to now. Measuring from the first resolved unit
 * (not from the window's start) keeps the rate right just after a start or a resume, and a
 * stalled job's rate falls as time passes without progress. Null when nothing was resolved.
 */
export async function currentRate(
  db: Kysely<DB>,
  job: Job,
  now = Date.now(),
): Promise<number | null> {
  if (job.status !== 'processing' || !job.started_at) return null;
  const since = Math.max(now - RATE_WINDOW_MS, Date.parse(job.started_at));
  const row = await db
    .selectFrom('code2asin_results')
    .select([sql<number>`count(*)`.as('n'), sql<string | null>`min(updated_at)`.as('first')])
    .where('job_id', '=', job.id)
    .where('status', 'in', ['found', 'to_review', 'not_found', 'error'])
    .where('updated_at', '>=', new Date(since).toISOString())
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  if (n === 0 || !row.first) return null;
  const seconds = Math.max(1, (now - Date.parse(String(row.first))) / 1000);
  return Math.round((n / seconds) * 100) / 100;
}

/** A running job's tiles and rate are aggregates over all its units: computed at most once a second. */
const DETAIL_TTL_MS = 1000;
const detailCache = new WeakMap<
  object,
  Map<string, { at: number; value: Promise<[JobStatistics, number | null]> }>
>();

/**
 * Statistics and rate of a job, shared by the requests of the same second: 100 clients polling
 * a 10,000-unit job made the aggregate the API's main cost (docs/benchmarks/api.md).
 */
function tilesAndRate(db: Kysely<DB>, job: Job): Promise<[JobStatistics, number | null]> {
  // Only a running job's tiles move every second anyway; any other job's are exact.
  if (job.status !== 'processing')
    return Promise.all([jobStatistics(db, job.id), currentRate(db, job)]);
  let perDb = detailCache.get(db);
  if (!perDb) detailCache.set(db, (perDb = new Map()));
  const now = Date.now();
  const hit = perDb.get(job.id);
  if (hit && now - hit.at < DETAIL_TTL_MS) return hit.value;
  for (const [id, entry] of perDb) if (now - entry.at >= DETAIL_TTL_MS) perDb.delete(id);
  const value = Promise.all([jobStatistics(db, job.id), currentRate(db, job)]);
  perDb.set(job.id, { at: now, value });
  value.catch(() => perDb?.delete(job.id));
  return value;
}

/** The job detail: the view plus statistics tiles, the current rate and the ETA. */
export async function jobDetail(
  db: Kysely<DB>,
  job: Job,
): Promise<JobView & { statistics: JobStatistics }> {
  const [statistics, rate] = await tilesAndRate(db, job);
  const progress = progressOf(statistics.total_codes, statistics.pending);
  progress.rate_per_second = rate;
  progress.eta_seconds =
    rate && rate > 0 && statistics.pending > 0 ? Math.ceil(statistics.pending / rate) : null;
  if (job.status === 'processing' && statistics.pending === 0) progress.eta_seconds = 0;
  return { ...job, allowed_actions: allowedActions(job.status), progress, statistics };
}

/** The short job state sent by the event stream. */
export async function jobProgressView(db: Kysely<DB>, job: Job): Promise<JobView> {
  const [view] = await jobViews(db, [job]);
  return view as JobView;
}
