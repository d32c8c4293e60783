import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAmazonClients } from '../../../src/amazon/amazon-clients.js';
import { loadConfig } from '../../../src/config/env.js';
import { createDatabaseQuotaStore } from '../../../src/db/quota-store.js';
import { keepaStatsKey } from '../../../src/emulator/index.js';
import { readQuotas } from '../../../src/http/amazon/quota-routes.js';
import { forEachDatabase } from '../../helpers/database.js';
import { createTestApp } from '../../http/http-helpers.js';
import { ManualClock } from '../manual-clock.js';
import { ean, eventually, startKeepaEmulator } from './keepa-fixture.js';

const KEY = 'dashboard-keepa-key-000000000000000000000000000000000000000001';

forEachDatabase('quota dashboard', (ctx) => {
  test('figures per credential match the emulator’s own statistics', async () => {
    const clock = new ManualClock();
    const emu = await startKeepaEmulator(clock, [{ key: KEY, refillRate: 60, tokens: 250 }]);
    const database = ctx.database();
    // Two processes on one database: each its clients, limiters and recorder.
    const processOf = () =>
      createAmazonClients({
        clientDeps: { clock, retry: { maxAttempts: 1 } },
        quotaRecorder: createDatabaseQuotaStore(database, { now: () => clock.now() }),
      });
    const a = processOf();
    const b = processOf();
    const pace = { AMAZON_TPS: '1000', AMAZON_BURST: '1000', AMAZON_TIMEOUT_MS: '30000' };
    const keepa = loadConfig({ ...emu.env('keepa'), ...pace }).amazon;
    try {
      // A: 250 codes, 3 requests, the 250 tokens spent (balance 0).
      const found = await a
        .clientFor(keepa)
        .searchByCodes(Array.from({ length: 250 }, (_, i) => ean(i)));
      assert.equal([...found.values()].filter((o) => o.status === 'found').length, 250);
      // B knows nothing of it: its probe gets the 429 and waits for the refill (abandoned here).
      const stop = new AbortController();
      const probe = b.clientFor(keepa).searchByCodes([ean(1)], { signal: stop.signal });
      await eventually(() => b.clientFor(keepa).limiter.state().pausedUntil !== null, 'the 429');
      stop.abort(new Error('test over'));
      await probe.catch(() => undefined);
      await b.flushQuota();

      const view = await readQuotas({ db: database.db, clients: a }, clock.now());
      const stats = emu.stats();
      const keepaEntry = view.credentials.find((c) => c.provider === 'keepa');
      const keepaStats = stats.credentials[keepaStatsKey(KEY)];
      assert.ok(keepaEntry && keepaStats);
      assert.equal(keepaEntry.requests.today, keepaStats.operations.product?.requests);
      assert.equal(keepaEntry.requests.today, 4);
      assert.equal(keepaEntry.throttled.today, keepaStats.status['429']);
      assert.equal(keepaEntry.throttled.today, 1);
      assert.equal(keepaEntry.tokens.today, stats.keepa?.[keepaStatsKey(KEY)]?.tokensConsumed);
      assert.equal(keepaEntry.remaining.tokens_left, stats.keepa?.[keepaStatsKey(KEY)]?.tokensLeft);
      assert.equal(keepaEntry.allowed.tokens_per_minute, 60);
      assert.equal(keepaEntry.credential, `…${KEY.slice(-4)}`);
      assert.ok(!JSON.stringify(view).includes(KEY), 'the key is never shown');

      assert.equal(keepaEntry.requests.last_minute, 4);
      assert.equal(keepaEntry.remaining.requests_today, keepa.tpd - 4);
      assert.equal(keepaEntry.allowed.requests_per_second, 1000);

      // One minute later: the refill shows, the minute window is empty, the day keeps its count.
      await clock.advance(61_000);
      const later = await readQuotas({ db: database.db, clients: a }, clock.now());
      const k = later.credentials.find((c) => c.provider === 'keepa');
      assert.equal(k?.remaining.tokens_left, 60);
      assert.equal(k?.requests.last_minute, 0);
      assert.equal(k?.requests.today, 4);

      // The route answers the same credentials.
      const app = await createTestApp(database, { amazonClients: a });
      try {
        const res = await app.call({ method: 'GET', url: '/api/v1/amazon/quotas' });
        assert.equal(res.statusCode, 200);
        const body = res.json() as { credentials: { key: string; provider: string }[] };
        assert.deepEqual(
          body.credentials.map((c) => c.provider),
          ['keepa'],
        );
      } finally {
        await app.close();
      }
    } finally {
      await emu.close();
    }
  });
});
