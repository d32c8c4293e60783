import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { toJson } from '../../src/db/dialect.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, type TestApp } from './http-helpers.js';
import { BASE, createByJson, SAMPLE_CODES } from './jobs-helpers.js';

forEachDatabase('a result file that fails half-way', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write']);
  });
  after(() => t.close());

  it('cuts that download, logs why, and the server goes on serving', async () => {
    const created = await createByJson(
      t,
      { name: 'Broken product', codes: SAMPLE_CODES, marketplaces: 'fr', auto_start: false },
      alice,
    );
    const id = (created.json() as { id: string }).id;
    // A stored product the writers cannot turn into a cell (a price that is not a number): the
    // file fails after its headers went out, when nothing but cutting the stream is left.
    await ctx
      .database()
      .db.updateTable('code2asin_results')
      .set({
        status: 'found',
        asin: 'B0BROKEN01',
        product: toJson({ title: 'x', price: { amount: 1 }, images: [] }),
      })
      .where('job_id', '=', id)
      .execute();
    const res = await t
      .call({ method: 'GET', url: `${BASE}/jobs/${id}/download?format=csv`, token: alice })
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    // Refused (500) or cut: never a file that looks whole, and the process is still here.
    if (!(res instanceof Error)) {
      assert.ok(res.statusCode === 500 || !res.body.includes('B0BROKEN01'), res.body);
    }
    const next = await t.call({ method: 'GET', url: `${BASE}/jobs/${id}`, token: alice });
    assert.equal(next.statusCode, 200, 'the server still answers');
    assert.match(t.logs.text(), /result download failed/, 'the failure is logged');
  });
});
