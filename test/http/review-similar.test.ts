import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE, jobId, SAMPLE_CODES } from './jobs-helpers.js';
import { seedFinishedJob, type SeededResult } from './review-helpers.js';

interface Result {
  id: number;
  code: string;
  marketplace: string;
  status: string;
  asin: string | null;
  proposed_asin: string | null;
  match_type: string | null;
}
interface Similar {
  asin: string | null;
  listing: string | null;
  same_code: { count: number; examples: { id: number; code: string; marketplace: string }[] };
  same_listing: { count: number; examples: { id: number; code: string; marketplace: string }[] };
}

const PACK = 'B0PACK0001';
const cand = (asin: string, rank: number) => ({
  asin,
  title: `Item ${asin}`,
  match_type: 'fuzzy',
  confidence: 0.6,
  rejected: false,
  rank,
});

/**
 * Four codes on fr and de. One listing (PACK) is proposed for codes 0, 1 and 2 on fr (a pack
 * family) and for code 0 on de; de code 1 proposes another one; the rest were found exactly.
 */
async function seed(database: Database, id: string): Promise<Map<string, number>> {
  const rows = await database.db
    .selectFrom('code2asin_results')
    .select(['id', 'code', 'marketplace'])
    .where('job_id', '=', id)
    .execute();
  const ids = new Map(
    rows.map((r) => [`${r.marketplace.slice(-2)}${SAMPLE_CODES.indexOf(r.code)}`, r.id]),
  );
  const review = (proposed: string): SeededResult => ({
    status: 'to_review',
    asin: null,
    proposed_asin: proposed,
    match_type: 'fuzzy',
    confidence: 0.6,
    candidates: [cand(proposed, 1), cand('B0SINGLE01', 2)],
  });
  const found = (asin: string): SeededResult => ({
    status: 'found',
    asin,
    proposed_asin: null,
    match_type: 'exact',
    confidence: 0.98,
    candidates: [cand(asin, 1)],
  });
  const states: Record<string, SeededResult> = {
    fr0: review(PACK),
    de0: review(PACK),
    fr1: review(PACK),
    fr2: review(PACK),
    de1: review('B0OTHER001'),
    fr3: found('B0EXACT003'),
    de2: found('B0EXACT002'),
    de3: found('B0EXACT013'),
  };
  await seedFinishedJob(
    database,
    id,
    Object.entries(states).map(([key, state]) => [ids.get(key)!, state] as const),
    { done_count: 8, found_count: 3, to_review_count: 5 },
  );
  return ids;
}

forEachDatabase('repeating a review decision on similar results', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write']);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object, token = alice) =>
    t.call({ method, url: `${BASE}${url}`, token, ...(payload ? { payload } : {}) });
  const newJob = async () => {
    const id = await jobId(
      t,
      { name: 'Packs', codes: SAMPLE_CODES, marketplaces: ['fr', 'de'], auto_start: false },
      alice,
    );
    return { id, ids: await seed(ctx.database(), id) };
  };
  const result = async (id: string, resultId: number) => {
    const res = await call('GET', `/jobs/${id}/results?per_page=100`);
    return (res.json() as { items: Result[] }).items.find((r) => r.id === resultId)!;
  };

  it('says what the same choice would change, repeats it as one undo step, and undoes it', async () => {
    const { id, ids } = await newJob();
    const decided = await call('POST', `/jobs/${id}/decisions`, {
      result_id: ids.get('fr0'),
      action: 'choose',
      asin: PACK,
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const similar = (decided.json() as { similar: Similar }).similar;
    assert.equal(similar.asin, PACK);
    assert.equal(similar.listing, PACK);
    assert.deepEqual(
      similar.same_code.examples.map((e) => e.id),
      [ids.get('de0')],
    );
    assert.equal(similar.same_listing.count, 2);
    assert.deepEqual(
      similar.same_listing.examples.map((e) => e.id).sort((a, b) => a - b),
      [ids.get('fr1')!, ids.get('fr2')!].sort((a, b) => a - b),
    );
    const stale = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('fr0'),
      scopes: ['same_code', 'same_listing'],
      expected_count: 2,
    });
    assert.equal(stale.statusCode, 409);
    assert.equal(errorOf(stale).code, 'count_changed');
    assert.equal(errorOf(stale).details.count, 3);
    const repeated = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('fr0'),
      scopes: ['same_code', 'same_listing'],
      expected_count: 3,
    });
    assert.equal(repeated.statusCode, 200, repeated.body);
    assert.equal(repeated.json().decided, 3);
    for (const key of ['de0', 'fr1', 'fr2']) {
      const r = await result(id, ids.get(key)!);
      assert.deepEqual([r.asin, r.match_type, r.status], [PACK, 'manual', 'found'], key);
    }
    const untouched = await result(id, ids.get('de1')!);
    assert.equal(untouched.status, 'to_review');
    const job = (await call('GET', `/jobs/${id}`)).json() as { counters: { found: number } };
    assert.equal(job.counters.found, 3 + 4);
    // One undo step takes back the three, the next one the first decision.
    const undo = await call('POST', `/jobs/${id}/decisions/undo`, {});
    assert.equal(undo.json().undone, 3);
    for (const key of ['de0', 'fr1', 'fr2']) {
      const r = await result(id, ids.get(key)!);
      assert.deepEqual([r.status, r.proposed_asin], ['to_review', PACK], key);
    }
    assert.equal((await result(id, ids.get('fr0')!)).asin, PACK);
    assert.equal((await call('POST', `/jobs/${id}/decisions/undo`, {})).json().undone, 1);
    assert.equal((await result(id, ids.get('fr0')!)).status, 'to_review');
  });

  it('a no match offers the codes proposing the listing it turned down; one scope at a time', async () => {
    const { id, ids } = await newJob();
    const decided = await call('POST', `/jobs/${id}/decisions`, {
      result_id: ids.get('fr1'),
      action: 'no_match',
    });
    const similar = (decided.json() as { similar: Similar }).similar;
    assert.deepEqual([similar.asin, similar.listing], [null, PACK]);
    assert.equal(similar.same_code.count, 0, 'de has no result waiting for code 1 with PACK');
    assert.equal(similar.same_listing.count, 3, 'fr0, fr2 and de0 propose PACK');
    const repeated = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('fr1'),
      scopes: ['same_listing'],
      expected_count: 3,
    });
    assert.equal(repeated.json().decided, 3);
    for (const key of ['fr0', 'fr2', 'de0']) {
      const r = await result(id, ids.get(key)!);
      assert.deepEqual([r.status, r.asin, r.match_type], ['not_found', null, 'manual'], key);
    }
    // Nothing similar is left: a repeat now changes nothing and says so.
    const again = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('fr1'),
      scopes: ['same_code', 'same_listing'],
      expected_count: 0,
    });
    assert.deepEqual(again.json(), { batch_id: null, decided: 0, results: [] });
  });

  it('refuses a result with no decision, an unknown scope, and another owner’s job', async () => {
    const { id, ids } = await newJob();
    const undecided = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('de1'),
      scopes: ['same_code'],
      expected_count: 0,
    });
    assert.equal(undecided.statusCode, 409);
    assert.equal(errorOf(undecided).code, 'not_decided');
    const scope = await call('POST', `/jobs/${id}/decisions/similar`, {
      result_id: ids.get('de1'),
      scopes: ['everything'],
      expected_count: 0,
    });
    assert.equal(scope.statusCode, 400);
    const bob = await t.tokenFor('bob', ['read', 'write']);
    const other = await call(
      'POST',
      `/jobs/${id}/decisions/similar`,
      { result_id: ids.get('fr0'), scopes: ['same_code'], expected_count: 0 },
      bob,
    );
    assert.equal(other.statusCode, 404);
    const reader = await t.tokenFor('alice', ['read']);
    const readOnly = await call(
      'POST',
      `/jobs/${id}/decisions/similar`,
      { result_id: ids.get('fr0'), scopes: ['same_code'], expected_count: 0 },
      reader,
    );
    assert.equal(readOnly.statusCode, 403);
  });
});
