import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';

interface TokenView {
  id: string;
  name: string;
  owner: string;
  scopes: string[];
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  token?: string;
}

forEachDatabase('API token routes (/api/v1/tokens, admin only)', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(ctx.database());
  });
  after(() => t.close());
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, token?: string) =>
    t.call({ method, url: `/api/v1/tokens${url}`, token, ...(payload ? { payload } : {}) });

  it('creates a token shown once, lists it with its last use, revokes it for good', async () => {
    const created = await call('POST', '', {
      name: 'catalogue',
      scopes: ['read', 'write'],
      owner: 'alice',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const token = created.json() as TokenView;
    assert.match(token.token!, /^c2a_/);
    assert.ok(token.token!.startsWith(token.prefix));
    assert.deepEqual(
      [token.owner, token.scopes, token.last_used_at],
      ['alice', ['read', 'write'], null],
    );

    // The new token works, and its use shows in the list; the value is never listed again.
    const used = await t.call({ method: 'GET', url: '/api/v1/code2asin/jobs', token: token.token });
    assert.equal(used.statusCode, 200);
    const list = await call('GET', '');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, new RegExp(token.token!));
    const listed = (list.json() as { items: TokenView[] }).items.find((x) => x.id === token.id);
    assert.equal(listed?.name, 'catalogue');
    assert.ok(listed?.last_used_at, 'last use recorded');

    const revoked = await call('DELETE', `/${token.id}`);
    assert.equal(revoked.statusCode, 204);
    const refused = await t.call({
      method: 'GET',
      url: '/api/v1/code2asin/jobs',
      token: token.token,
    });
    assert.equal(refused.statusCode, 401);
    const ids = ((await call('GET', '')).json() as { items: TokenView[] }).items.map((x) => x.id);
    assert.ok(!ids.includes(token.id), 'a revoked token leaves the list');
    const again = await call('DELETE', `/${token.id}`);
    assert.equal(again.statusCode, 404);
    assert.equal(errorOf(again).code, 'token_not_found');
  });

  it('defaults the owner to the caller’s and names bad input', async () => {
    const mine = await call('POST', '', { name: 'ops', scopes: ['admin'] });
    assert.equal((mine.json() as TokenView).owner, 'admin');
    const badScope = await call('POST', '', { name: 'x', scopes: ['root'] });
    assert.equal(badScope.statusCode, 400);
    assert.match(errorOf(badScope).message, /scopes/);
    const noName = await call('POST', '', { name: '  ', scopes: ['read'] });
    assert.equal(noName.statusCode, 400);
    assert.equal(errorOf(noName).code, 'invalid_name');
  });

  it('refuses every token route to a token without admin', async () => {
    const writer = await t.tokenFor('alice', ['read', 'write', 'delete']);
    const victim = (await call('POST', '', { name: 'v', scopes: ['read'] })).json() as TokenView;
    for (const [method, url, payload] of [
      ['GET', '', undefined],
      ['POST', '', { name: 'mine', scopes: ['admin'] }],
      ['DELETE', `/${victim.id}`, undefined],
    ] as const) {
      const res = await call(method, url, payload, writer);
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
    const stillThere = await t.call({
      method: 'GET',
      url: '/api/v1/code2asin/jobs',
      token: victim.token,
    });
    assert.equal(stillThere.statusCode, 200);
  });
});
