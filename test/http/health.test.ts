import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase } from '../helpers/database.js';

forEachDatabase('GET /health', (ctx) => {
  it('reports status, database kind and version', async () => {
    const app = await buildApp({
      database: ctx.database(),
      logger: createCapturingLogger().logger,
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { status: string; db: string; version: string };
      assert.deepEqual(Object.keys(body).sort(), ['db', 'status', 'version']);
      assert.equal(body.status, 'ok');
      assert.equal(body.db, ctx.kind);
    } finally {
      await app.close();
    }
  });
});
