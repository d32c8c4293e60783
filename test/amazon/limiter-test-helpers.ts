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
