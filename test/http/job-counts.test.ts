import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import { toJson } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createMigrations } from '../../src/db/migrations/index.js';
import type { DB } from '../../src/db/schema.js';
import { jobProgressSeries } from '../../src/http/jobs/progress-route.js';
import { FOLD_AT, foldJobCounts, foldPiledJobCounts } from '../../src/jobs/job-counts.js';
import { deleteJobData } from '../../src/jobs/jobs-repository.js';
import { currentRate } from '../../src/jobs/job-progress.js';
import { jobStatistics } from '../../src/jobs/statistics.js';
import { forEachDatabase } from '../helpers/database.js';
import { chartOf, eans, reference, type Chart } from './count-reference.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, jobId } from './jobs-helpers.js';

const START = Date.parse('2026-12-05T06:00:00.000Z');
/** A time `k` seconds (and a few milliseconds, so that whole seconds matter) after START. */
const at = (k: number) => new Date(START + k * 1000 + (k % 7) * 111).toISOString();

/** The states a unit goes through, each changing what some tile or the chart counts. */
const STATES = [
  {
    status: 'found',
    asin: 'B0EXACT001',
    match_type: 'exact',
    confidence: 0.95,
    product: { images: ['a.jpg'], price: 4 },
  },
  { status: 'to_review', asin: null, match_type: 'fuzzy', confidence: 0.5, product: null },
  { status: 'not_found', asin: null, match_type: 'none', confidence: 0, product: null },
  { status: 'error', asin: null, match_type: null, confidence: null, product: null },
  {
    status: 'found',
    asin: 'B0MANUAL01',
    match_type: 'manual',
    confidence: 0.8,
    product: { price: 2 },
  },
  { status: 'claimed', asin: null, match_type: null, confidence: null, product: null },
  { status: 'pending', asin: null, match_type: null, confidence: null, product: null },
] as const;

/** Writes the `k`-th state of a unit at time `at(k)`: one statement, one transaction. */
function write(db: Kysely<DB> | Transaction<DB>, unitId: number, k: number) {
  const state = STATES[k % STATES.length]!;
  return db
    .updateTable('code2asin_results')
    .set({
      ...state,
      product: state.product === null ? null : (toJson(state.product) as never),
      updated_at: at(k),
    })
    .where('id', '=', unitId)
    .execute();
}

async function unitIds(db: Kysely<DB> | Transaction<DB>, id: string): Promise<number[]> {
  const rows = await db
    .selectFrom('code2asin_results')
    .select('id')
    .where('job_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** A job's kept count rows, and how many distinct keys they hold. */
async function keptRows(db: Kysely<DB>, id: string) {
  const { rows } = await sql<{ rows: number | string; keys: number | string }>`
    select count(*) as rows, count(distinct status || '|' || match_type || '|' || with_asin
      || with_images || with_price) as keys from code2asin_job_tiles where job_id = ${id}`.execute(
    db,
  );
  const { rows: chart } = await sql<{ rows: number | string }>`
    select count(*) as rows from code2asin_job_progress where job_id = ${id}`.execute(db);
  return {
    tiles: Number(rows[0]!.rows),
    tileKeys: Number(rows[0]!.keys),
    chart: Number(chart[0]!.rows),
  };
}

forEachDatabase('counts kept per job (migration 0016)', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(ctx.database());
  });
  after(() => t.close());
  const db = () => ctx.database().db;

  const get = async (url: string) => {
    const res = await t.call({ method: 'GET', url: `${BASE}${url}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, unknown>;
  };
  /** The API's tiles and chart against a recount of every stored unit. */
  const agrees = async (id: string, step: string) => {
    const rows = await db()
      .selectFrom('code2asin_results')
      .selectAll()
      .where('job_id', '=', id)
      .execute();
    const detail = await get(`/jobs/${id}`);
    assert.deepEqual(detail.statistics, reference(rows).statistics, `${step}: tiles`);
    const chart = (await get(`/jobs/${id}/progress`)) as unknown as Chart;
    assert.deepEqual(chart.points, chartOf(rows, chart), `${step}: progress chart`);
    return detail.statistics as Record<string, number>;
  };
  const jobRow = (id: string) =>
    db().selectFrom('code2asin_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** A job of `n` codes that ran from START to two minutes later (the chart's 2 s buckets). */
  const newJob = async (name: string, n: number) => {
    const id = await jobId(t, { name, codes: eans(n), auto_start: false });
    await db()
      .updateTable('code2asin_jobs')
      .set({ status: 'completed', started_at: at(0), completed_at: at(120) })
      .where('id', '=', id)
      .execute();
    return id;
  };

  it('concurrent writers lose no delta, and a fold between or during writes changes no figure', async () => {
    const id = await newJob('Concurrent', 24);
    const units = await unitIds(db(), id);
    const writer = async (w: number, from: number, to: number) => {
      for (let r = from; r < to; r++) await write(db(), units[w * 6 + (r % 6)]!, r + w);
    };
    const writers = (from: number, to: number) =>
      Promise.all([0, 1, 2, 3].map((w) => writer(w, from, to)));
    await writers(0, 20);
    const before = await agrees(id, 'first writes');
    if (ctx.kind === 'postgres') {
      assert.equal(await foldJobCounts(db(), id), true);
      assert.deepEqual(await agrees(id, 'after a fold'), before, 'a fold changes no figure');
      // Folds run while four writers commit: whatever interleaving, every delta is counted once.
      let writing = true;
      const folding = (async () => {
        let folds = 0;
        do {
          if (await foldJobCounts(db(), id)) folds++;
        } while (writing);
        return folds;
      })();
      await writers(20, 60);
      writing = false;
      assert.ok((await folding) >= 1);
    } else {
      await writers(20, 60);
    }
    await agrees(id, 'concurrent writes and folds');
  });

  it('a read of the tiles or the chart, or the maintenance run, folds a job’s deltas once they pile up (PostgreSQL); SQLite keeps one row per key', async () => {
    const id = await newJob('Pile', 3);
    const [unit] = await unitIds(db(), id);
    const pile = async () => {
      for (let k = 0; k < FOLD_AT + 20; k++) await write(db(), unit!, k % 5);
      const piled = await keptRows(db(), id);
      if (ctx.kind === 'postgres')
        assert.ok(piled.tiles > FOLD_AT + piled.tileKeys, 'deltas appended');
      else assert.equal(piled.tiles, piled.tileKeys, 'one row per key');
    };
    const isFolded = async () => {
      const folded = await keptRows(db(), id);
      assert.equal(folded.tiles, folded.tileKeys, 'one row per key');
      assert.ok(folded.chart <= 5, 'the chart’s rows folded too');
    };
    await pile();
    const figures = await agrees(id, 'piled up');
    await isFolded();
    assert.deepEqual(await agrees(id, 'folded by a read'), figures);
    await pile();
    const chart = (await get(`/jobs/${id}/progress`)) as unknown as Chart;
    await isFolded();
    assert.deepEqual(chart, await get(`/jobs/${id}/progress`), 'the chart folded by its read');
    await pile();
    assert.equal(await foldPiledJobCounts(ctx.database()), ctx.kind === 'postgres' ? 1 : 0);
    await isFolded();
    assert.deepEqual(await agrees(id, 'folded by maintenance'), figures);
  });

  it('the current rate counts the units resolved in the last minute, in whole seconds', async () => {
    const id = await newJob('Rate', 5);
    const units = await unitIds(db(), id);
    // Resolved at 69 s (in the window) then sent back to the queue: its second's deltas cancel.
    await write(db(), units[0]!, 0);
    await db()
      .updateTable('code2asin_results')
      .set({ status: 'found', updated_at: at(69) })
      .where('id', '=', units[0]!)
      .execute();
    await write(db(), units[0]!, 6);
    await write(db(), units[1]!, 7); // found, before the window
    for (const [i, k] of [70, 71, 72].entries()) await write(db(), units[i + 2]!, k);
    await db()
      .updateTable('code2asin_jobs')
      .set({ status: 'processing', started_at: at(0) })
      .where('id', '=', id)
      .execute();
    const job = await jobRow(id);
    // Window from 13.5 s: whole seconds from 13; the first unit still resolved in it at 70 s.
    const now = START + 73_500;
    assert.equal(await currentRate(db(), job as never, now), Math.round((3 / 3.5) * 100) / 100);
  });

  it('a run over an hour: buckets of whole minutes, rows rolled up per minute, every bucket exact', async () => {
    const id = await jobId(t, { name: 'Long', codes: eans(1_300), auto_start: false });
    const end = START + 2 * 3600_000 + 30_000;
    await db()
      .updateTable('code2asin_jobs')
      .set({ status: 'completed', started_at: at(0), completed_at: new Date(end).toISOString() })
      .where('id', '=', id)
      .execute();
    // One unit resolved every 5.5 s over two hours, each at its own second (two before the start).
    const outcomes = ['found', 'not_found', 'to_review'] as const;
    await db()
      .transaction()
      .execute(async (trx) => {
        for (const [i, unit] of (await unitIds(trx, id)).entries())
          await trx
            .updateTable('code2asin_results')
            .set({
              status: outcomes[i % 3]!,
              updated_at: new Date(START + i * 5_500 - 11_000 + (i % 9) * 37).toISOString(),
            })
            .where('id', '=', unit)
            .execute();
      });
    const job = await jobRow(id);
    const before = await keptRows(db(), id);
    assert.equal(before.chart, 1_300, 'one row per second written');
    const rows = await db()
      .selectFrom('code2asin_results')
      .selectAll()
      .where('job_id', '=', id)
      .execute();
    const first = await jobProgressSeries(ctx.database(), job, end + 600_000);
    assert.equal(first.bucket_seconds, 180, 'whole minutes');
    assert.equal(first.from, at(0));
    assert.deepEqual(first.points, chartOf(rows, first), 'per-second rows');
    const rolled = await keptRows(db(), id);
    assert.ok(rolled.chart <= 4 * 123, `${rolled.chart} rows after the roll-up`);
    assert.deepEqual(
      await jobProgressSeries(ctx.database(), job, end + 600_000),
      first,
      'rolled up',
    );
    assert.deepEqual(await agrees(id, 'long run, rolled up'), reference(rows).statistics);
  });

  it('deleting a job deletes its counts and no other job’s', async () => {
    const gone = await newJob('Gone', 4);
    const kept = await newJob('Kept', 4);
    for (const id of [gone, kept])
      for (const [i, unit] of (await unitIds(db(), id)).entries()) await write(db(), unit, i);
    assert.ok((await keptRows(db(), gone)).chart > 0);
    assert.equal(await deleteJobData(db(), gone), true);
    assert.deepEqual(await keptRows(db(), gone), { tiles: 0, tileKeys: 0, chart: 0 });
    const still = await agrees(kept, 'other job');
    assert.equal(still.total_codes, 4);
  });
});

forEachDatabase(
  'migration 0016 on a database in use',
  (ctx) => {
    it('counts the units of existing jobs', async () => {
      const database = ctx.database();
      const { db } = database;
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => createMigrations(database.dialect) },
        migrationTableName: 'code2asin_migrations',
        migrationLockTableName: 'code2asin_migrations_lock',
      });
      assert.equal((await migrator.migrateTo('0015-review-count-columns')).error, undefined);
      const id = '7a0c9a1e-2b3c-4d5e-8f60-718293a4b5c6';
      const job = { id, created_at: at(0), started_at: at(0), completed_at: at(100) };
      await sql`insert into code2asin_jobs (id, owner, name, status, marketplaces, options, created_at, updated_at, started_at, completed_at)
        values (${id}, 'alice', 'old', 'completed', '[]', '{}', ${at(0)}, ${at(0)}, ${at(0)}, ${at(100)})`.execute(
        db,
      );
      for (const code of eans(14))
        await sql`insert into code2asin_results (job_id, marketplace, gtin, code, status, created_at, updated_at)
          values (${id}, 'www.amazon.fr', ${`0${code}`}, ${code}, 'pending', ${at(0)}, ${at(0)})`.execute(
          db,
        );
      for (const [i, unit] of (await unitIds(db, id)).entries()) await write(db, unit, i * 7 + i);
      const rows = await db.selectFrom('code2asin_results').selectAll().execute();
      await migrateToLatest(database);
      assert.deepEqual(await jobStatistics(db, id), reference(rows).statistics);
      const chart = await jobProgressSeries(database, job);
      assert.deepEqual(chart.points, chartOf(rows, chart));
    });
  },
  { migrate: false },
);
