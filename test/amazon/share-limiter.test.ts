import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Clock } from '../../src/amazon/clock.js';
import type { RateShareStore } from '../../src/amazon/rate-share-store.js';
import type { RateLimiter } from '../../src/amazon/rate-limiter.js';
import { createShareLimiter } from '../../src/amazon/share-limiter.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createDatabaseRateShareStore } from '../../src/db/rate-share-store.js';
import { forEachDatabase } from '../helpers/database.js';
import { serverRefusals, trackQueries } from './limiter-test-helpers.js';
import { ManualClock } from './manual-clock.js';

/** The store on one handle, its queries awaited by the manual clock; `dead()` makes it fail. */
function trackedStore(database: Database, clock: ManualClock) {
  const store = createDatabaseRateShareStore(database, { now: () => clock.now() });
  const track = trackQueries(clock);
  let alive = true;
  const live = <T>(p: () => Promise<T>): Promise<T> =>
    track(alive ? p() : Promise.reject(new Error('process killed')));
  const tracked: RateShareStore = {
    heartbeat: (key, member, beat) => live(() => store.heartbeat(key, member, beat)),
    pause: (key, ms) => live(() => store.pause(key, ms)),
  };
  return { store: tracked, kill: () => (alive = false) };
}

/** Keeps `limiter` busy: a waiter always queued; records each grant's time. */
function keepBusy(limiter: RateLimiter, clock: ManualClock, grants: number[], signal: AbortSignal) {
  const loop = (): void => {
    if (signal.aborted) return;
    limiter.acquire(signal).then(
      () => {
        grants.push(clock.now());
        // The request went through (the server's answer, as the retry loop reports it).
        limiter.onSuccess();
        loop();
      },
      () => undefined,
    );
  };
  for (let i = 0; i < 3; i++) loop();
}

const countIn = (times: number[], from: number, to: number): number =>
  times.filter((t) => t >= from && t < to).length;

forEachDatabase('share limiter', (ctx) => {
  let handles: Database[] = [];
  before(() => {
    // Other processes, as far as the store can tell: their own handles on the database.
    handles = [0, 1, 2].map(() => openDatabase(ctx.url()));
  });
  after(async () => {
    for (const h of handles) await h.close();
  });
  let keys = 0;

  function members(n: number, clock: ManualClock, leaseMs: number, limiterClock: Clock = clock) {
    const key = `credential-${(keys += 1)}`;
    return Array.from({ length: n }, (_, i) => {
      const { store, kill } = trackedStore(handles[i] as Database, clock);
      const limiter = createShareLimiter({
        tps: 20,
        burst: 5,
        clock: limiterClock,
        store,
        key,
        leaseMs,
        member: { id: `member-${i}`, host: 'test', pid: i },
      });
      return { limiter, kill, grants: [] as number[], stop: new AbortController() };
    });
  }

  it('one process alone keeps the credential at its rate, with no server refusal', async () => {
    const clock = new ManualClock();
    const [a] = members(1, clock, 2000);
    keepBusy(a!.limiter, clock, a!.grants, a!.stop.signal);
    const t0 = clock.now();
    await clock.advance(10_000);
    a!.stop.abort();
    // 20/s less the 0.5 % margin, less the first interval after joining.
    const n = countIn(a!.grants, t0 + 1000, t0 + 10_000);
    assert.ok(n >= Math.floor(9 * 20 * 0.99), `${n} grants in 9 s`);
    assert.equal(serverRefusals(a!.grants, 20, 5), 0);
  });

  it('members joining and one dying: never over the quota, the dead share back within one lease', async () => {
    const clock = new ManualClock();
    const leaseMs = 2000;
    const [a, b, c] = members(3, clock, leaseMs);
    const t0 = clock.now();
    keepBusy(a!.limiter, clock, a!.grants, a!.stop.signal);
    await clock.advance(3000);
    keepBusy(b!.limiter, clock, b!.grants, b!.stop.signal);
    await clock.advance(1500);
    keepBusy(c!.limiter, clock, c!.grants, c!.stop.signal);
    await clock.advance(3000);
    // c is SIGKILLed: its store calls fail and its timers never fire again.
    // The three are counted where workers size their lanes and claims (lane-plan.ts).
    assert.deepEqual(
      [a, b, c].map((m) => m!.limiter.state().sharers),
      [3, 3, 3],
    );
    c!.kill();
    c!.stop.abort();
    const killed = clock.now();
    await clock.advance(leaseMs);
    // Within one lease the survivors count two again: their lanes grow back.
    assert.deepEqual([a!.limiter.state().sharers, b!.limiter.state().sharers], [2, 2]);
    await clock.advance(4000);
    a!.stop.abort();
    b!.stop.abort();
    const all = [...a!.grants, ...b!.grants, ...c!.grants];
    assert.equal(serverRefusals(all, 20, 5), 0, 'no request over the quota');
    // Every member got slots while the three were live.
    for (const m of [a, b, c]) assert.ok(countIn(m!.grants, t0 + 5500, killed) > 0);
    // One lease after the kill, the two others together are back at the whole rate.
    const back = countIn([...a!.grants, ...b!.grants], killed + leaseMs, killed + leaseMs + 4000);
    assert.ok(back >= Math.floor(4 * 20 * 0.98), `${back} grants in the 4 s after one lease`);
  });

  it('after a 429 a member still grants the slots its timer reaches a few ms late, and its rate comes back', async () => {
    // Timers on a loaded machine fire late; the server's burst (5) absorbs a grant up to 2
    // intervals late. The 429 lowers this member's own pace (burst 1 until it recovers), which
    // must not shrink that tolerance to 1 ms: every slot would then be skipped, no request would
    // go out, and the rate could never climb back (the scale-out bench's 4-worker runs sat at
    // about half the quota after a few 429s).
    const clock = new ManualClock();
    const late: Clock = {
      now: () => clock.now(),
      setTimer: (fn, ms) => clock.setTimer(fn, ms + 3),
      clearTimer: (h) => clock.clearTimer(h),
    };
    const [a] = members(1, clock, 2000, late);
    keepBusy(a!.limiter, clock, a!.grants, a!.stop.signal);
    await clock.advance(2000);
    const before = a!.grants.length;
    assert.ok(before >= 30, `${before} grants before the 429`);
    a!.limiter.onThrottle(null);
    const throttled = clock.now();
    await clock.advance(8000);
    a!.stop.abort();
    const last4s = countIn(a!.grants, throttled + 4000, throttled + 8000);
    assert.ok(last4s >= Math.floor(4 * 20 * 0.9), `${last4s} grants in the last 4 s`);
    assert.equal(a!.limiter.state().tps, 20, 'the rate climbed back');
    assert.equal(serverRefusals(a!.grants, 20, 5), 0);
  });

  it("a member slowed by a 429 that writes the member list keeps the credential's grid", async () => {
    // The list's interval is every member's grid: written at this member's lowered pace it kept
    // the whole credential at half its rate until the membership changed again.
    const clock = new ManualClock();
    const [a] = members(1, clock, 2000);
    let stop = new AbortController();
    keepBusy(a!.limiter, clock, a!.grants, stop.signal);
    await clock.advance(2000);
    a!.limiter.onThrottle(null);
    stop.abort();
    // Nothing waits: it leaves, then comes back alone and writes the new list, still slowed.
    await clock.advance(5000);
    assert.equal(a!.limiter.state().tps, 10);
    stop = new AbortController();
    keepBusy(a!.limiter, clock, a!.grants, stop.signal);
    const back = clock.now();
    await clock.advance(10_000);
    stop.abort();
    const last4s = countIn(a!.grants, back + 6000, back + 10_000);
    assert.ok(last4s >= Math.floor(4 * 20 * 0.95), `${last4s} grants in the last 4 s`);
    assert.equal(serverRefusals(a!.grants, 20, 5), 0);
  });
});
