import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { listRules, upsertRule } from '../../src/matching/matching-rules-repository.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, jobId, SAMPLE_CODES } from './jobs-helpers.js';
import { seedReviewStates } from './review-seed.js';

interface Result {
  id: number;
  gtin: string;
  marketplace: string;
  status: string;
  asin: string | null;
  match_type: string | null;
  error_class: string | null;
  error_message: string | null;
}
interface Choice {
  batch_id: string;
  result: Result;
  rules: { id: number; rule: string; asin: string }[];
}
interface Decision {
  batch_id: string;
  result_id: number;
  action: string;
  asin: string | null;
  previous_asin: string | null;
  decided_by: string;
}

/**
 * `PATCH /jobs/{id}/results/{resultId}` goes through the review decisions: in the history,
 * undone with the rule it wrote, the same rules as the review queue's.
 */
forEachDatabase('manual choice (PATCH a result) as a review decision', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write']);
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.call({ method, url: `${BASE}${url}`, token: alice, ...(payload ? { payload } : {}) });
  const choose = async (id: string, result: number, body: object): Promise<Choice> => {
    const res = await call('PATCH', `/jobs/${id}/results/${result}`, body);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Choice;
  };
  const undo = async (id: string, batchId: string) => {
    const res = await call('POST', `/jobs/${id}/decisions/undo`, { batch_id: batchId });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { undone: number; result_ids: number[] };
  };
  const results = async (id: string) => {
    const res = await call('GET', `/jobs/${id}/results?per_page=100`);
    return new Map((res.json() as { items: Result[] }).items.map((r) => [r.id, r]));
  };
  const counters = async (id: string) => {
    const res = await call('GET', `/jobs/${id}`);
    const c = (
      res.json() as { counters: Record<'done' | 'found' | 'not_found' | 'errors', number> }
    ).counters;
    return { done: c.done, found: c.found, not_found: c.not_found, errors: c.errors };
  };
  const rules = async () =>
    (await listRules(ctx.database().db, 'alice'))
      .map((r) => `${r.rule} ${r.gtin} ${r.asin} ${r.note ?? ''}`)
      .sort();
  const newJob = async () => {
    const id = await jobId(t, { name: 'Choices', codes: SAMPLE_CODES, auto_start: false }, alice);
    return { id, ids: await seedReviewStates(ctx.database(), id) };
  };

  it('lists each choice in the history, and undo takes back result, counters and rule in order', async () => {
    const { id, ids } = await newJob();
    const [fuzzy, partial, none] = ids as [number, number, number, number];
    const seeded = await results(id);
    const countersBefore = await counters(id);
    const rulesBefore = await rules();

    const candidate = await choose(id, fuzzy, { asin: 'B0FUZZY002' });
    assert.equal(candidate.result.asin, 'B0FUZZY002');
    assert.equal(candidate.result.match_type, 'manual');
    assert.deepEqual(
      candidate.rules.map((r) => [r.rule, r.asin]),
      [['always', 'B0FUZZY002']],
    );
    const refused = await choose(id, partial, { asin: null });
    assert.equal(refused.result.status, 'not_found');
    assert.deepEqual(
      refused.rules.map((r) => [r.rule, r.asin]),
      [['never', 'B0PART0001']],
    );
    const typed = await choose(id, none, { asin: 'b0other001' });
    assert.equal(typed.result.asin, 'B0OTHER001');
    assert.equal(typed.result.status, 'found');
    assert.deepEqual(await counters(id), { ...countersBefore, found: 3, not_found: 1 });

    const history = await call('GET', `/jobs/${id}/decisions`);
    assert.equal(history.statusCode, 200, history.body);
    const items = (history.json() as { items: Decision[] }).items;
    assert.deepEqual(
      items.map((d) => [d.batch_id, d.result_id, d.action, d.asin, d.previous_asin, d.decided_by]),
      [
        [typed.batch_id, none, 'asin', 'B0OTHER001', null, 'alice'],
        [refused.batch_id, partial, 'no_match', null, 'B0PART0001', 'alice'],
        [candidate.batch_id, fuzzy, 'choose', 'B0FUZZY002', 'B0FUZZY001', 'alice'],
      ],
    );
    assert.equal((await rules()).length, rulesBefore.length + 3);

    // Only the latest can be undone, then the one before it.
    const early = await call('POST', `/jobs/${id}/decisions/undo`, {
      batch_id: candidate.batch_id,
    });
    assert.equal(early.statusCode, 409);
    assert.deepEqual((await undo(id, typed.batch_id)).result_ids, [none]);
    assert.deepEqual((await undo(id, refused.batch_id)).result_ids, [partial]);
    assert.deepEqual((await undo(id, candidate.batch_id)).result_ids, [fuzzy]);
    const restored = await results(id);
    for (const r of [fuzzy, partial, none]) {
      const { status, asin, match_type } = restored.get(r)!;
      const was = seeded.get(r)!;
      assert.deepEqual([status, asin, match_type], [was.status, was.asin, was.match_type]);
    }
    assert.deepEqual(await counters(id), countersBefore);
    assert.deepEqual(await rules(), rulesBefore, 'the rules the choices wrote are gone');
  });

  it('with remember false stores no rule; a rule it replaced comes back on undo; a failed result is settled, then restored', async () => {
    const { id, ids } = await newJob();
    const [fuzzy, partial, , exact] = ids as [number, number, number, number];
    const seeded = await results(id);

    const unremembered = await choose(id, fuzzy, { asin: 'B0FUZZY002', remember: false });
    assert.deepEqual(unremembered.rules, []);
    const rulesBefore = await rules();

    // The owner had said "never" for this listing: the choice turns it into "always"; undo puts
    // the "never" back, note and all.
    const { gtin, marketplace } = seeded.get(exact)!;
    await upsertRule(ctx.database().db, {
      owner: 'alice',
      gtin,
      asin: 'B0EXACT001',
      marketplace,
      rule: 'never',
      note: 'checked by hand',
    });
    const withNever = await rules();
    const replaced = await choose(id, exact, { asin: 'B0EXACT001' });
    assert.deepEqual(
      replaced.rules.map((r) => [r.rule, r.asin]),
      [['always', 'B0EXACT001']],
    );
    assert.notDeepEqual(await rules(), withNever);
    await undo(id, replaced.batch_id);
    assert.deepEqual(await rules(), withNever, 'the replaced rule is back');

    // A result that failed: the choice settles its failure, undo gives it back.
    await ctx
      .database()
      .db.updateTable('code2asin_results')
      .set({ status: 'error', error_class: 'network', error_message: 'socket hang up' })
      .where('id', '=', partial)
      .execute();
    await ctx
      .database()
      .db.updateTable('code2asin_jobs')
      .set((eb) => ({
        found_count: eb('found_count', '-', 1),
        error_count: eb('error_count', '+', 1),
      }))
      .where('id', '=', id)
      .execute();
    const failedCounters = await counters(id);
    const settled = await choose(id, partial, { asin: 'B0PART0002' });
    assert.deepEqual(
      [settled.result.status, settled.result.error_class, settled.result.error_message],
      ['found', null, null],
    );
    assert.deepEqual(await counters(id), {
      ...failedCounters,
      found: failedCounters.found + 1,
      errors: failedCounters.errors - 1,
    });
    await undo(id, settled.batch_id);
    const back = (await results(id)).get(partial)!;
    assert.deepEqual(
      [back.status, back.error_class, back.error_message],
      ['error', 'network', 'socket hang up'],
    );
    assert.deepEqual(await counters(id), failedCounters);

    // The unremembered choice is still in the history, and undone leaves the rules as they are.
    await undo(id, unremembered.batch_id);
    assert.deepEqual(await rules(), withNever);
    assert.equal(rulesBefore.length + 1, withNever.length);
  });
});
