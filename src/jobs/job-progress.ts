import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Job } from './jobs-repository.js';

/** Resolved units out of all units (code × marketplace) of a job; rate and ETA when known. */
export interface JobProgress {
  percent: number;
  done: number;
  total: number;
  rate_per_second: number | null;
  eta_seconds: number | null;
}

/** The window the current rate is measured over. */
export const RATE_WINDOW_MS = 60_000;

/**
 * A job's progress, the one computation the API, the CLI and the UI show: percent to a tenth,
 * ETA as the open units at the current rate (0 once a running job has nothing open, null while
 * the rate is unknown). The rate is measured in units, not requests, so a provider that answers
 * several codes per request (`maxCodesPerCall`) shows in it as it is; before any is measured,
 * the pre-flight's `eta_seconds` counts its requests.
 */
export function jobProgress(input: {
  total: number;
  open: number;
  status: string;
  ratePerSecond: number | null;
}): JobProgress {
  const { total, open } = input;
  const done = Math.max(0, total - open);
  const percent = total === 0 ? 100 : Math.floor((done / total) * 1000) / 10;
  const rate = input.ratePerSecond;
  let eta = rate !== null && rate > 0 && open > 0 ? Math.ceil(open / rate) : null;
  if (input.status === 'processing' && open === 0) eta = 0;
  return { percent, done, total, rate_per_second: rate, eta_seconds: eta };
}

/**
 * Units resolved per second lately: those resolved since the job started within the last
 * minute, over the time from the first of them to now. Measuring from the first resolved unit
 * (not from the window's start) keeps the rate right just after a start or a resume, and a
 * stalled job's rate falls as time passes without progress. Null when nothing was resolved.
 * Read from the counts the database keeps per job and whole second (migration 0016): at most a
 * minute of rows whatever the job's size, so the window and the first unit are whole seconds.
 */
export async function currentRate(
  db: Kysely<DB>,
  job: Job,
  now = Date.now(),
): Promise<number | null> {
  if (job.status !== 'processing' || !job.started_at) return null;
  const since = Math.floor(Math.max(now - RATE_WINDOW_MS, Date.parse(job.started_at)) / 1000);
  // Per second first: on PostgreSQL a second's deltas may cancel out (a result decided since).
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('code2asin_job_progress')
        .select(['at_second', sql<number>`sum(n)`.as('n')])
        .where('job_id', '=', job.id)
        .where('at_second', '>=', since)
        .groupBy('at_second')
        .having(sql<boolean>`sum(n) > 0`)
        .as('s'),
    )
    .select([sql<number>`sum(n)`.as('n'), sql<number | string | null>`min(at_second)`.as('first')])
    .executeTakeFirstOrThrow();
  const n = Number(row.n ?? 0);
  if (n === 0 || row.first === null) return null;
  const seconds = Math.max(1, (now - Number(row.first) * 1000) / 1000);
  return Math.round((n / seconds) * 100) / 100;
}
