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
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';

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

  it('limits wrong tokens per address with 429 and Retry-After; a valid token always passes', async () => {
    // A clock that does not move: the minute never ends within the test, however slow the machine.
    const clock = { now: () => 1_000_000 };
    const t = await createTestApp(ctx.database(), {
      failedAuthLimits: { maxFailures: 3, clock },
    });
    const config = (token: string, remoteAddress?: string) =>
      t.call({ method: 'GET', url: '/api/v1/amazon/config', token, remoteAddress });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await config(`c2a_guess${i}`)).statusCode, 401);
      const blocked = await config('c2a_guess4');
      assert.equal(blocked.statusCode, 429);
      assert.equal(errorOf(blocked).code, 'too_many_failed_attempts');
      assert.equal(errorOf(blocked).details.scope, 'address');
      const retryAfter = Number(blocked.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      // The reported lockout: a valid token from the same address is not refused.
      assert.equal((await config(t.admin)).statusCode, 200);
      assert.equal((await config('c2a_guess5', '10.0.0.9')).statusCode, 401);
      assert.equal((await config(t.admin, '10.0.0.9')).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('bounds wrong tokens per second over every address; valid tokens still pass', async () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    const t = await createTestApp(ctx.database(), {
      failedAuthLimits: { maxFailures: 100, maxGlobalFailuresPerSecond: 5, clock },
    });
    const config = (token: string, remoteAddress: string) =>
      t.call({ method: 'GET', url: '/api/v1/amazon/config', token, remoteAddress });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await config(`c2a_spread${i}`, `10.0.${i}.1`)).statusCode);
      assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(15).fill(429)]);
      const limited = await config('c2a_spread20', '10.0.20.1');
      assert.equal(errorOf(limited).details.scope, 'global');
      assert.equal(limited.headers['retry-after'], '1');
      assert.equal((await config(t.admin, '10.0.3.1')).statusCode, 200);
      clock.t += 1000;
      assert.equal((await config('c2a_later', '10.0.21.1')).statusCode, 401);
    } finally {
      await t.close();
    }
  });

  it('takes both bounds from CODE2ASIN_AUTH_FAILURES_PER_MINUTE and CODE2ASIN_AUTH_FAILURES_PER_SECOND', async () => {
    // A clock that does not move: the window never ends within the test, however slow the machine.
    const clock = { now: () => 1_000_000 };
    const wrongTokens = async (env: Record<string, string>, addresses: string[]) => {
      const t = await createTestApp(ctx.database(), { env, failedAuthLimits: { clock } });
      try {
        const statuses: number[] = [];
        for (const [i, remoteAddress] of addresses.entries()) {
          const res = await t.call({
            method: 'GET',
            url: '/api/v1/amazon/config',
            token: `c2a_env${i}`,
            remoteAddress,
          });
          statuses.push(res.statusCode);
        }
        return statuses;
      } finally {
        await t.close();
      }
    };
    const oneAddress = Array<string>(4).fill('10.1.0.1');
    const many = Array.from({ length: 4 }, (_, i) => `10.2.${i}.1`);
    // Per address: 2 a minute, the global bound out of the way.
    assert.deepEqual(
      await wrongTokens(
        { CODE2ASIN_AUTH_FAILURES_PER_MINUTE: '2', CODE2ASIN_AUTH_FAILURES_PER_SECOND: '1000' },
        oneAddress,
      ),
      [401, 401, 429, 429],
    );
    // Global: 3 a second over all addresses.
    assert.deepEqual(
      await wrongTokens({ CODE2ASIN_AUTH_FAILURES_PER_SECOND: '3' }, many),
      [401, 401, 401, 429],
    );
    // The defaults (10 per address, 10 a second) let four through.
    assert.deepEqual(await wrongTokens({}, oneAddress), [401, 401, 401, 401]);
    assert.deepEqual(await wrongTokens({}, many), [401, 401, 401, 401]);
  });

  it('keys the limit on the client behind a trusted proxy (CODE2ASIN_TRUST_PROXY), not on a spoofed header', async () => {
    const wrongFrom = async (t: TestApp, forwarded: string, remoteAddress = '127.0.0.1') =>
      (
        await t.call({
          method: 'GET',
          url: '/api/v1/amazon/config',
          token: 'c2a_wrong',
          remoteAddress,
          headers: { 'x-forwarded-for': forwarded },
        })
      ).statusCode;
    const limits = { maxFailures: 2 };
    const cases: [Record<string, string>, string, number[]][] = [
      // Trusted proxy on loopback: two clients behind it are told apart.
      [{ CODE2ASIN_TRUST_PROXY: '127.0.0.1' }, '203.0.113.7', [401, 401, 429, 401]],
      [{ CODE2ASIN_TRUST_PROXY: 'loopback' }, '203.0.113.7', [401, 401, 429, 401]],
      // One hop trusted: the address the proxy saw, whatever the client wrote before it.
      [{ CODE2ASIN_TRUST_PROXY: '1' }, '198.18.0.1, 203.0.113.7', [401, 401, 429, 401]],
      // No proxy trusted (the default), or the peer is not one: the header is ignored.
      [{}, '203.0.113.7', [401, 401, 429, 429]],
      [{ CODE2ASIN_TRUST_PROXY: '10.0.0.0/8' }, '203.0.113.7', [401, 401, 429, 429]],
    ];
    for (const [env, first, expected] of cases) {
      const t = await createTestApp(ctx.database(), { env, failedAuthLimits: limits });
      try {
        const got = [
          await wrongFrom(t, first),
          await wrongFrom(t, first),
          await wrongFrom(t, first),
          await wrongFrom(t, '198.51.100.9'),
        ];
        assert.deepEqual(got, expected, JSON.stringify(env));
      } finally {
        await t.close();
      }
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
  const clock = { t: 0, now: () => clock.t };
  const limiter = createFailedAuthLimiter({ maxFailures: 2, windowMs: 1000, clock });
  assert.deepEqual(limiter.recordFailure('1.2.3.4'), { limited: false });
  clock.t = 100;
  assert.deepEqual(limiter.recordFailure('1.2.3.4'), { limited: false });
  clock.t = 200;
  assert.deepEqual(limiter.recordFailure('1.2.3.4'), {
    limited: true,
    scope: 'address',
    retryAfterMs: 800,
  });
  assert.deepEqual(limiter.recordFailure('5.6.7.8'), { limited: false });
  clock.t = 1000;
  assert.deepEqual(limiter.recordFailure('1.2.3.4'), { limited: false });
});
