import assert from 'node:assert/strict';
import type { ManualClock } from './manual-clock.js';

/** Replays grant times against a server token bucket (the emulator's rule); counts refusals. */
export function serverRefusals(times: number[], tps: number, burst: number): number {
  let tokens = burst;
  let last = times[0] ?? 0;
  let refused = 0;
  for (const t of [...times].sort((a, b) => a - b)) {
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * tps);
    last = t;
    if (tokens < 1 - 1e-9) refused += 1;
    else tokens -= 1;
  }
  return refused;
}

/**
 * 25/s, burst 2: the 3rd request is granted, then the event loop stalls 300 ms before it goes (a
 * long synchronous statement), so it reaches the server 300 ms late, when the server's bucket has
 * lost the credit of the wait. A limiter catching up at once sent the next two slots with it:
 * three requests together against a bucket of two. Checks that does not happen: no refusal, and
 * the bucket holds one more after the late request, so the next after that waits an interval.
 */
export async function assertStalledSendNotJoined(
  clock: ManualClock,
  limiter: { acquire(): Promise<unknown> },
): Promise<void> {
  const start = clock.now();
  const arrivals: number[] = [];
  for (let i = 0; i < 8; i++)
    void limiter.acquire().then(() => {
      if (i === 2) clock.t += 300;
      arrivals.push(clock.now() - start);
    });
  await clock.advance(2000);
  assert.equal(arrivals.length, 8);
  assert.equal(serverRefusals(arrivals, 25, 2), 0, `arrivals ${arrivals.join(', ')}`);
  const third = (arrivals[4] as number) - (arrivals[2] as number);
  assert.ok(third >= 40, `no third request within an interval of it (${third} ms)`);
}

/**
 * 25/s, burst 2, a queue: the event loop stalls 100 ms after the 5th grant, and the two requests
 * that go when it ends reach the server 15 ms late (socket writes behind the stall) while the
 * next ones are on time. The server's bucket filled up during the stall and lost the credit of
 * those 15 ms: a limiter spending the whole burst sent the next request into an empty bucket.
 */
export async function assertLateAfterStallAbsorbed(
  clock: ManualClock,
  limiter: { acquire(): Promise<unknown> },
): Promise<void> {
  const start = clock.now();
  const atServer: number[] = [];
  let granted = 0;
  for (let i = 0; i < 12; i++)
    void limiter.acquire().then(() => {
      granted += 1;
      if (granted === 5) clock.t += 100;
      atServer.push(clock.now() - start + (granted === 5 || granted === 6 ? 15 : 0));
    });
  await clock.advance(3000);
  assert.equal(atServer.length, 12);
  assert.equal(serverRefusals(atServer, 25, 2), 0, `at the server ${atServer.join(', ')}`);
}

/**
 * Tracks a store's queries: the manual clock waits for them before firing the next timer
 * (PostgreSQL answers through real I/O, SQLite through promises). Returns the tracking wrapper.
 */
export function trackQueries(clock: ManualClock): <T>(query: Promise<T>) => Promise<T> {
  const pending = new Set<Promise<unknown>>();
  const previous = clock.settle;
  clock.settle = async () => {
    await previous();
    while (pending.size > 0) {
      await Promise.allSettled([...pending]);
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  return <T>(query: Promise<T>): Promise<T> => {
    pending.add(query);
    void query.then(
      () => pending.delete(query),
      () => pending.delete(query),
    );
    return query;
  };
}
