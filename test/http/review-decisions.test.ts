import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { listRules } from '../../src/matching/matching-rules-repository.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, jobId, SAMPLE_CODES } from './jobs-helpers.js';
import { seedFinishedJob, type SeededResult } from './review-helpers.js';

interface Result {
  id: number;
  code: string;
  status: string;
  asin: string | null;
  match_type: string | null;
  confidence: number | null;
}

const cand = (asin: string, confidence: number, rank: number | null = 1) => ({
  asin,
  title: `Item ${asin}`,
  brand: 'Brand',
  match_type: 'fuzzy',
  confidence,
  reasons: ['title_similar'],
  rejected: rank === null,
  rank,
});

/** Puts the job's four results in review states, as a finished matcher leaves them. */
async function seedReviewStates(database: Database, id: string): Promise<number[]> {
  const db = database.db;
  const rows = await db
    .selectFrom('code2asin_results')
    .select('id')
    .where('job_id', '=', id)
    .orderBy('id')
    .execute();
  const states: SeededResult[] = [
    {
      status: 'found',
      asin: 'B0FUZZY001',
      match_type: 'fuzzy',
      confidence: 0.93,
      candidates: [cand('B0FUZZY001', 0.93), cand('B0FUZZY002', 0.8, 2)],
    },
    {
      status: 'found',
      asin: 'B0PART0001',
      match_type: 'partial',
      confidence: 0.6,
      candidates: [cand('B0PART0001', 0.6), cand('B0PART0002', 0.55, 2)],
    },
    {
      status: 'not_found',
      asin: null,
      match_type: 'none',
      confidence: 0,
      candidates: [cand('B0NOPE0001', 0.3, null)],
    },
    {
      status: 'found',
      asin: 'B0EXACT001',
      match_type: 'exact',
      confidence: 0.98,
      candidates: [cand('B0EXACT001', 0.98)],
    },
  ];
  await seedFinishedJob(
    database,
    id,
    states.map((state, i) => [rows[i]!.id, state] as const),
    { done_count: 4, found_count: 3, not_found_count: 1 },
  );
  return rows.map((r) => r.id);
}

forEachDatabase('review decisions (decide, bulk, history, undo)', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write']);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object, token = alice) =>
    t.call({ method, url: `${BASE}${url}`, token, ...(payload ? { payload } : {}) });
  const review = async (id: string, query = '') => {
    const res = await call('GET', `/jobs/${id}/results?review=true${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { items: Result[]; total: number };
  };
  const counters = async (id: string) => {
    const res = await call('GET', `/jobs/${id}`);
    return (res.json() as { counters: { found: number; not_found: number } }).counters;
  };
  const newJob = async () => {
    const id = await jobId(t, { name: 'Review', codes: SAMPLE_CODES, auto_start: false }, alice);
    return { id, results: await seedReviewStates(ctx.database(), id) };
  };

  it('lists what needs a person, decides one by one, and undoes in order', async () => {
    const { id, results } = await newJob();
    const queue = await review(id);
    assert.deepEqual(
      queue.items.map((r) => r.id),
      results.slice(0, 3),
      'fuzzy, low, not found with candidates',
    );
    const accept = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[0],
      action: 'accept',
    });
    assert.equal(accept.statusCode, 200, accept.body);
    assert.equal((accept.json() as { result: Result }).result.match_type, 'manual');
    const choose = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[1],
      action: 'choose',
      asin: 'B0PART0002',
    });
    assert.equal((choose.json() as { result: Result }).result.asin, 'B0PART0002');
    const none = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[2],
      action: 'no_match',
    });
    assert.equal(none.statusCode, 200, none.body);
    assert.equal((await review(id)).total, 0, 'decided results leave the queue');
    assert.deepEqual(await counters(id).then((c) => [c.found, c.not_found]), [3, 1]);

    const history = await call('GET', `/jobs/${id}/decisions`);
    const items = (history.json() as { items: { action: string; previous_asin: string | null }[] })
      .items;
    assert.deepEqual(
      items.map((d) => d.action),
      ['no_match', 'choose', 'accept'],
    );
    assert.equal(items[0]!.previous_asin, null);
    assert.equal(items[1]!.previous_asin, 'B0PART0001');

    const undo = await call('POST', `/jobs/${id}/decisions/undo`, {});
    assert.equal(undo.statusCode, 200, undo.body);
    assert.deepEqual((undo.json() as { result_ids: number[] }).result_ids, [results[2]]);
    const back = await review(id);
    assert.deepEqual(
      back.items.map((r) => [r.id, r.status, r.match_type]),
      [[results[2], 'not_found', 'none']],
    );
    assert.deepEqual(await counters(id).then((c) => [c.found, c.not_found]), [3, 1]);
    await call('POST', `/jobs/${id}/decisions/undo`);
    const restored = await review(id);
    assert.equal(restored.items.find((r) => r.id === results[1])?.asin, 'B0PART0001');
    assert.deepEqual(await counters(id).then((c) => [c.found, c.not_found]), [3, 1]);
  });

  it('checks the action: ASIN format, candidates only for choose, a proposal to accept', async () => {
    const { id, results } = await newJob();
    const bad = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[0],
      action: 'asin',
      asin: 'nope',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).details.field, 'asin');
    const notCandidate = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[0],
      action: 'choose',
      asin: 'B0OTHER001',
    });
    assert.equal(errorOf(notCandidate).code, 'not_a_candidate');
    const typed = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[0],
      action: 'asin',
      asin: 'b0other001',
    });
    assert.equal((typed.json() as { result: Result }).result.asin, 'B0OTHER001');
    const rejectedOnly = await call('POST', `/jobs/${id}/decisions`, {
      result_id: results[2],
      action: 'accept',
    });
    assert.equal(errorOf(rejectedOnly).code, 'nothing_to_accept');
    const nothing = await call('POST', `/jobs/${id}/decisions/undo`, {});
    assert.equal(nothing.statusCode, 200);
    const none = await call('POST', `/jobs/${id}/decisions/undo`, {});
    assert.equal(errorOf(none).code, 'nothing_to_undo');
  });

  it('bulk-accepts a filter in one step after the count is confirmed, and undoes it as one', async () => {
    const { id, results } = await newJob();
    const wrong = await call('POST', `/jobs/${id}/decisions/bulk`, {
      action: 'accept',
      filter: { review: true },
      expected_count: 2,
    });
    assert.equal(wrong.statusCode, 409);
    assert.equal(errorOf(wrong).details.count, 3);
    const bulk = await call('POST', `/jobs/${id}/decisions/bulk`, {
      action: 'accept',
      filter: { review: true },
      expected_count: 3,
      remember: true,
    });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.deepEqual(bulk.json(), {
      batch_id: (bulk.json() as { batch_id: string }).batch_id,
      decided: 2,
      skipped: 1,
    });
    const rules = await listRules(ctx.database().db, 'alice');
    assert.deepEqual(rules.map((r) => r.asin).sort(), ['B0FUZZY001', 'B0PART0001']);
    assert.deepEqual(
      (await review(id)).items.map((r) => r.id),
      [results[2]],
    );
    const undo = await call('POST', `/jobs/${id}/decisions/undo`, {});
    assert.equal((undo.json() as { undone: number }).undone, 2);
    assert.equal((await review(id)).total, 3);
    assert.equal((await listRules(ctx.database().db, 'alice')).length, 0, 'its rules are gone too');
    const high = await call('POST', `/jobs/${id}/decisions/bulk`, {
      action: 'no_match',
      filter: { review: true, min_confidence: 0.9 },
      expected_count: 1,
    });
    assert.equal((high.json() as { decided: number }).decided, 1);
    assert.deepEqual(await counters(id).then((c) => [c.found, c.not_found]), [2, 2]);
  });

  it('keeps owners apart and needs the write scope', async () => {
    const { id, results } = await newJob();
    const bob = await t.tokenFor('bob', ['read', 'write']);
    const reader = await t.tokenFor('alice', ['read']);
    const other = await call(
      'POST',
      `/jobs/${id}/decisions`,
      { result_id: results[0], action: 'accept' },
      bob,
    );
    assert.equal(other.statusCode, 404);
    assert.equal((await call('GET', `/jobs/${id}/decisions`, undefined, bob)).statusCode, 404);
    assert.equal((await call('POST', `/jobs/${id}/decisions/undo`, {}, bob)).statusCode, 404);
    const readOnly = await call(
      'POST',
      `/jobs/${id}/decisions`,
      { result_id: results[0], action: 'accept' },
      reader,
    );
    assert.equal(readOnly.statusCode, 403);
    assert.equal((await call('GET', `/jobs/${id}/decisions`, undefined, reader)).statusCode, 200);
  });
});
