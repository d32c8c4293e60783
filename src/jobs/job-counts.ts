import { sql, type Kysely } from 'kysely';
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
      count(case when n < 0 then 1 end) as negative
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
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtext('code2asin_job_counts'), hashtext(${jobId})) as locked`.execute(
      trx,
    );
    if (!rows[0]?.locked) return false;
    // Holds the job against a delete (which deletes its counts) until the fold commits: the two
    // never interleave, so neither waits for the other's rows nor leaves a deleted job's sums.
    const job = await sql`select id from code2asin_jobs where id = ${jobId} for key share`.execute(
      trx,
    );
    if (job.rows.length === 0) return false;
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
