import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

/**
 * A job's count rows beyond one per key that a reader tolerates before folding them: reading
 * stays a few hundred rows at most, and a fold (one grouped rewrite of the job's rows) runs once
 * per this many write statements, not per read.
 */
export const FOLD_AT = 256;

/** One (tile status, match type) group of a job's kept counts (migration 0016). */
export interface TileGroup {
  status: string;
  match_type: string;
  n: number | string;
  with_asin: number | string;
  with_images: number | string;
  with_price: number | string;
  confidence_sum: number | string | null;
  confidence_n: number | string;
  /** Stored rows summed into this group, and how many distinct keys they hold. */
  parts: number | string;
  keys: number | string;
}

/** A job's tiles as groups of its kept counts: a few rows, whatever the job's size. */
export function tileCountsQuery(jobId: string) {
  const when = (flag: string) => sql`sum(case when ${sql.ref(flag)} = 1 then n else 0 end)`;
  return sql<TileGroup>`select status, match_type, sum(n) as n,
      ${when('with_asin')} as with_asin, ${when('with_images')} as with_images,
      ${when('with_price')} as with_price,
      sum(confidence_sum) as confidence_sum, sum(confidence_n) as confidence_n,
      count(*) as parts, count(distinct with_asin * 4 + with_images * 2 + with_price) as keys
    from code2asin_job_tiles where job_id = ${jobId}
    group by status, match_type`;
}

/** One (outcome, bucket) group of a job's kept progress counts. */
export interface ProgressGroup {
  status: string;
  bucket: number | string;
  n: number | string;
  /**
   * Rows of negative deltas summed into this group: only unfolded PostgreSQL deltas are
   * negative (a folded row, like SQLite's, counts the units last written in its second), and
   * each update statement that moved a unit appends one. Counting them needs no sort, unlike the
   * distinct seconds (×4 the time of the whole query for a three-hour run on PostgreSQL).
   */
  negative: number | string;
  /** Stored rows summed into this group. */
  parts: number | string;
}

/**
 * A job's resolved units by outcome in buckets of `bucketSeconds` whole seconds from
 * `fromSecond` (epoch seconds): exact, since each kept row is one whole second of `updated_at`
 * and `fromSecond` is whole. Rows the bucket division makes negative (written before the start)
 * come back as bucket 0 or below, for the caller to clamp.
 */
export function progressCountsQuery(jobId: string, fromSecond: number, bucketSeconds: number) {
  if (!Number.isSafeInteger(fromSecond) || !Number.isSafeInteger(bucketSeconds))
    throw new RangeError('progress buckets are whole seconds');
  // Literals (checked integers): integer division on both databases, and one expression that
  // `group by` repeats.
  const bucket = sql`(at_second - ${sql.lit(fromSecond)}) / ${sql.lit(bucketSeconds)}`;
  return sql<ProgressGroup>`select status, ${bucket} as bucket, sum(n) as n,
      count(*) as parts, count(case when n < 0 then 1 end) as negative
    from code2asin_job_progress where job_id = ${jobId}
    group by status, ${bucket}`;
}

/** True when the chart's rows hold more than FOLD_AT negative deltas (PostgreSQL). */
export function chartNeedsFold(groups: readonly ProgressGroup[]) {
  return groups.reduce((s, g) => s + Number(g.negative), 0) > FOLD_AT;
}

/** True when the tiles' rows hold more than FOLD_AT rows beyond one per key. */
export function tilesNeedFold(groups: readonly TileGroup[]) {
  const extra = groups.reduce((s, g) => s + Number(g.parts) - Number(g.keys), 0);
  return extra > FOLD_AT;
}

/**
 * Replaces a job's count deltas by one row per key (PostgreSQL: SQLite's triggers keep one row
 * per key already, so its readers never call this). One statement per table deletes the rows it
 * sees and inserts their sums, so the total never changes, whatever is committed meanwhile;
 * deltas of transactions still open are not seen and stay. The per-job advisory lock keeps two
 * folds apart; a reader that finds one under way leaves the fold to it. False when not folded
 * (another fold under way, or the job is gone).
 */
export async function foldJobCounts(db: Kysely<DB>, jobId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await holdJobCounts(trx, jobId, true))) return false;
    await sql`with folded as (delete from code2asin_job_tiles where job_id = ${jobId} returning *)
      insert into code2asin_job_tiles
        (job_id, status, match_type, with_asin, with_images, with_price, n, confidence_sum, confidence_n)
      select job_id, status, match_type, with_asin, with_images, with_price,
             sum(n), sum(confidence_sum), sum(confidence_n)
        from folded group by job_id, status, match_type, with_asin, with_images, with_price
      having sum(n) <> 0 or sum(confidence_n) <> 0`.execute(trx);
    await sql`with folded as (delete from code2asin_job_progress where job_id = ${jobId} returning *)
      insert into code2asin_job_progress (job_id, status, at_second, n)
      select job_id, status, at_second, sum(n) from folded
       group by job_id, status, at_second having sum(n) <> 0`.execute(trx);
    return true;
  });
}

/**
 * The per-job advisory lock (PostgreSQL: `rowLocks`), then the job held against a delete (which
 * deletes its counts) until the transaction ends: a fold, a roll-up and a delete never
 * interleave, so none waits for another's rows nor leaves a deleted job's sums. False when
 * another fold holds the job, or the job is gone.
 */
async function holdJobCounts(trx: Transaction<DB>, jobId: string, rowLocks: boolean) {
  if (rowLocks) {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtext('code2asin_job_counts'), hashtext(${jobId})) as locked`.execute(
      trx,
    );
    if (!rows[0]?.locked) return false;
  }
  const job = await sql`select id from code2asin_jobs where id = ${jobId}
    ${rowLocks ? sql`for key share` : sql``}`.execute(trx);
  return job.rows.length > 0;
}

/**
 * Rolls a job's progress rows before `cutoffSecond` up into one row per outcome and whole minute
 * from `fromSecond` (the chart's start): once a run is over an hour long its chart's buckets are
 * whole minutes from there (`jobProgressSeries`), so minutes are all it needs, and what it reads
 * stops growing with the run's length. Exact: each row moves to its minute's start, inside the
 * same bucket; rows written later (still per second) add to the same buckets.
 */
export async function rollUpProgress(
  database: Pick<Database, 'db' | 'dialect'>,
  jobId: string,
  fromSecond: number,
  cutoffSecond: number,
): Promise<boolean> {
  return database.db.transaction().execute(async (trx) => {
    if (!(await holdJobCounts(trx, jobId, !database.dialect.singleWriter))) return false;
    const { rows } = await sql<{ status: string; at_second: number | string; n: number | string }>`
      delete from code2asin_job_progress where job_id = ${jobId} and at_second < ${cutoffSecond}
      returning status, at_second, n`.execute(trx);
    const minutes = new Map<string, { status: string; at: number; n: number }>();
    for (const r of rows) {
      const at = fromSecond + Math.floor((Number(r.at_second) - fromSecond) / 60) * 60;
      const key = `${r.status}|${at}`;
      const kept = minutes.get(key) ?? { status: r.status, at, n: 0 };
      kept.n += Number(r.n);
      minutes.set(key, kept);
    }
    const values = [...minutes.values()].filter((m) => m.n !== 0);
    for (let i = 0; i < values.length; i += 500) {
      const part = values
        .slice(i, i + 500)
        .map((m) => sql`(${jobId}, ${m.status}, ${m.at}, ${m.n})`);
      // SQLite's rows are one per key (a roll-up may meet a row written since); PostgreSQL's are
      // deltas, appended.
      const merge = database.dialect.singleWriter
        ? sql`on conflict (job_id, status, at_second) do update set n = n + excluded.n`
        : sql``;
      await sql`insert into code2asin_job_progress (job_id, status, at_second, n)
        values ${sql.join(part)} ${merge}`.execute(trx);
    }
    return true;
  });
}

/**
 * Folds the count deltas of every job that has piled up more than FOLD_AT rows (PostgreSQL; the
 * maintenance run): a running job nobody looks at would otherwise keep a few rows per write
 * statement until its page is next read. Detected on the tiles' rows, which grow at the same
 * pace as the chart's and are few once folded. Returns the jobs folded.
 */
export async function foldPiledJobCounts(database: Database): Promise<number> {
  if (database.dialect.singleWriter) return 0;
  const piled = await database.db
    .selectFrom('code2asin_job_tiles')
    .select('job_id')
    .groupBy('job_id')
    .having(sql<boolean>`count(*) > ${FOLD_AT}`)
    .execute();
  let folded = 0;
  for (const { job_id } of piled) if (await foldJobCounts(database.db, job_id)) folded++;
  return folded;
}
