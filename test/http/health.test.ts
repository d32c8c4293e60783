import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase } from '../helpers/database.js';
import { hostname } from 'node:os';
import { createDatabaseRateShareStore } from '../../src/db/rate-share-store.js';
import { createFailureLog } from '../../src/jobs/failure-log.js';
import { listLiveWorkers, startWorkerPresence } from '../../src/jobs/worker-presence.js';
import { createToken, type Scope } from '../../src/http/auth/token-repository.js';

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
        'worker_count',
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

  it('counts the live workers for everyone; lists their ids, hosts, lanes, claimed units and shares only with a read token', async () => {
    const database = ctx.database();
    const id = `${hostname()}:${process.pid}:health`;
    const presence = startWorkerPresence(database, {
      id,
      lanes: () => 5,
      heldUnits: () => 3,
      failures: createFailureLog(createCapturingLogger().logger),
    });
    // This process also holds a share of one credential (alone: all of it).
    await createDatabaseRateShareStore(database).heartbeat(
      'creators:0123abcd',
      { id: `${id}:1`, host: hostname(), pid: process.pid },
      { active: true, intervalMs: 50, used: 0, expiryMs: 60_000, switchDelayMs: 2_500 },
    );
    const app = await buildApp({ database, logger: createCapturingLogger().logger });
    const token = async (scopes: Scope[]) =>
      `Bearer ${(await createToken(database.db, { name: 'health', owner: 'ops', scopes })).token}`;
    const health = async (authorization?: string) => {
      const res = await app.inject({
        method: 'GET',
        url: '/health',
        headers: authorization ? { authorization } : {},
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { worker_count: number; workers?: Record<string, unknown>[] };
    };
    try {
      // The presence's first write is on its way: wait for it by its effect.
      while ((await listLiveWorkers(database)).length === 0)
        await new Promise((r) => setTimeout(r, 20));
      const reader = await health(await token(['read']));
      assert.equal(reader.worker_count, 1);
      assert.equal(reader.workers?.length, 1);
      const [w] = reader.workers as [Record<string, unknown>];
      assert.equal(w.id, id);
      assert.equal(w.pid, process.pid);
      assert.equal(w.lanes, 5);
      assert.equal(w.claimed_units, 3);
      assert.deepEqual(w.shares, [{ credential: 'creators:0123abcd', share: 1, members: 1 }]);
      const admin = await health(await token(['admin']));
      assert.deepEqual(
        admin.workers?.map((x) => x.id),
        [id],
      );

      // No token, an unknown one, one without the read scope: the count, no id, host or pid.
      for (const authorization of [
        undefined,
        `Bearer c2a_${'0'.repeat(40)}`,
        await token(['write']),
        'Basic b3BzOm9wcw==',
      ]) {
        const body = await health(authorization);
        assert.equal(body.worker_count, 1, String(authorization));
        assert.equal(body.workers, undefined, String(authorization));
        assert.doesNotMatch(JSON.stringify(body), new RegExp(`${hostname()}:|"pid"`));
      }
    } finally {
      await app.close();
      await presence.stop();
    }
    // A worker that stopped is no longer counted or listed.
    const after = await buildApp({ database, logger: createCapturingLogger().logger });
    try {
      const authorization = `Bearer ${(await createToken(database.db, { name: 'health', owner: 'ops', scopes: ['read'] })).token}`;
      const res = await after.inject({ method: 'GET', url: '/health', headers: { authorization } });
      const body = res.json() as { worker_count: number; workers: unknown[] };
      assert.equal(body.worker_count, 0);
      assert.deepEqual(body.workers, []);
    } finally {
      await after.close();
    }
  });
});
