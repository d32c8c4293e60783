import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';
import { BASE } from './jobs-helpers.js';

interface Rule {
  id: number;
  gtin: string;
  asin: string;
  rule: string;
  marketplace: string;
  note: string | null;
}

forEachDatabase('matching rules routes (/api/v1/code2asin/rules)', (ctx) => {
  let t: TestApp;
  let alice: string;
  before(async () => {
    t = await createTestApp(ctx.database());
    alice = await t.tokenFor('alice', ['read', 'write', 'delete']);
  });
  after(() => t.close());
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    token = alice,
  ) => t.call({ method, url: `${BASE}${url}`, token, ...(payload ? { payload } : {}) });

  it('adds, lists and searches, edits and deletes the caller’s rules', async () => {
    // A UPC typed with its leading zero lost is the same code (GTIN-14).
    const add = await call('POST', '/rules', {
      code: '3017620422003',
      asin: 'b0demo0002',
      rule: 'always',
      marketplace: 'fr',
    });
    assert.equal(add.statusCode, 201, add.body);
    const rule = add.json() as Rule;
    assert.deepEqual(
      [rule.gtin, rule.asin, rule.marketplace],
      ['03017620422003', 'B0DEMO0002', 'www.amazon.fr'],
    );
    await call('POST', '/rules', {
      code: '3070123456784',
      asin: 'B0DEMO0003',
      rule: 'never',
      note: 'wrong pack',
    });
    const all = (await call('GET', '/rules')).json() as { items: Rule[] };
    assert.equal(all.items.length, 2);
    const byCode = (await call('GET', '/rules?code=3017620422003')).json() as { items: Rule[] };
    assert.deepEqual(
      byCode.items.map((r) => r.id),
      [rule.id],
    );
    const byAsin = (await call('GET', '/rules?asin=b0demo0003')).json() as { items: Rule[] };
    assert.equal(byAsin.items[0]?.note, 'wrong pack');
    const edit = await call('PATCH', `/rules/${rule.id}`, { rule: 'never', note: 'checked' });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.deepEqual(
      [(edit.json() as Rule).rule, (edit.json() as Rule).note],
      ['never', 'checked'],
    );
    assert.equal((await call('DELETE', `/rules/${rule.id}`)).statusCode, 204);
    assert.equal((await call('DELETE', `/rules/${rule.id}`)).statusCode, 404);
  });

  it('names the bad field, keeps owners apart and checks scopes', async () => {
    const badCode = await call('POST', '/rules', {
      code: '123',
      asin: 'B0DEMO0002',
      rule: 'always',
    });
    assert.equal(badCode.statusCode, 400);
    assert.equal(errorOf(badCode).details.field, 'code');
    const badAsin = await call('POST', '/rules', {
      code: '3017620422003',
      asin: 'nope',
      rule: 'always',
    });
    assert.equal(errorOf(badAsin).code, 'invalid_asin');
    const badMarket = await call('POST', '/rules', {
      code: '3017620422003',
      asin: 'B0DEMO0002',
      rule: 'always',
      marketplace: 'zz',
    });
    assert.equal(errorOf(badMarket).details.field, 'marketplace');
    const mine = (
      await call('POST', '/rules', { code: '3086123000018', asin: 'B0DEMO0004', rule: 'always' })
    ).json() as Rule;
    const bob = await t.tokenFor('bob', ['read', 'write', 'delete']);
    assert.equal(
      ((await call('GET', '/rules', undefined, bob)).json() as { items: Rule[] }).items.length,
      0,
    );
    assert.equal((await call('PATCH', `/rules/${mine.id}`, { note: 'x' }, bob)).statusCode, 404);
    assert.equal((await call('DELETE', `/rules/${mine.id}`, undefined, bob)).statusCode, 404);
    const reader = await t.tokenFor('alice', ['read']);
    assert.equal((await call('GET', '/rules', undefined, reader)).statusCode, 200);
    assert.equal(
      (
        await call(
          'POST',
          '/rules',
          { code: '3086123000018', asin: 'B0DEMO0005', rule: 'never' },
          reader,
        )
      ).statusCode,
      403,
    );
    assert.equal((await call('DELETE', `/rules/${mine.id}`, undefined, reader)).statusCode, 403);
  });
});
