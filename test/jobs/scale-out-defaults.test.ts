import assert from 'node:assert/strict';
import { it } from 'node:test';
import { withLatencyEstimate } from '../../src/amazon/latency-estimate.js';
import { createRateLimiter } from '../../src/amazon/rate-limiter.js';
import { loadConfig } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/errors.js';
import { createProcessAmazonClients, shareLeaseFor } from '../../src/jobs/jobs-runtime.js';
import { createLaneSizer, lanesFor, MAX_AUTO_LANES } from '../../src/jobs/lane-plan.js';
import { createLogger } from '../../src/logging/logger.js';
import { ManualClock } from '../amazon/manual-clock.js';
import { forEachDatabase } from '../helpers/database.js';

const env = (more: Record<string, string> = {}) => ({
  CODE2ASIN_SECRET_KEY: 'cd'.repeat(32),
  AMAZON_CREATORS_CREDENTIAL_ID: 'id-1',
  AMAZON_CREATORS_CREDENTIAL_SECRET: 'secret-1',
  AMAZON_ASSOCIATE_TAG: 'tag-21',
  AMAZON_TPS: '20',
  AMAZON_BURST: '5',
  ...more,
});

forEachDatabase('rate shares by default', (db) => {
  const sharesOf = (more: Record<string, string>) => {
    const config = loadConfig(env(more));
    const clients = createProcessAmazonClients(
      config,
      db.database(),
      createLogger({ level: 'silent' }),
    );
    // Only the share limiter counts sharers: the per-request schedule does not know them.
    return clients.limiterFor(config.amazon).state().sharers;
  };

  it('PostgreSQL shares a credential by rate shares unless told not to; SQLite keeps its schedule', () => {
    const pg = db.kind === 'postgres';
    assert.equal(sharesOf({}), pg ? 1 : undefined);
    assert.equal(shareLeaseFor(loadConfig(env()), db.database().dialect), pg ? 10_000 : 0);
    assert.equal(sharesOf({ CODE2ASIN_SHARE_LEASE_MS: '0' }), undefined);
    assert.equal(sharesOf({ CODE2ASIN_SHARED_RATE_LIMIT: 'false' }), undefined);
    // Burst 1 leaves no room for two processes' timers: the per-request schedule stays.
    assert.equal(sharesOf({ AMAZON_BURST: '1' }), undefined);
    // A lease set by hand decides on SQLite as well.
    assert.equal(sharesOf({ CODE2ASIN_SHARE_LEASE_MS: '5000' }), 1);
  });

  it("two credentials, each on its own grid at its own rate; a 429 slows the process, not the credential's grid", async () => {
    // Issue 23's two-credential runs sat at half the quota: a member slowed by a 429 wrote its
    // own lowered pace as the interval of every member's grid, and kept it there.
    const config = loadConfig(env({ CODE2ASIN_SHARE_LEASE_MS: '2000' }));
    const clients = createProcessAmazonClients(
      config,
      db.database(),
      createLogger({ level: 'silent' }),
    );
    const second = { ...config.amazon, tps: 10 };
    second.creators = { ...config.amazon.creators, credentialId: 'id-2' };
    const stop = new AbortController();
    try {
      for (const settings of [config.amazon, second]) {
        const limiter = clients.limiterFor(settings);
        limiter.onThrottle(null);
        assert.equal(limiter.state().tps, settings.tps / 2, 'this process slows down');
        await limiter.acquire(stop.signal);
      }
    } finally {
      stop.abort();
    }
    const rows = await db
      .database()
      .db.selectFrom('rate_limit_shares')
      .select(['interval_ms', 'members'])
      .execute();
    // 1/TPS and the 0.5 % margin of a burst above 1, one row per credential. (Its member may
    // have left again by now, nothing waiting: that list is written at the same interval.)
    assert.deepEqual(
      rows.map((r) => Number(r.interval_ms)).sort((a, b) => a - b),
      [50.25, 100.5],
    );
    assert.ok(rows.every((r) => (JSON.parse(r.members) as string[]).length <= 1));
  });
});

it('CODE2ASIN_SHARE_LEASE_MS takes auto, 0 or 200–600000 and names itself otherwise', () => {
  assert.equal(loadConfig(env()).shareLeaseMs, null);
  assert.equal(loadConfig(env({ CODE2ASIN_SHARE_LEASE_MS: 'AUTO' })).shareLeaseMs, null);
  assert.equal(loadConfig(env({ CODE2ASIN_SHARE_LEASE_MS: '0' })).shareLeaseMs, 0);
  assert.equal(loadConfig(env({ CODE2ASIN_SHARE_LEASE_MS: '2500' })).shareLeaseMs, 2500);
  for (const bad of ['100', 'soon', '1e9', ''])
    assert.throws(
      () => loadConfig(env({ CODE2ASIN_SHARE_LEASE_MS: bad })),
      (e: unknown) => e instanceof ConfigError && /CODE2ASIN_SHARE_LEASE_MS/.test(e.message),
    );
});

it('automatic lanes: a second of this worker’s share, more for slow answers, bounded', () => {
  // Alone: as before (AMAZON_TPS + 2), whatever the answer time up to 400 ms.
  assert.equal(lanesFor({ requestsPerSecond: 20, sharers: 1 }), 22);
  assert.equal(lanesFor({ requestsPerSecond: 20, sharers: 1, latencyMs: 200 }), 22);
  assert.equal(lanesFor({ requestsPerSecond: 1, sharers: 1 }), 3);
  // Shared: the share's requests, so claims (lanes × codes per request) follow the share.
  assert.equal(lanesFor({ requestsPerSecond: 20, sharers: 4, latencyMs: 200 }), 7);
  assert.equal(lanesFor({ requestsPerSecond: 20, sharers: 16, latencyMs: 200 }), 4);
  // Slow answers: twice the requests in flight (2 s answers at 5/s: 21 + 2).
  assert.equal(lanesFor({ requestsPerSecond: 20, sharers: 4, latencyMs: 2000 }), 23);
  assert.equal(lanesFor({ requestsPerSecond: 500, sharers: 1 }), MAX_AUTO_LANES);
  assert.equal(lanesFor({ requestsPerSecond: 0.1, sharers: 0 }), 3);
});

it('the lane count follows the pace: lanes past it wait, and are let in when it grows', async () => {
  let pace = { requestsPerSecond: 20, sharers: 4, latencyMs: 200 };
  const sizer = createLaneSizer({
    pace: async () => pace,
    initial: { requestsPerSecond: 20, sharers: 1 },
  });
  assert.equal(sizer.lanes, 22);
  assert.equal(sizer.max, MAX_AUTO_LANES);
  const stop = new AbortController();
  sizer.start();
  // The first reading is asynchronous: wait for it by its effect.
  while ((sizer.lanes as number) !== 7) await new Promise((r) => setImmediate(r));
  let admitted = false;
  const lane10 = sizer.admit(10, stop.signal).then(() => (admitted = true));
  await sizer.admit(6, stop.signal);
  await new Promise((r) => setImmediate(r));
  assert.equal(admitted, false, 'lane 10 waits while 7 lanes are enough');
  // Three of the four workers left: this one's share grew.
  pace = { requestsPerSecond: 20, sharers: 1, latencyMs: 200 };
  // The sizer re-reads every 2 s; a fixed sizer never does, so the change is awaited here.
  while (!admitted) await new Promise((r) => setTimeout(r, 50));
  assert.equal(sizer.lanes, 22);
  await lane10;
  // Stopping lets a waiting lane go.
  pace = { requestsPerSecond: 20, sharers: 16, latencyMs: 200 };
  while ((sizer.lanes as number) !== 4) await new Promise((r) => setTimeout(r, 50));
  const lane30 = sizer.admit(30, stop.signal);
  stop.abort();
  await lane30;
  sizer.stop();
  const fixed = createLaneSizer({ fixed: 3, pace: async () => pace, initial: pace });
  assert.deepEqual([fixed.lanes, fixed.max], [3, 3]);
});

it('the limiter measures answer times from grant to answer (median of the last ones)', async () => {
  const clock = new ManualClock();
  const limiter = withLatencyEstimate(createRateLimiter({ tps: 100, burst: 100, clock }), clock);
  assert.equal(limiter.state().latencyMs, null);
  for (const ms of [200, 180, 5000, 220, 210]) {
    await limiter.acquire();
    await clock.advance(ms);
    limiter.onSuccess();
  }
  // The one slow answer does not move the median.
  assert.equal(limiter.state().latencyMs, 210);
  // Two requests out at once: answers paired with the oldest open grant.
  await limiter.acquire();
  await clock.advance(100);
  await limiter.acquire();
  await clock.advance(200);
  limiter.onThrottle(0);
  limiter.onSuccess();
  assert.equal(limiter.state().latencyMs, 210);
});
