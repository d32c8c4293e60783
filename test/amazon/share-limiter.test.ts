import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
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

  function members(n: number, clock: ManualClock, leaseMs: number) {
    const key = `credential-${(keys += 1)}`;
    return Array.from({ length: n }, (_, i) => {
      const { store, kill } = trackedStore(handles[i] as Database, clock);
      const limiter = createShareLimiter({
        tps: 20,
        burst: 5,
        clock,
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
});
