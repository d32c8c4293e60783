import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ensureAdminToken } from '../../src/http/auth/bootstrap-admin-token.js';
import { createFailedAuthLimiter } from '../../src/http/auth/failed-auth-limiter.js';
import { canAccess, ownerFilter, requireAuth } from '../../src/http/auth/request-auth.js';
import {
  countTokens,
  createToken,
  hashToken,
  listTokens,
  parseScopes,
  revokeToken,
  verifyToken,
} from '../../src/http/auth/token-repository.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf } from './http-helpers.js';

forEachDatabase('API tokens', (ctx) => {
  it('creates random tokens, stores only their hash, lists, verifies and revokes them', async () => {
    const db = ctx.database().db;
    const { token, record } = await createToken(db, {
      name: 'ci',
      owner: 'alice',
      scopes: ['read', 'write'],
    });
    assert.match(token, /^c2a_[A-Za-z0-9_-]{43}$/);
    const row = await db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(row).includes(token), 'the token itself is not stored');
    assert.equal(record.prefix, token.slice(0, 10));

    const grant = await verifyToken(db, token);
    assert.deepEqual(grant, {
      tokenId: record.id,
      name: 'ci',
      owner: 'alice',
      scopes: ['read', 'write'],
    });
    assert.equal(await verifyToken(db, `${token}x`), null);
    assert.equal(await verifyToken(db, ''), null);

    const mine = await listTokens(db, { owner: 'alice' });
    assert.deepEqual(
      mine.map((t) => t.id),
      [record.id],
    );
    assert.equal(await revokeToken(db, record.id, { owner: 'bob' }), false, 'not bob’s token');
    assert.equal(await revokeToken(db, record.id), true);
    assert.equal(await revokeToken(db, record.id), false, 'already revoked');
    assert.equal(await verifyToken(db, token), null);
    assert.equal((await listTokens(db, { owner: 'alice' })).length, 0);
    assert.equal((await listTokens(db, { owner: 'alice', includeRevoked: true })).length, 1);
  });

  it('updates last_used_at at most once a minute', async () => {
    const db = ctx.database().db;
    const { token, record } = await createToken(db, { name: 'n', owner: 'o', scopes: ['read'] });
    const lastUsed = async () =>
      (await listTokens(db, { owner: 'o' })).find((t) => t.id === record.id)?.lastUsedAt;
    const t0 = Date.parse('2026-06-01T10:00:00.000Z');
    await verifyToken(db, token, t0);
    assert.equal(await lastUsed(), '2026-06-01T10:00:00.000Z');
    await verifyToken(db, token, t0 + 59_000);
    assert.equal(await lastUsed(), '2026-06-01T10:00:00.000Z');
    await verifyToken(db, token, t0 + 60_000);
    assert.equal(await lastUsed(), '2026-06-01T10:01:00.000Z');
  });

  it('parses scopes and refuses unknown ones', () => {
    assert.deepEqual(parseScopes('read, write,read'), ['read', 'write']);
    assert.throws(() => parseScopes('read,sudo'), /Unknown scope\(s\) sudo/);
    assert.throws(() => parseScopes(''), /No scope given/);
  });
});

forEachDatabase('admin token at first start', (ctx) => {
  it('generates and prints one admin token when none exists, and only then', async () => {
    const db = ctx.database().db;
    const printed: string[] = [];
    const { logger, text } = createCapturingLogger();
    const first = await ensureAdminToken(db, {
      adminToken: undefined,
      logger,
      print: (l) => printed.push(l),
    });
    assert.equal(first, 'generated');
    assert.equal(printed.length, 1);
    const token = /(c2a_\S+)/.exec(printed[0] ?? '')?.[1] ?? '';
    assert.equal((await verifyToken(db, token))?.scopes.join(), 'admin');
    assert.ok(!text().includes(token), 'the token is printed, never logged');
    const again = await ensureAdminToken(db, {
      adminToken: undefined,
      logger,
      print: (l) => printed.push(l),
    });
    assert.equal(again, 'none');
    assert.equal(printed.length, 1);
  });

  it('registers CODE2ASIN_ADMIN_TOKEN once, and never revives it once revoked', async () => {
    const db = ctx.database().db;
    const value = 'env-admin-token-0123456789abcdefghijkl';
    const { logger } = createCapturingLogger();
    const print = () => assert.fail('nothing is printed for an env token');
    assert.equal(
      await ensureAdminToken(db, { adminToken: value, logger, print }),
      'registered_from_env',
    );
    assert.equal(
      await ensureAdminToken(db, { adminToken: value, logger, print }),
      'env_token_present',
    );
    const grant = await verifyToken(db, value);
    assert.ok(grant?.scopes.includes('admin'));
    const before = await countTokens(db);
    await revokeToken(db, grant?.tokenId ?? '');
    assert.equal(
      await ensureAdminToken(db, { adminToken: value, logger, print }),
      'env_token_present',
    );
    assert.equal(await verifyToken(db, value), null);
    assert.equal(await countTokens(db), before);
  });
});

forEachDatabase('authentication of /api routes', (ctx) => {
  it('answers 401 with WWW-Authenticate without a token, and invalid_token with a wrong one', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const none = await t.call({ method: 'GET', url: '/api/v1/amazon/config', token: null });
      assert.equal(none.statusCode, 401);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="code2asin"');
      assert.equal(errorOf(none).code, 'unauthorized');
      const basic = await t.call({
        method: 'GET',
        url: '/api/v1/amazon/config',
        token: null,
        headers: { authorization: 'Basic dXNlcjpwdw==' },
      });
      assert.equal(basic.statusCode, 401);
      const wrong = await t.call({
        method: 'GET',
        url: '/api/v1/amazon/config',
        token: 'c2a_wrong',
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(
        wrong.headers['www-authenticate'],
        'Bearer realm="code2asin", error="invalid_token"',
      );
      assert.equal(errorOf(wrong).code, 'invalid_token');
      assert.ok(!t.logs.text().includes('c2a_wrong'), 'tokens never reach the logs');
      const ok = await t.call({ method: 'GET', url: '/api/v1/amazon/config' });
      assert.equal(ok.statusCode, 200);
      const publicDocs = await t.call({ method: 'GET', url: '/api/openapi.json', token: null });
      assert.equal(publicDocs.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('answers 403 when the token lacks the scope; admin implies every scope', async () => {
    const t = await createTestApp(ctx.database());
    try {
      const reader = await t.tokenFor('alice', ['read']);
      const writer = await t.tokenFor('alice', ['write']);
      assert.equal(
        (await t.call({ method: 'GET', url: '/api/v1/amazon/config', token: reader })).statusCode,
        200,
      );
      const noRead = await t.call({ method: 'GET', url: '/api/v1/amazon/config', token: writer });
      assert.equal(noRead.statusCode, 403);
      assert.equal(errorOf(noRead).code, 'insufficient_scope');
      assert.equal(errorOf(noRead).details.required_scope, 'read');
      const notAdmin = await t.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        token: writer,
        payload: { tps: 2 },
      });
      assert.equal(notAdmin.statusCode, 403);
      assert.match(errorOf(notAdmin).message, /tokens create --scopes admin/);
      const admin = await t.call({
        method: 'PUT',
        url: '/api/v1/amazon/config',
        payload: { tps: 2 },
      });
      assert.equal(admin.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('slows down repeated failures from one address with 429 and Retry-After', async () => {
    const t = await createTestApp(ctx.database(), { failedAuthLimits: { maxFailures: 3 } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await t.call({
          method: 'GET',
          url: '/api/v1/amazon/config',
          token: `c2a_guess${i}`,
        });
        assert.equal(res.statusCode, 401);
      }
      const blocked = await t.call({ method: 'GET', url: '/api/v1/amazon/config' });
      assert.equal(blocked.statusCode, 429, 'even a valid token waits out the window');
      assert.equal(errorOf(blocked).code, 'too_many_failed_attempts');
      const retryAfter = Number(blocked.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      const otherAddress = await t.call({
        method: 'GET',
        url: '/api/v1/amazon/config',
        remoteAddress: '10.0.0.9',
      });
      assert.equal(otherAddress.statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('lets an owner reach only their own resources; admin reaches all (two owners)', async () => {
    const t = await createTestApp(ctx.database());
    const resources = new Map([
      ['r-alice', 'alice'],
      ['r-bob', 'bob'],
    ]);
    t.app.get<{ Params: { id: string } }>('/api/v1/test/resources/:id', async (request, reply) => {
      const auth = requireAuth(request);
      const owner = resources.get(request.params.id);
      if (!owner || !canAccess(auth, owner))
        return reply.code(404).send({ error: { code: 'not_found', message: 'no', details: {} } });
      return { id: request.params.id, owner, filter: ownerFilter(auth) };
    });
    try {
      const alice = await t.tokenFor('alice', ['read']);
      const bob = await t.tokenFor('bob', ['read']);
      const get = (id: string, token: string) =>
        t.call({ method: 'GET', url: `/api/v1/test/resources/${id}`, token });
      assert.equal((await get('r-alice', alice)).statusCode, 200);
      assert.equal(
        (await get('r-bob', alice)).statusCode,
        404,
        "someone else's resource is not found",
      );
      assert.equal((await get('r-alice', bob)).statusCode, 404);
      assert.equal((await get('r-bob', bob)).json().filter, 'bob');
      const asAdmin = await get('r-bob', t.admin);
      assert.equal(asAdmin.statusCode, 200);
      assert.equal(asAdmin.json().filter, null, 'admins see every owner');
    } finally {
      await t.close();
    }
  });
});

it('the failed-authentication window expires', () => {
  const limiter = createFailedAuthLimiter({ maxFailures: 2, windowMs: 1000 });
  limiter.recordFailure('1.2.3.4', 0);
  assert.equal(limiter.blockedForMs('1.2.3.4', 10), 0);
  limiter.recordFailure('1.2.3.4', 100);
  assert.equal(limiter.blockedForMs('1.2.3.4', 200), 800);
  assert.equal(limiter.blockedForMs('1.2.3.4', 1000), 0);
  assert.equal(limiter.blockedForMs('5.6.7.8', 200), 0);
});
