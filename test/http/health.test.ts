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
      const body = res.json() as {
        status: string;
        db: string;
        version: string;
        amazon: { provider: string; source: string; ready: boolean; missing: string[] };
      };
      assert.deepEqual(Object.keys(body).sort(), ['amazon', 'db', 'disk', 'status', 'version']);
      // No settings at all: not ready, each missing variable named; Amazon itself, not the emulator.
      assert.deepEqual(body.amazon, {
        provider: 'creators',
        source: 'amazon',
        ready: false,
        missing: [
          'AMAZON_ASSOCIATE_TAG',
          'AMAZON_CREATORS_CREDENTIAL_ID',
          'AMAZON_CREATORS_CREDENTIAL_SECRET',
        ],
      });
      assert.equal(body.status, 'ok');
      assert.equal(body.db, ctx.kind);
    } finally {
      await app.close();
    }
  });
});
