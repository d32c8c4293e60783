import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/env.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { buildApp } from '../../src/http/app.js';
import { UI_ROOT } from '../../src/http/ui/ui-routes.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';

// The UI's files are built by `prepare` (npm ci); these tests read the real build.
describe('the web UI served by the app', () => {
  let database: Database;
  let app: FastifyInstance;
  before(async () => {
    database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    app = await buildApp({
      database,
      logger: createCapturingLogger().logger,
      config: loadConfig({ AMAZON_CREATORS_API_URL: 'http://127.0.0.1:9321' }),
      secretKey: Buffer.alloc(32, 3),
    });
  });
  after(async () => {
    await app.close();
    await database.close();
  });

  const script = () => readdirSync(`${UI_ROOT}/assets`).find((f) => /^index-.*\.js$/.test(f));

  it('answers / with index.html, never cached, under a strict CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<div id="app">/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /img-src 'self' https:\/\/m\.media-amazon\.com .*http:\/\/127\.0\.0\.1:9321/);
  });

  it('serves hashed assets pre-compressed with a one-year immutable cache', async () => {
    const file = script();
    assert.ok(file, 'a built index-*.js exists');
    const br = await app.inject({
      method: 'GET',
      url: `/assets/${file}`,
      headers: { 'accept-encoding': 'br, gzip' },
    });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    const gz = await app.inject({
      method: 'GET',
      url: `/assets/${file}`,
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers['content-encoding'], 'gzip');
  });

  it('answers UI routes with index.html and keeps API and health answers', async () => {
    for (const url of ['/jobs', '/jobs/abc/review?min_confidence=0.9', '/sign-in']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<div id="app">/, url);
    }
    const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(api.statusCode, 404);
    assert.equal((api.json() as { error: { code: string } }).error.code, 'route_not_found');
    assert.equal(
      api.headers['content-security-policy']?.includes("img-src 'self' https://m"),
      false,
    );
    const asset = await app.inject({ method: 'GET', url: '/assets/missing-123.js' });
    assert.equal(asset.statusCode, 404);
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal((health.json() as { status: string }).status, 'ok');
  });
});
