import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AmazonError } from '../../src/amazon/errors.js';
import { createRateLimiter, type RateLimiter } from '../../src/amazon/rate-limiter.js';
import {
  assertLateAfterStallAbsorbed,
  assertStalledSendNotJoined,
  serverRefusals,
} from './limiter-test-helpers.js';
import { ManualClock } from './manual-clock.js';

/** Starts `n` acquires at once and records when each is granted (ms after start). */
function acquireMany(limiter: RateLimiter, clock: ManualClock, n: number): number[] {
  const start = clock.now();
  const granted: number[] = [];
  for (let i = 0; i < n; i++) void limiter.acquire().then(() => granted.push(clock.now() - start));
  return granted;
}

describe('rate limiter (in-process)', () => {
  it('paces queued requests at the configured rate, consecutive slots, no burst beyond capacity', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ tps: 2, burst: 1, clock });
    const granted = acquireMany(limiter, clock, 10);
    await clock.advance(0);
    assert.equal(granted.length, 1, 'only the first goes at once');
    await clock.advance(6000);
    assert.equal(granted.length, 10);
    const span = (granted[9] as number) - (granted[0] as number);
    // 9 intervals of 500 ms + 5 ms margin (burst 1: 1 %), +100 ms once for the first burst.
    assert.ok(span >= 4500 && span <= 9 * 505 + 100 + 1, `span ${span}`);
    assert.equal(serverRefusals(granted, 2, 1), 0);
  });

  it('lets a burst through at once, then the rate', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ tps: 5, burst: 5, clock });
    const granted = acquireMany(limiter, clock, 15);
    await clock.advance(0);
    assert.equal(granted.length, 4);
    await clock.advance(200);
    assert.equal(granted.length, 4, 'the last of the burst waits the start margin (100 ms)…');
    await clock.advance(1);
    assert.equal(granted.length, 5, '…and half an interval (100.5 ms) kept for jitter');
    await clock.advance(3000);
    assert.equal(granted.length, 15);
    assert.equal(serverRefusals(granted, 5, 5), 0);
    const steady = ((granted[14] as number) - (granted[4] as number)) / 10;
    assert.ok(steady >= 200 && steady <= 202, `steady interval ${steady}`);
  });

  it('a request that reaches the server late after a stall does not get the next ones refused', async () => {
    const clock = new ManualClock();
    await assertLateAfterStallAbsorbed(clock, createRateLimiter({ tps: 25, burst: 2, clock }));
  });

  it('a request held back by a stalled event loop after its grant is not joined by the next ones', async () => {
    const clock = new ManualClock();
    await assertStalledSendNotJoined(clock, createRateLimiter({ tps: 25, burst: 2, clock }));
  });

  it('never lets a server bucket of the same settings refuse (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 40 }),
        async (tps, burst, arrivals) => {
          const clock = new ManualClock();
          const limiter = createRateLimiter({ tps, burst, clock });
          const start = clock.now();
          const granted: number[] = [];
          const sorted = [...arrivals].sort((a, b) => a - b);
          for (const at of sorted) {
            await clock.advance(at - (clock.now() - start));
            void limiter.acquire().then(() => granted.push(clock.now() - start));
          }
          await clock.advance(((sorted.length + burst) / tps) * 1100 + 1000);
          assert.equal(granted.length, sorted.length);
          assert.equal(serverRefusals(granted, tps, burst), 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('with a burst, a request that reaches the server up to 0.45 of an interval late is never refused, stalls or not (property)', async () => {
    // A process stalled between a send and its socket write, or the network, delays one request
    // and not the next; after a stall the bucket the limiter spends is full again. The limiter
    // keeps half a request of the bucket for such a delay (spendableBurst).
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.5, max: 25, noNaN: true }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 0.45 })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.tuple(fc.nat(40), fc.double({ min: 0, max: 4 })),
        async (tps, burst, requests, [stalledAt, stallIntervals]) => {
          const clock = new ManualClock();
          const limiter = createRateLimiter({ tps, burst, clock });
          const start = clock.now();
          const interval = 1000 / tps;
          const atServer: number[] = [];
          const sorted = [...requests].sort((a, b) => a[0] - b[0]);
          let granted = 0;
          for (const [at, late] of sorted) {
            await clock.advance(at - (clock.now() - start));
            void limiter.acquire().then(() => {
              // The event loop stands still after this grant (a long statement, a GC).
              if (granted++ === stalledAt) clock.t += stallIntervals * interval;
              atServer.push(clock.now() - start + late * interval);
            });
          }
          await clock.advance(((sorted.length + burst) / tps) * 1100 + 5000);
          assert.equal(atServer.length, sorted.length);
          assert.equal(serverRefusals(atServer, tps, burst), 0, atServer.join(', '));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on a 429: waits retry-after, halves the rate, drops the burst, then climbs back slowly', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ tps: 4, burst: 4, clock });
    await limiter.acquire();
    limiter.onThrottle(2000);
    let s = limiter.state();
    assert.deepEqual([s.tps, s.burst, s.throttles], [2, 1, 1]);
    assert.ok(s.pausedUntil !== null && s.pausedUntil - clock.now() === 2000);
    // A second 429 from a request already in flight does not halve again.
    limiter.onThrottle(2000);
    assert.equal(limiter.state().tps, 2);
    const granted = acquireMany(limiter, clock, 2);
    await clock.advance(1999);
    assert.equal(granted.length, 0, 'nothing during the pause');
    await clock.advance(2000);
    assert.ok((granted[0] as number) >= 2000);
    for (let i = 0; i < 200; i++) limiter.onSuccess();
    s = limiter.state();
    assert.deepEqual([s.tps, s.burst], [4, 4]);
  });

  it('recovers fast below the rate that was throttled, slowly near it', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ tps: 10, clock });
    limiter.onThrottle(0);
    assert.equal(limiter.state().tps, 10, 'a lone 429 with burst 1 widens the margin only');
    limiter.onThrottle(0);
    assert.equal(limiter.state().tps, 5, 'a second one soon after halves the rate');
    for (let i = 0; i < 8; i++) limiter.onSuccess();
    assert.equal(limiter.state().tps, 9, 'fast up to 90 % of the throttled rate');
    limiter.onSuccess();
    assert.ok(
      Math.abs(limiter.state().tps - 9.05) < 1e-9,
      'then 0.5 % of the configured rate per success',
    );
  });

  it('rejects with api_rate_limit until midnight UTC when the daily quota is spent', async () => {
    const clock = new ManualClock(Date.parse('2026-11-27T23:00:00Z'));
    const limiter = createRateLimiter({ tps: 100, burst: 10, tpd: 3, clock });
    for (let i = 0; i < 3; i++) await limiter.acquire();
    await assert.rejects(limiter.acquire(), (e: unknown) => {
      assert.ok(e instanceof AmazonError);
      assert.equal(e.code, 'api_rate_limit');
      assert.equal(e.retryAfterMs, 3_600_000);
      assert.equal(e.retryable, true);
      return true;
    });
    assert.equal(limiter.state().usedToday, 3);
    await clock.advance(3_600_000);
    await limiter.acquire();
    assert.equal(limiter.state().usedToday, 1);
  });

  it('an aborted waiter leaves the queue without taking a slot', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ tps: 1, clock });
    await limiter.acquire();
    const ac = new AbortController();
    const aborted = limiter.acquire(ac.signal);
    const next = limiter.acquire();
    assert.equal(limiter.state().queued, 2);
    ac.abort(new Error('stop'));
    await assert.rejects(aborted, /stop/);
    assert.equal(limiter.state().queued, 1);
    await clock.advance(1200);
    await next;
    assert.equal(limiter.state().usedToday, 2);
  });
});
