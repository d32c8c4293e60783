import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { nowIso } from '../db/dialect.js';
import { waitForRateLimiterSlots } from '../db/rate-limit-slots.js';
import type { DB } from '../db/schema.js';
import type { JobsContext } from './context.js';
import { JobError } from './errors.js';
import {
  deletedWhileRead,
  getJob,
  holdJobForIngestion,
  shareJobForIngestion,
  type Job,
} from './jobs-repository.js';
import { buildPreflight } from './preflight.js';
import {
  prepareChunk,
  ROWS_TABLE,
  UNITS_TABLE,
  type IngestCounts,
  type InputColumns,
  type InputRow,
} from './prepare-chunk.js';

/** Rows of the job's input with the columns chosen by detection (0-based indexes). */
export interface IngestSource extends InputColumns {
  header: string[] | null;
  rows: AsyncIterable<InputRow>;
  /** What detection chose and why, stored in the pre-flight report. */
  detection?: Record<string, unknown> | null;
}

/**
 * Rows parsed and handed to the database at a time. Small, so what a chunk allocates dies young:
 * with 5,000-row batches held while they were stored, GC took 6.8 s of a 36 s run on 1,000,000
 * rows; with 1,000-row chunks, 1.8 s (CPU profiles).
 */
const CHUNK_ROWS = 1000;
/**
 * Rows per transaction: commits, and on SQLite checkpoints, amortised over many chunks, while the
 * SQLite write lock is held briefly (about 0.2 s): a worker storing a result meanwhile waits for
 * it synchronously, and its request slots with it. 50,000 held it 0.7–2 s for no measurable gain
 * (1M rows: 15.0 s with 50,000, 13.5 s with 10,000, same run).
 */
const TRANSACTION_ROWS = 10_000;
/**
 * Rows per transaction on SQLite while another job is being looked up: its worker stores results
 * and records its rate limiter's grants in the same file, and waits for the write lock at each
 * (up to a whole transaction of this ingestion, about 0.2 s at 10,000 rows, more on a loaded
 * machine). 1,000 rows hold it about 10–20 ms; the next rows are read between two transactions,
 * with the lock free. Measured in bench/upload-during-job.bench.ts (docs/benchmarks/upload-during-job.md).
 */
const SHARED_TRANSACTION_ROWS = 1_000;
/** Least time a transaction is expected to hold the write lock (see `waitForRateLimiterSlots`). */
const MIN_HOLD_MS = 10;

/**
 * Streams the input into `code2asin_rows` and one unit of work per (marketplace, distinct GTIN)
 * into `code2asin_results`, in batched transactions; then resolves what needs no request
 * (matching rules, cache) and stores the pre-flight report. Duplicates are found by the unique
 * index, not in memory, so memory stays flat whatever the number of codes.
 */
export async function ingestJob(
  ctx: JobsContext,
  jobId: string,
  source: IngestSource,
  onRowsRead?: (rows: number) => void,
): Promise<Job> {
  const job = await getJob(ctx.database.db, jobId);
  const counts: IngestCounts = { rows: 0, valid: 0, invalid: 0, invalidByReason: {}, units: 0 };
  const rows = source.rows[Symbol.asyncIterator]();
  const { database } = ctx;
  const twoConnections = !database.dialect.singleWriter && !usingTwoConnections.has(database);
  if (twoConnections) usingTwoConnections.add(database);
  // How long the last transaction held the lock (an estimate for the next one).
  let holdMs = MIN_HOLD_MS;
  try {
    let more = true;
    while (more) {
      const size = await transactionRows(database, job.id);
      // SQLite: the rows of a transaction are read before it takes the one write lock, so other
      // writers (the job worker storing results, the shared limiter) wait only for the inserts.
      const input = database.dialect.singleWriter ? await readAhead(rows, size) : rows;
      if (size === SHARED_TRANSACTION_ROWS) await waitForRateLimiterSlots(database, holdMs);
      const started = performance.now();
      more = await inTransactions(database, job.id, twoConnections, (rowsTrx, unitsTrx) =>
        storeRows(database, { rows: rowsTrx, units: unitsTrx }, job, source, input, counts, size),
      );
      holdMs = Math.max(MIN_HOLD_MS, performance.now() - started);
      if (input !== rows) more = (input as ReadAhead).more;
      onRowsRead?.(counts.rows);
    }
  } catch (error) {
    await Promise.resolve(rows.return?.()).catch(() => {});
    throw error;
  } finally {
    if (twoConnections) usingTwoConnections.delete(database);
  }
  try {
    const report = await buildPreflight(ctx, job, source.detection ?? null, counts);
    await ctx.createJobLog(job.id, 'INFO', 'Input read', { ...report, detection: undefined });
    return await getJob(ctx.database.db, job.id);
  } catch (error) {
    // A delete that waited for the last transaction lands here: the same answer as a delete
    // seen by a transaction (its rows and units went with the job).
    if (error instanceof JobError && error.code === 'job_not_found') throw deletedWhileRead(job.id);
    throw error;
  }
}

/**
 * Rows of the next transaction: fewer on SQLite while another job is being looked up (one
 * indexed read per transaction, so a job started meanwhile is seen within one).
 */
async function transactionRows(database: Database, jobId: string): Promise<number> {
  if (!database.dialect.singleWriter) return TRANSACTION_ROWS;
  const running = await database.db
    .selectFrom('code2asin_jobs')
    .select('id')
    .where('status', '=', 'processing')
    .where('id', '<>', jobId)
    .limit(1)
    .executeTakeFirst();
  return running ? SHARED_TRANSACTION_ROWS : TRANSACTION_ROWS;
}

/** Rows read ahead of a transaction, and whether the input may hold more. */
interface ReadAhead extends AsyncIterator<InputRow> {
  more: boolean;
}

/**
 * Up to `count` rows of `rows`, read now and handed out as an iterator. With the file read
 * inside the transaction, SQLite's write lock was held while the file was parsed: 8 uploads of
 * 60,000 rows at once took a running job from 5 to 2.46 requests/s (issue 13).
 */
async function readAhead(rows: AsyncIterator<InputRow>, count: number): Promise<ReadAhead> {
  const buffered: InputRow[] = [];
  let more = true;
  while (buffered.length < count) {
    const next = await rows.next();
    if (next.done) {
      more = false;
      break;
    }
    buffered.push(next.value);
  }
  let index = 0;
  return {
    more,
    next: () =>
      Promise.resolve(
        index < buffered.length
          ? { value: buffered[index++] as InputRow, done: false }
          : { value: undefined, done: true },
      ),
  };
}

/**
 * Reads up to `size` rows into the transaction, chunk by chunk; resolves to
 * whether rows may remain. The transaction stays open while the input is read: on PostgreSQL the
 * server inserts a chunk while the next one is parsed.
 */
async function storeRows(
  database: Database,
  trx: { rows: Transaction<DB>; units: Transaction<DB> },
  job: Job,
  columns: InputColumns,
  rows: AsyncIterator<InputRow>,
  counts: IngestCounts,
  size: number,
): Promise<boolean> {
  const rowWriter = database.createBulkWriter(trx.rows, ROWS_TABLE);
  const unitWriter = database.createBulkWriter(trx.units, UNITS_TABLE);
  let read = 0;
  let more = true;
  while (more && read < size) {
    const chunk: InputRow[] = [];
    while (chunk.length < Math.min(CHUNK_ROWS, size - read)) {
      const next = await rows.next();
      if (next.done) {
        more = false;
        break;
      }
      chunk.push(next.value);
    }
    read += chunk.length;
    const prepared = prepareChunk(job, columns, chunk, nowIso(), counts);
    await rowWriter.write(prepared.rows);
    await unitWriter.write(prepared.units);
  }
  await rowWriter.finish();
  counts.units += await unitWriter.finish();
  return more;
}

/**
 * Databases on which an ingestion holds a second connection. One per process at a time: each
 * batch holds its first connection while it waits for the second, so several ingestions doing
 * so at once could take the whole pool and wait for each other forever. The others use one.
 */
const usingTwoConnections = new WeakSet<Database>();

/**
 * Runs `fn` in the transaction(s) of one batch, the job held. SQLite has one writer: rows and
 * units share one transaction. PostgreSQL: rows and units go through two transactions on two
 * connections, so that two server processes insert them at once (the server's inserts are the
 * bottleneck there: 1,000,000 rows took 22.8–24.9 s with one connection, 20.1–21.9 s with two),
 * for one ingestion of the process at a time ({@link usingTwoConnections}). The two commit one
 * after the other; were the process to stop in between, the job has no pre-flight report yet and
 * never runs (`applyJobAction`), like any job whose input was not completely read.
 */
async function inTransactions(
  database: Database,
  jobId: string,
  twoConnections: boolean,
  fn: (rowsTrx: Transaction<DB>, unitsTrx: Transaction<DB>) => Promise<boolean>,
): Promise<boolean> {
  const { db } = database;
  if (!twoConnections)
    return db.transaction().execute(async (trx) => {
      await holdJobForIngestion(trx, jobId);
      return fn(trx, trx);
    });
  return db.transaction().execute(async (rowsTrx) => {
    await holdJobForIngestion(rowsTrx, jobId);
    return db.transaction().execute(async (unitsTrx) => {
      await shareJobForIngestion(unitsTrx, database.dialect, jobId);
      return fn(rowsTrx, unitsTrx);
    });
  });
}
