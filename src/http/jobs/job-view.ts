import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { allowedActions } from '../../jobs/job-status.js';
import { currentRate, jobProgress, type JobProgress } from '../../jobs/job-progress.js';
import type { Job } from '../../jobs/jobs-repository.js';
import { jobStatistics, type JobStatistics } from '../../jobs/statistics.js';

export type { JobProgress };

/** A job as the routes show it: the stored job, the actions allowed now and its progress. */
export type JobView = Job & { allowed_actions: string[]; progress: JobProgress };

/**
 * Units and open (pending or claimed) units of each job, in one grouped query over the counts the
 * database keeps per job (migration 0016: a claimed unit is kept as pending): a few rows per job
 * whatever its size.
 */
async function unitCounts(
  db: Kysely<DB>,
  jobIds: readonly string[],
): Promise<Map<string, { total: number; open: number }>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('code2asin_job_tiles')
    .select([
      'job_id',
      sql<number>`sum(n)`.as('total'),
      sql<number>`sum(case when status = 'pending' then n else 0 end)`.as('open'),
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
      progress: jobProgress({ ...c, status: job.status, ratePerSecond: null }),
    };
  });
}

/**
 * A running job's tiles and rate move every second: computed at most once a second (they read the
 * counts kept per job since migration 0016; before, each was a pass over the job's units).
 */
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
  const progress = jobProgress({
    total: statistics.total_codes,
    open: statistics.pending,
    status: job.status,
    ratePerSecond: rate,
  });
  return { ...job, allowed_actions: allowedActions(job.status), progress, statistics };
}

/** The short job state sent by the event stream. */
export async function jobProgressView(db: Kysely<DB>, job: Job): Promise<JobView> {
  const [view] = await jobViews(db, [job]);
  return view as JobView;
}
