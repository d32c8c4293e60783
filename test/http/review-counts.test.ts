import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { claimUnits } from '../../src/db/work-queue.js';
import { filteredResults } from '../../src/http/jobs/results-query.js';
import { tileCountsQuery } from '../../src/jobs/job-counts.js';
import { storeBatch, type BatchEntry } from '../../src/jobs/store-outcome.js';
import type { LookupResult } from '../../src/jobs/unit-lookup.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, jobId } from './jobs-helpers.js';
import { cand } from './review-seed.js';
import { chartOf, eans, reference, type Chart } from './count-reference.js';

const product = (extra: Record<string, unknown>) => ({
  title: 'Chocolat',
  brand: 'Marque',
  ...extra,
});

/** What a finished matcher leaves, one per kind of unit the queue and the tiles tell apart. */
const OUTCOMES: Omit<LookupResult, 'reasons' | 'request_id'>[] = [
  // found exact with images and a price: no review
  {
    status: 'found',
    asin: 'B0EXACT001',
    proposed_asin: null,
    match_type: 'exact',
    confidence: 0.97,
    candidates: [cand('B0EXACT001', 0.97)],
    product: product({ images: ['https://m.media-amazon.com/a.jpg'], price: 7.5 }) as never,
  },
  // found exact below the band (review), no images, price null
  {
    status: 'found',
    asin: 'B0LOWCONF1',
    proposed_asin: null,
    match_type: 'exact',
    confidence: 0.6,
    candidates: [],
    product: product({ images: [], price: null }) as never,
  },
  // found fuzzy (review), price without images key
  {
    status: 'found',
    asin: 'B0FUZZY001',
    proposed_asin: null,
    match_type: 'fuzzy',
    confidence: 0.8,
    candidates: [cand('B0FUZZY001', 0.8), cand('B0FUZZY002', 0.7, 2)],
    product: product({ price: 3 }) as never,
  },
  // found partial (review)
  {
    status: 'found',
    asin: 'B0PARTIAL1',
    proposed_asin: null,
    match_type: 'partial',
    confidence: 0.9,
    candidates: [cand('B0PARTIAL1', 0.9)],
    product: product({ images: ['x'] }) as never,
  },
  // to review with a proposal and candidates
  {
    status: 'to_review',
    asin: null,
    proposed_asin: 'B0PROPOSE1',
    match_type: 'fuzzy',
    confidence: 0.55,
    candidates: [cand('B0PROPOSE1', 0.55), cand('B0PROPOSE2', 0.5, 2)],
    product: null,
  },
  // not found with candidates (review)
  {
    status: 'not_found',
    asin: null,
    proposed_asin: null,
    match_type: 'none',
    confidence: 0,
    candidates: [cand('B0NOPE0001', 0.3, null)],
    product: null,
  },
  // not found without candidates: no review
  {
    status: 'not_found',
    asin: null,
    proposed_asin: null,
    match_type: 'none',
    confidence: 0,
    candidates: [],
    product: null,
  },
];

forEachDatabase('review queue count and job tiles on every kind of write', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(ctx.database());
  });
  after(() => t.close());

  const get = async (url: string) => {
    const res = await t.call({ method: 'GET', url: `${BASE}${url}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, unknown>;
  };
  const post = async (url: string, payload: object = {}) => {
    const res = await t.call({ method: 'POST', url: `${BASE}${url}`, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, unknown>;
  };
  const reviewTotal = async (id: string, query = '') =>
    (await get(`/jobs/${id}/results?review=true&per_page=2${query}`)).total as number;

  /** The API's queue counts and tiles against a recount of every unit, after `step`. */
  const agrees = async (id: string, step: string) => {
    const rows = await ctx
      .database()
      .db.selectFrom('code2asin_results')
      .selectAll()
      .where('job_id', '=', id)
      .execute();
    const want = reference(rows);
    assert.equal(await reviewTotal(id), want.review, `${step}: queue total`);
    for (const [type, n] of Object.entries(want.reviewByType))
      assert.equal(await reviewTotal(id, `&match_type=${type}`), n, `${step}: queue ${type}`);
    for (const [status, n] of Object.entries(want.reviewByStatus))
      assert.equal(await reviewTotal(id, `&status=${status}`), n, `${step}: queue ${status}`);
    const detail = await get(`/jobs/${id}`);
    assert.deepEqual(detail.statistics, want.statistics, `${step}: tiles`);
    const chart = (await get(`/jobs/${id}/progress`)) as unknown as Chart;
    assert.deepEqual(chart.points, chartOf(rows, chart), `${step}: progress chart`);
    return want;
  };

  it('the queue total and the tiles equal a recount after worker results, decisions, bulk, undo and retry', async () => {
    const codes = eans(3 * OUTCOMES.length + 4);
    const id = await jobId(t, { name: 'Counts', codes, auto_start: false });
    await agrees(id, 'created');
    // Worker results: three of each outcome, two errors; the last two units stay pending.
    const units = await claimUnits(ctx.database(), {
      jobId: id,
      workerId: 'w',
      limit: codes.length - 2,
      leaseMs: 60_000,
    });
    const entries: BatchEntry[] = units.map((unit, i) =>
      i < 3 * OUTCOMES.length
        ? {
            unit,
            result: { ...OUTCOMES[i % OUTCOMES.length]!, reasons: ['seeded'], request_id: null },
          }
        : {
            unit,
            error: {
              code: 'invalid_data',
              retryable: false,
              retryAfterMs: null,
              message: 'refused',
              providerUnusable: false,
              pauseMessage: null,
            },
          },
    );
    await storeBatch(ctx.database(), 'w', entries, {
      maxAttempts: 1,
      backoffMs: () => 1000,
      processingMs: 1,
    });
    const stored = await agrees(id, 'worker results');
    assert.equal(stored.review, 15, 'five kinds need a person, three each');
    assert.equal(stored.statistics.errors, 2);
    assert.equal(stored.statistics.with_images, 6);

    // One decision of each kind, each leaving the queue.
    const queue = (await get(`/jobs/${id}/results?review=true&per_page=50`)).items as {
      id: number;
      status: string;
    }[];
    await post(`/jobs/${id}/decisions`, { result_id: queue[0]!.id, action: 'accept' });
    await post(`/jobs/${id}/decisions`, { result_id: queue[1]!.id, action: 'no_match' });
    await post(`/jobs/${id}/decisions`, {
      result_id: queue[2]!.id,
      action: 'asin',
      asin: 'B0TYPED001',
    });
    const decided = await agrees(id, 'decisions');
    assert.equal(decided.review, 12);
    assert.equal(decided.statistics.manual_matches, 3, 'a decision by a person is manual');

    // Bulk over a filter, then undo it and the last single decision.
    const filter = { review: true, status: 'to_review' };
    const count = await reviewTotal(id, '&status=to_review');
    await post(`/jobs/${id}/decisions/bulk`, { action: 'accept', filter, expected_count: count });
    assert.equal((await agrees(id, 'bulk')).reviewByStatus.to_review, 0);
    await post(`/jobs/${id}/decisions/undo`);
    assert.equal((await agrees(id, 'undo bulk')).reviewByStatus.to_review, count);
    await post(`/jobs/${id}/decisions/undo`);
    assert.equal((await agrees(id, 'undo one')).review, 13);

    // Retry: the failed job's error units go back to pending.
    await ctx
      .database()
      .db.updateTable('code2asin_jobs')
      .set({ status: 'failed' })
      .where('id', '=', id)
      .execute();
    await post(`/jobs/${id}/retry`);
    const retried = await agrees(id, 'retry');
    assert.deepEqual([retried.statistics.errors, retried.statistics.pending], [0, 4]);
  });

  it('the queue and the tiles read their indexes, not the table', async () => {
    const id = await jobId(t, { name: 'Plans', codes: eans(3), auto_start: false });
    const db = ctx.database().db;
    const count = filteredResults(db, id, { review: true, status: 'found', match_type: 'fuzzy' })
      .select((eb) => eb.fn.countAll().as('n'))
      .compile();
    const tiles = tileCountsQuery(id).compile(db);
    const explain = async (runner: typeof db, prefix: string, q: CompiledQuery) =>
      (
        await runner.executeQuery<Record<string, string>>(
          CompiledQuery.raw(`${prefix} ${q.sql}`, [...q.parameters]),
        )
      ).rows
        .map((r) => r.detail ?? r['QUERY PLAN'])
        .join(' | ');
    if (ctx.kind === 'sqlite') {
      assert.match(
        await explain(db, 'explain query plan', count),
        /USING INDEX code2asin_results_review \(job_id=\? AND needs_review=\?/,
      );
      const tilePlan = await explain(db, 'explain query plan', tiles);
      assert.match(tilePlan, /SEARCH code2asin_job_tiles USING PRIMARY KEY \(job_id=\?\)/);
      assert.doesNotMatch(tilePlan, /code2asin_results/);
      return;
    }
    // A table of three rows is cheapest read whole; with sequential scans off, the plan shows
    // which index serves each tile. (Which index serves the queue PostgreSQL decides from its
    // statistics of the job's size: bench/web-review-large.bench.ts shows it at 100,000 units.)
    await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const tilePlan = await explain(trx, 'explain', tiles);
      assert.match(tilePlan, /Index Cond: \(\(job_id\)::text = /);
      assert.match(tilePlan, /code2asin_job_tiles_job/);
      assert.doesNotMatch(tilePlan, /code2asin_results/);
    });
  });
});
