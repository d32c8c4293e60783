import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { nowIso } from '../../src/db/dialect.js';
import { parseJobOptions } from '../../src/jobs/job-options.js';
import { ingestJob } from '../../src/jobs/ingest.js';
import {
  deleteJobData,
  getJob,
  insertJob,
  sweepAbandonedIngestions,
} from '../../src/jobs/jobs-repository.js';
import { applyJobAction } from '../../src/jobs/lifecycle.js';
import type { InputRow } from '../../src/jobs/prepare-chunk.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';

/** EAN-13 with a valid check digit for a 12-digit body. */
function ean13(n: number): string {
  const body = `400${String(n).padStart(9, '0')}`;
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}

async function* codeRows(
  count: number,
  onRow?: (n: number) => void | Promise<void>,
): AsyncGenerator<InputRow> {
  for (let n = 0; n < count; n += 1) {
    await onRow?.(n);
    yield { rowNumber: n + 2, cells: [ean13(n)] };
  }
}

/**
 * Until a `delete` of a job waits for a lock on PostgreSQL (the ingestion's transaction holds the
 * job row): the delete is then certain to come before the ingestion's next transaction, however
 * slowly its statement reached the server. At most 60 s (then the test goes on as it may).
 */
async function untilDeleteWaits(db: ReturnType<typeof createTestJobsContext>['database']['db']) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
       where wait_event_type = 'Lock' and query ilike 'delete from "code2asin_jobs"%'`.execute(db);
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

forEachDatabase('interrupted ingestion', (db) => {
  const options = parseJobOptions({ name: 'half read', marketplaces: ['www.amazon.fr'] });

  it('a job whose input was not completely read cannot start, resume or retry; it can be cancelled', async () => {
    const ctx = createTestJobsContext(db.database());
    // What a process killed while reading a file leaves: the job and some rows, no pre-flight.
    const job = await insertJob(ctx.database.db, { owner: 'o', options });
    await assert.rejects(applyJobAction(ctx, job.id, 'start'), (e: Error) => {
      assert.match(e.message, /input has not been completely read/);
      assert.match(e.message, /delete it and create the job again/);
      return true;
    });
    assert.equal((await getJob(ctx.database.db, job.id)).status, 'pending');
    const cancelled = await applyJobAction(ctx, job.id, 'cancel');
    assert.equal(cancelled.status, 'cancelled');
    await assert.rejects(applyJobAction(ctx, job.id, 'retry'), /not been completely read/);
  });

  it('the sweep deletes stale leftovers with their rows and units, and nothing else', async () => {
    const ctx = createTestJobsContext(db.database());
    const { db: k } = ctx.database;
    const stale = await insertJob(k, { owner: 'o', options });
    const fresh = await insertJob(k, { owner: 'o', options });
    const complete = await insertJob(k, { owner: 'o', options: { ...options, auto_start: false } });
    await ingestJob(ctx, complete.id, { header: null, codeColumn: 0, rows: codeRows(5) });
    const old = nowIso(-10 * 60_000);
    await k
      .insertInto('code2asin_rows')
      .values({ job_id: stale.id, row_number: 2, valid: 0, cells: '["x"]' })
      .execute();
    await k
      .updateTable('code2asin_jobs')
      .set({ updated_at: old })
      .where('id', 'in', [stale.id, complete.id])
      .execute();

    const deleted = await sweepAbandonedIngestions(k);
    assert.deepEqual(
      deleted.map((j) => j.id),
      [stale.id],
    );
    const left = await k
      .selectFrom('code2asin_jobs')
      .select('id')
      .where('id', 'in', [stale.id, fresh.id, complete.id])
      .execute();
    assert.deepEqual(left.map((j) => j.id).sort(), [fresh.id, complete.id].sort());
    const staleRows = await k
      .selectFrom('code2asin_rows')
      .select('row_number')
      .where('job_id', '=', stale.id)
      .execute();
    assert.equal(staleRows.length, 0);
    assert.equal((await getJob(k, complete.id)).counters.total_rows, 5);
    await deleteJobData(k, fresh.id);
    await deleteJobData(k, complete.id);
  });

  /**
   * Ingests `count` codes and deletes the job when row `at` is read, then checks the ingestion's
   * answer and that nothing of the job is left. The reader waits until the delete is queued on
   * the job row (PostgreSQL) or done (SQLite): sent on a separate pool connection and not waited
   * for, the delete could reach the server after the ingestion ended on a busy machine.
   */
  async function deleteWhileRead(count: number, at: number): Promise<void> {
    const ctx = createTestJobsContext(db.database());
    const { db: k } = ctx.database;
    const job = await insertJob(k, { owner: 'o', options });
    let deleting: Promise<boolean> | undefined;
    const rows = codeRows(count, async (n) => {
      if (n !== at) return;
      deleting = deleteJobData(k, job.id);
      if (db.kind === 'postgres') await untilDeleteWaits(k);
      else await deleting;
    });
    await assert.rejects(
      ingestJob(ctx, job.id, { header: null, codeColumn: 0, rows }),
      /was deleted while its input was read/,
    );
    assert.equal(await deleting, true);
    for (const table of ['code2asin_rows', 'code2asin_results'] as const) {
      const left = await k
        .selectFrom(table)
        .select('job_id')
        .where('job_id', '=', job.id)
        .execute();
      assert.equal(left.length, 0, table);
    }
  }

  it('a job deleted while its input is read stops the ingestion and leaves no rows or units behind', async () => {
    // PostgreSQL: the delete is requested inside the first ingestion transaction and waits for
    // it (the job row is held), then the next transaction finds the job gone. SQLite reads a
    // transaction's rows before it takes the write lock: the delete is done before it.
    await deleteWhileRead(25_000, 5_000);
  });

  it('a job deleted as its last row is read: the same answer, nothing left behind', async () => {
    // PostgreSQL: the delete waits for the last transaction, so the ingestion finds the job gone
    // only when it writes the pre-flight report (it said "Job … not found." there before).
    await deleteWhileRead(3_000, 2_999);
  });

  it('several ingestions at once on a small connection pool all finish (no pool deadlock)', async () => {
    // Each PostgreSQL batch may hold a second connection while it waits for it: with a pool of 3,
    // four ingestions doing so at once would wait for each other forever.
    // (A wait for a connection fails after 20 s instead of hanging the test if that happens.)
    const database = openDatabase(db.url(), { poolSize: 3, connectionTimeoutMs: 20_000 });
    try {
      const ctx = createTestJobsContext(database);
      const jobs = await Promise.all(
        [0, 1, 2, 3].map(() => insertJob(database.db, { owner: 'pool', options })),
      );
      const done = await Promise.all(
        jobs.map((job) =>
          ingestJob(ctx, job.id, { header: null, codeColumn: 0, rows: codeRows(25_000) }),
        ),
      );
      assert.deepEqual(
        done.map((j) => j.counters.total_rows),
        [25_000, 25_000, 25_000, 25_000],
      );
      for (const job of jobs) await deleteJobData(database.db, job.id);
    } finally {
      await database.close();
    }
  });
});
