import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { revokeToken, findTokenByValue } from '../../src/http/auth/token-repository.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestApp, errorOf, type TestApp } from './http-helpers.js';

const SAME_SITE = { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' };

function sessionCookie(res: LightMyRequestResponse): string {
  const header = String(res.headers['set-cookie'] ?? '');
  const value = /^c2a_session=([^;]*)/.exec(header)?.[1];
  assert.ok(value, `a session cookie is set: ${header}`);
  return `c2a_session=${value}`;
}

forEachDatabase('web UI sessions (POST/GET/DELETE /api/v1/session)', (ctx) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp(ctx.database());
  });
  after(() => t.close());

  const signIn = (token: string, headers: Record<string, string> = SAME_SITE) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { host: 'localhost:80', ...headers },
      payload: { token },
    });
  const withCookie = (cookie: string, method: 'GET' | 'POST', url: string, extra = {}) =>
    t.app.inject({ method, url, headers: { host: 'localhost:80', cookie, ...extra } });

  it('exchanges a token for an HttpOnly, SameSite=Strict, signed cookie that authenticates', async () => {
    const alice = await t.tokenFor('alice', ['read', 'write']);
    const res = await signIn(alice);
    assert.equal(res.statusCode, 200, res.body);
    const header = String(res.headers['set-cookie']);
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Strict/);
    assert.match(header, /; Path=\/;/, 'at the root without a base path');
    assert.match(header, /Max-Age=43200/);
    assert.doesNotMatch(header, /Secure/, 'plain HTTP: no Secure flag');
    assert.ok(!header.includes(alice), 'the cookie is not the token');
    assert.deepEqual((res.json() as { owner: string }).owner, 'alice');
    const cookie = sessionCookie(res);
    const me = await withCookie(cookie, 'GET', '/api/v1/session');
    assert.equal(me.statusCode, 200);
    assert.deepEqual((me.json() as { scopes: string[] }).scopes, ['read', 'write']);
    const jobs = await withCookie(cookie, 'GET', '/api/v1/code2asin/jobs');
    assert.equal(jobs.statusCode, 200, jobs.body);
    // Bearer tokens keep working unchanged.
    const bearer = await t.call({ method: 'GET', url: '/api/v1/code2asin/jobs', token: alice });
    assert.equal(bearer.statusCode, 200);
  });

  it('sets Secure behind HTTPS and refuses unknown tokens and forged cookies', async () => {
    const alice = await t.tokenFor('alice', ['read']);
    const https = await signIn(alice, { ...SAME_SITE, 'x-forwarded-proto': 'https' });
    assert.match(String(https.headers['set-cookie']), /; Secure/);
    const bad = await signIn('c2a_not-a-real-token');
    assert.equal(bad.statusCode, 401);
    assert.equal(errorOf(bad).code, 'invalid_token');
    assert.equal(bad.headers['set-cookie'], undefined);
    const [id] = sessionCookie(https).split('.');
    const forged = await withCookie(`${id}.AAAA`, 'GET', '/api/v1/code2asin/jobs');
    assert.equal(forged.statusCode, 401);
    assert.equal(errorOf(forged).code, 'session_expired');
  });

  it('refuses cross-site writes made with the cookie (CSRF) and cross-site sign-ins', async () => {
    const alice = await t.tokenFor('alice', ['read', 'write']);
    const cookie = sessionCookie(await signIn(alice));
    const body = {
      name: 'CSRF',
      codes: ['3017620422003'],
      marketplaces: ['fr'],
      auto_start: false,
    };
    const post = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/code2asin/jobs',
        headers: { host: 'localhost:80', cookie, ...headers },
        payload: body,
      });
    const crossSite = await post({
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(errorOf(crossSite).code, 'cross_site_request');
    const otherOrigin = await post({ origin: 'https://evil.example' });
    assert.equal(otherOrigin.statusCode, 403);
    const noOrigin = await post({});
    assert.equal(noOrigin.statusCode, 403);
    const sameSite = await post(SAME_SITE);
    assert.equal(sameSite.statusCode, 201, sameSite.body);
    const sameOriginOnly = await post({ origin: 'http://localhost:80' });
    assert.equal(sameOriginOnly.statusCode, 201, sameOriginOnly.body);
    const loginCsrf = await signIn(alice, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    assert.equal(loginCsrf.statusCode, 403);
  });

  it('ends every session of a token at once when the token is revoked', async () => {
    const bob = await t.tokenFor('bob', ['read']);
    const cookie = sessionCookie(await signIn(bob));
    assert.equal((await withCookie(cookie, 'GET', '/api/v1/code2asin/jobs')).statusCode, 200);
    const record = await findTokenByValue(ctx.database().db, bob);
    assert.ok(record && (await revokeToken(ctx.database().db, record.id)));
    const after = await withCookie(cookie, 'GET', '/api/v1/code2asin/jobs');
    assert.equal(after.statusCode, 401);
    assert.equal(errorOf(after).code, 'session_expired');
    assert.deepEqual((await withCookie(cookie, 'GET', '/api/v1/session')).json(), {
      signed_in: false,
    });
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const carol = await t.tokenFor('carol', ['read']);
    const cookie = sessionCookie(await signIn(carol));
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { host: 'localhost:80', cookie, ...SAME_SITE },
    });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^c2a_session=; .*Max-Age=0/);
    assert.equal((await withCookie(cookie, 'GET', '/api/v1/code2asin/jobs')).statusCode, 401);
  });

  it('ends a session idle too long or past its absolute expiry', async () => {
    const dave = await t.tokenFor('dave', ['read']);
    const db = ctx.database().db;
    const idle = sessionCookie(await signIn(dave));
    const absolute = sessionCookie(await signIn(dave));
    // Move the clock of the stored sessions: one idle 3 h, one past its 12 h.
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
    const all = await db
      .selectFrom('web_sessions')
      .select('id_hash')
      .orderBy('created_at')
      .execute();
    const [first, second] = all.slice(-2);
    await db
      .updateTable('web_sessions')
      .set({ last_seen_at: hoursAgo(3) })
      .where('id_hash', '=', first!.id_hash)
      .execute();
    await db
      .updateTable('web_sessions')
      .set({ expires_at: hoursAgo(0.01) })
      .where('id_hash', '=', second!.id_hash)
      .execute();
    for (const cookie of [idle, absolute]) {
      const res = await withCookie(cookie, 'GET', '/api/v1/session');
      assert.equal((res.json() as { signed_in: boolean }).signed_in, false);
      assert.equal((await withCookie(cookie, 'GET', '/api/v1/code2asin/jobs')).statusCode, 401);
    }
  });

  it('under CODE2ASIN_BASE_PATH the cookie is scoped to the base path, kept or stripped by the proxy', async () => {
    const based = await createTestApp(ctx.database(), {
      env: { CODE2ASIN_BASE_PATH: '/code2asin/' },
    });
    try {
      const erin = await based.tokenFor('erin', ['read']);
      // A proxy that keeps the prefix, and one that strips it: the browser saw /code2asin both times.
      for (const url of ['/code2asin/api/v1/session', '/api/v1/session']) {
        const res = await based.app.inject({
          method: 'POST',
          url,
          headers: { host: 'localhost:80', ...SAME_SITE },
          payload: { token: erin },
        });
        assert.equal(res.statusCode, 200, res.body);
        const header = String(res.headers['set-cookie']);
        assert.match(header, /; Path=\/code2asin;/, header);
        const cookie = sessionCookie(res);
        const jobs = await based.app.inject({
          method: 'GET',
          url: '/code2asin/api/v1/code2asin/jobs',
          headers: { host: 'localhost:80', cookie },
        });
        assert.equal(jobs.statusCode, 200, jobs.body);
        // Signing out clears the cookie of the same path (another path would leave it set).
        const out = await based.app.inject({
          method: 'DELETE',
          url,
          headers: { host: 'localhost:80', cookie, ...SAME_SITE },
        });
        assert.equal(out.statusCode, 204);
        assert.match(
          String(out.headers['set-cookie']),
          /^c2a_session=; Path=\/code2asin;.*Max-Age=0/,
        );
      }
    } finally {
      await based.close();
    }
  });
});
