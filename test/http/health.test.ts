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
      assert.deepEqual(Object.keys(body).sort(), [
        'amazon',
        'db',
        'disk',
        'status',
        'storage',
        'version',
      ]);
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

  it("tells the database's size, and for PostgreSQL that its volume is not measured here", async () => {
    const app = await buildApp({
      database: ctx.database(),
      logger: createCapturingLogger().logger,
    });
    try {
      const body = (await app.inject({ method: 'GET', url: '/health' })).json() as {
        disk: { volume: string }[];
        storage: { size_mb: number; volume_measured: boolean; note?: string };
      };
      assert.ok(body.storage.size_mb > 0, JSON.stringify(body.storage));
      const volumes = body.disk.map((v) => v.volume);
      if (ctx.kind === 'postgres') {
        assert.equal(body.storage.volume_measured, false);
        assert.match(body.storage.note ?? '', /not measured here/);
        assert.deepEqual(volumes, ['images'], 'no free space is claimed for PostgreSQL');
      } else {
        assert.equal(body.storage.volume_measured, true);
        assert.deepEqual(volumes, ['database', 'images']);
      }
    } finally {
      await app.close();
    }
  });
});
