import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import type { Clock } from '../../src/amazon/clock.js';
import { AmazonError } from '../../src/amazon/errors.js';
import type { RateLimitStore } from '../../src/amazon/rate-limit-store.js';
import type { RateLimiter, RateLimiterOptions } from '../../src/amazon/rate-limiter.js';
import { createSharedRateLimiter } from '../../src/amazon/shared-rate-limiter.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createDatabaseRateLimitStore } from '../../src/db/rate-limit-store.js';
import { forEachDatabase } from '../helpers/database.js';
import {
  assertLateAfterStallAbsorbed,
  assertStalledSendNotJoined,
  serverRefusals,
  trackQueries,
} from './limiter-test-helpers.js';
import { ManualClock } from './manual-clock.js';

/** The real store of a database handle, with its queries tracked by the manual clock. */
function trackedStore(database: Database, clock: ManualClock): RateLimitStore {
  const store = createDatabaseRateLimitStore(database, { now: () => clock.now() });
  const track = trackQueries(clock);
  return {
    reserve: (key, pace) => track(store.reserve(key, pace)),
    grant: (key, pace) => track(store.grant(key, pace)),
    pause: (key, pause) => track(store.pause(key, pause)),
  };
}

/** Starts `n` acquires at once and records when each is granted (ms after `start`). */
function acquireMany(limiter: RateLimiter, clock: ManualClock, n: number, start: number) {
  const granted: number[] = [];
  for (let i = 0; i < n; i++) void limiter.acquire().then(() => granted.push(clock.now() - start));
  return granted;
}

forEachDatabase('shared rate limiter', (ctx) => {
  // A second handle on the same database: another process, as far as the store can tell.
  let second: Database;
  before(() => {
    second = openDatabase(ctx.url());
  });
  after(() => second.close());
  let keys = 0;
  /**
   * Two limiters of one credential on two database handles, and their clock. `lateA`: the
   * first one's timers fire that much late (a busy event loop), or after the delay it gives.
   */
  function twoProcesses(
    options: RateLimiterOptions,
    at?: number,
    lateA: number | ((ms: number) => number) = 0,
  ) {
    const clock = new ManualClock(at);
    const key = `credential-${(keys += 1)}`;
    const make = (database: Database, timers: Clock) =>
      createSharedRateLimiter({
        ...options,
        clock: timers,
        key,
        store: trackedStore(database, clock),
      });
    const late: Clock = {
      now: () => clock.now(),
      setTimer: (fn, ms) => clock.setTimer(fn, typeof lateA === 'number' ? ms + lateA : lateA(ms)),
      clearTimer: (h) => clock.clearTimer(h),
    };
    return { clock, a: make(ctx.database(), late), b: make(second, clock) };
  }

  it('paces one process like the in-process limiter: consecutive slots, no server refusal', async () => {
    const { clock, a } = twoProcesses({ tps: 2, burst: 1 });
    const granted = acquireMany(a, clock, 10, clock.now());
    await clock.advance(0);
    assert.equal(granted.length, 1, 'only the first goes at once');
    await clock.advance(6000);
    assert.equal(granted.length, 10);
    const span = (granted[9] as number) - (granted[0] as number);
    // 9 intervals of 500 ms + 5 ms margin (burst 1: 1 %), +100 ms once for the first burst.
    assert.ok(span >= 4500 && span <= 9 * 505 + 100 + 1, `span ${span}`);
    assert.equal(serverRefusals(granted, 2, 1), 0);
    assert.equal(a.state().usedToday, 10);
  });

  it('two processes share one schedule: interleaved slot by slot, together at the quota', async () => {
    const { clock, a, b } = twoProcesses({ tps: 5, burst: 1 });
    const start = clock.now();
    const fromA = acquireMany(a, clock, 10, start);
    const fromB = acquireMany(b, clock, 10, start);
    await clock.advance(5000);
    assert.equal(fromA.length + fromB.length, 20);
    const all = [...fromA, ...fromB].sort((x, y) => x - y);
    assert.equal(serverRefusals(all, 5, 1), 0);
    // 19 intervals of 202 ms (+100 ms start margin): the quota once, not once per process.
    const span = (all[19] as number) - (all[0] as number);
    assert.ok(span >= 19 * 200 && span <= 19 * 202 + 100 + 1, `span ${span}`);
    // One reservation outstanding per process: they take turns (the first turn may go to
    // whichever process the database answers first).
    const order = all.map((t) => (fromA.includes(t) ? 'a' : 'b')).join('');
    assert.doesNotMatch(order, /aaa|bbb/, `order ${order}`);
    assert.equal(b.state().usedToday, 20, 'the day count is shared');
  });

  it('a process whose timers fire late never leaves the next request closer than 1/tps', async () => {
    const { clock, a, b } = twoProcesses({ tps: 5, burst: 1 }, undefined, 60);
    const start = clock.now();
    const fromA = acquireMany(a, clock, 8, start);
    const fromB = acquireMany(b, clock, 8, start);
    await clock.advance(6000);
    assert.equal(fromA.length + fromB.length, 16);
    const all = [...fromA, ...fromB].sort((x, y) => x - y);
    const gaps = all.slice(1).map((t, i) => t - (all[i] as number));
    assert.ok(
      Math.min(...gaps) >= 200 - 1e-6,
      `gaps ${gaps.join(', ')} A ${fromA.join(',')} B ${fromB.join(',')}`,
    );
    assert.equal(serverRefusals(all, 5, 1), 0);
  });

  it('a request that reaches the server late after a stall does not get the next ones refused', async () => {
    const { clock, a } = twoProcesses({ tps: 25, burst: 2 });
    await assertLateAfterStallAbsorbed(clock, a);
  });

  it('a request held back by a stalled event loop after its grant is not joined by the next ones', async () => {
    const { clock, a } = twoProcesses({ tps: 25, burst: 2 });
    await assertStalledSendNotJoined(clock, a);
  });

  it('a grant whose timer a stall holds back counts where it went', async () => {
    // The database's clock and the timers' differ a little (wall clock, monotonic clock): a slot
    // timer that fires a little early gets its grant for a moment later, on a timer of its own
    // (process A's timers fire 1 % early here). A stall of 45 ms between the two timers held the
    // grant back, but the store kept its planned time: its burst partner and the next slots then
    // followed at their old times, three requests against a bucket of two (bench, 2 429s of 4).
    const run = async (stallAt?: number) => {
      const { clock, a } = twoProcesses({ tps: 25, burst: 2 }, undefined, (ms) => ms * 0.99);
      const start = clock.now();
      if (stallAt !== undefined) clock.stallAt(start + stallAt, 45);
      const arrivals = acquireMany(a, clock, 24, start);
      await clock.advance(2000);
      assert.equal(arrivals.length, 24);
      return arrivals;
    };
    const steady = await run();
    assert.equal(serverRefusals(steady, 25, 2), 0, `arrivals ${steady.join(', ')}`);
    for (const k of [8, 12]) {
      const arrivals = await run((steady[k] as number) - 0.1);
      assert.ok((arrivals[k] as number) >= (steady[k] as number) + 40, 'the stall held it back');
      assert.equal(serverRefusals(arrivals, 25, 2), 0, `stall before ${k}: ${arrivals.join(', ')}`);
    }
  });

  it('one burst for all processes, not one each', async () => {
    const { clock, a, b } = twoProcesses({ tps: 4, burst: 4 });
    const start = clock.now();
    const fromA = acquireMany(a, clock, 4, start);
    const fromB = acquireMany(b, clock, 4, start);
    await clock.advance(0);
    assert.equal(
      fromA.length + fromB.length,
      3,
      'three at once, the fourth after the start margin',
    );
    await clock.advance(3000);
    assert.equal(serverRefusals([...fromA, ...fromB], 4, 4), 0);
  });

  it('a 429 pauses every process; the throttled one also lowers its rate', async () => {
    const { clock, a, b } = twoProcesses({ tps: 4, burst: 4 });
    await clock.advance(0);
    const first = a.acquire();
    await clock.advance(0);
    await first;
    a.onThrottle(2000);
    assert.deepEqual([a.state().tps, a.state().burst, b.state().tps], [2, 1, 4]);
    await clock.advance(0); // the pause is written
    const start = clock.now();
    const fromB = acquireMany(b, clock, 2, start);
    await clock.advance(1999);
    assert.equal(fromB.length, 0, 'nothing during the pause, in the other process either');
    await clock.advance(2000);
    assert.equal(fromB.length, 2);
    assert.ok((fromB[0] as number) >= 2000, `first after ${fromB[0]} ms`);
    assert.ok(b.state().pausedUntil === null);
  });

  it('the daily quota is counted across processes and refused until midnight UTC', async () => {
    const { clock, a, b } = twoProcesses(
      { tps: 100, burst: 10, tpd: 3 },
      Date.parse('2026-11-27T23:00:00Z'),
    );
    const grants = [a.acquire(), b.acquire(), a.acquire()];
    await clock.advance(0);
    await Promise.all(grants);
    for (const limiter of [b, a]) {
      const refused = assert.rejects(limiter.acquire(), (e: unknown) => {
        assert.ok(e instanceof AmazonError);
        assert.deepEqual(
          [e.code, e.retryable, e.retryAfterMs],
          ['api_rate_limit', true, 3_600_000],
        );
        return true;
      });
      await clock.advance(0);
      await refused;
    }
    await clock.advance(3_600_000);
    const next = b.acquire();
    await clock.advance(0);
    await next;
    assert.equal(b.state().usedToday, 1);
  });

  it('an aborted waiter leaves the queue; the next waiter takes the slot', async () => {
    const { clock, a } = twoProcesses({ tps: 1 });
    const first = a.acquire();
    await clock.advance(0);
    await first;
    const ac = new AbortController();
    const aborted = a.acquire(ac.signal);
    const next = a.acquire();
    assert.equal(a.state().queued, 2);
    ac.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    assert.equal(a.state().queued, 1);
    await clock.advance(1200);
    await next;
    assert.equal(a.state().usedToday, 2);
  });

  it('refuses with a retryable error, sending nothing, when the database is unavailable', async () => {
    const clock = new ManualClock();
    const down = openDatabase(ctx.url());
    await sql`select 1`.execute(down.db);
    await down.close();
    const limiter = createSharedRateLimiter({
      tps: 1,
      clock,
      key: 'down',
      store: trackedStore(down, clock),
    });
    const refused = assert.rejects(limiter.acquire(), (e: unknown) => {
      assert.ok(e instanceof AmazonError);
      assert.deepEqual(
        [e.code, e.retryable, e.reason],
        ['network', true, 'RateLimitStoreUnavailable'],
      );
      assert.match(e.message, /rate_limits.*No request was sent/);
      return true;
    });
    await clock.advance(0);
    await refused;
  });

  it("on real time and the database's clock: two processes together never go faster than the rate", async () => {
    const key = `real-${ctx.kind}`;
    const make = (database: Database) =>
      createSharedRateLimiter({
        tps: 20,
        burst: 1,
        key,
        store: createDatabaseRateLimitStore(database),
      });
    const [a, b] = [make(ctx.database()), make(second)];
    // Wall-clock time, the database's clock (same machine). Only load-independent facts: the
    // store dates each grant on the database's clock, at least 1/tps after the one before
    // (whichever process made it), the first no earlier than `start`, and a waiter is let go no
    // earlier than its grant. So 20 grants end at least 19 intervals after `start`, however late
    // the timers fire. (1 ms: both readings of the clock are whole milliseconds.) How close to
    // the rate two busy processes get is bench/shared-limiter.bench.ts's figure.
    const start = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire()));
    const took = Date.now() - start;
    assert.ok(took >= 19 * 50 - 1, `20 grants in ${took} ms`);
    const row = await ctx
      .database()
      .db.selectFrom('rate_limits')
      .select('day_count')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.day_count), 20, 'every grant counted once, by either process');
  });
});
