import { sql } from 'kysely';
import type { Database } from './database.js';

/** A grant this late past its slot is not coming (a stopped process): do not wait for it. */
const STALE_SLOT_MS = 250;
/** Time the grant statement gets after its slot before a long writer takes the lock again. */
const AFTER_SLOT_MS = 5;
/** Waits at most this many times per call: a writer is delayed, never stopped. */
const MAX_WAITS = 8;

/**
 * Before a write transaction that holds SQLite's one write lock for about `holdMs`, waits until
 * no shared rate limiter's slot falls within it. At a slot, a process records its grant in
 * `rate_limits` — a write — and the request leaves only then: a lock held across the slot
 * delays the request and, the schedule counting from the grant, every request after it (an
 * upload stored during a job took the job from 5 to 3.9 requests/s, issue 13 §7). Reading the
 * schedule needs no lock (WAL). PostgreSQL locks rows, not the database: nothing to wait for.
 */
export async function waitForRateLimiterSlots(database: Database, holdMs: number): Promise<void> {
  if (!database.dialect.singleWriter) return;
  for (let waits = 0; waits < MAX_WAITS; waits += 1) {
    const untilSlot = await msUntilNextSlot(database);
    // Twice the estimate: a transaction's time varies with the machine's load.
    if (untilSlot === null || untilSlot > 2 * holdMs || untilSlot < -STALE_SLOT_MS) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, untilSlot + AFTER_SLOT_MS)));
  }
}

/** From now (the database's clock, as the store's) to the earliest slot not granted yet. */
async function msUntilNextSlot(database: Database): Promise<number | null> {
  const row = await sql<{ ms: number | null }>`
    select min(slot_ms) - unixepoch('subsec') * 1000.0 as ms
    from rate_limits where slot_ms is not null and slot_granted = 0`.execute(database.db);
  const ms = row.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Number(ms);
}
