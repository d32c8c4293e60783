import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import type { Pace, SlotReservation } from '../../src/amazon/rate-limit-store.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createDatabaseRateLimitStore } from '../../src/db/rate-limit-store.js';
import { forEachDatabase } from '../helpers/database.js';

const BURST_1: Pace = {
  intervalMs: 100,
  marginMs: 1,
  minGapMs: 99,
  burst: 1,
  tpd: 1000,
  startMarginMs: 0,
};

function delayOf(r: SlotReservation | null): number {
  assert.ok(r?.granted, 'granted');
  return r.delayMs;
}

forEachDatabase('rate limit store', (ctx) => {
  let t = Date.parse('2026-11-27T10:00:00Z');
  let other: Database;
  before(() => {
    other = openDatabase(ctx.url());
  });
  after(() => other.close());
  const store = () => createDatabaseRateLimitStore(ctx.database(), { now: () => t });

  it('reserves consecutive slots one interval apart; a slot that is now is granted at once', async () => {
    const s = store();
    const first = await s.reserve('a', { ...BURST_1, startMarginMs: 50 });
    assert.deepEqual(first, {
      granted: true,
      grantedNow: true,
      delayMs: 0,
      usedToday: 1,
      pausedForMs: 0,
    });
    // Reserved at the same instant: each the next slot, the first interval widened by the margin.
    const second = await s.reserve('a', BURST_1);
    assert.ok(second.granted && !second.grantedNow);
    assert.equal(second.delayMs, 150);
    assert.equal(delayOf(await s.reserve('a', { ...BURST_1, startMarginMs: 50 })), 250);
    t += 1000;
    const idle = await s.reserve('a', BURST_1);
    assert.deepEqual(idle, {
      granted: true,
      grantedNow: true,
      delayMs: 0,
      usedToday: 4,
      pausedForMs: 0,
    });
    assert.equal(delayOf(await s.reserve('b', BURST_1)), 0, 'another key has its own row');
  });

  it('lets a burst go at once, then the rate', async () => {
    const s = store();
    const request = { ...BURST_1, burst: 3 };
    const got = [];
    for (let i = 0; i < 6; i++) got.push(await s.reserve('burst', request));
    assert.deepEqual(got.map(delayOf), [0, 0, 0, 100, 200, 300]);
    assert.deepEqual(
      got.map((r) => r.granted && r.grantedNow),
      [true, true, true, false, false, false],
    );
  });

  it('checks a grant against the previous grant of any process: a late one pushes the next back', async () => {
    const a = store();
    const b = createDatabaseRateLimitStore(other, { now: () => t });
    const t0 = t;
    await a.reserve('late', BURST_1); // granted at t0
    assert.equal(delayOf(await b.reserve('late', BURST_1)), 100);
    assert.equal(delayOf(await a.reserve('late', BURST_1)), 200);
    // B's timer fires 30 ms late: its grant goes now, and counts from now.
    t = t0 + 130;
    assert.deepEqual(await b.grant('late', { ...BURST_1, reserveNext: false }), {
      waitMs: 0,
      next: null,
    });
    // A's slot (t0 + 200) comes: it must wait until 1/tps after B's grant (t0 + 229).
    t = t0 + 200;
    const g = await a.grant('late', { ...BURST_1, reserveNext: true });
    assert.equal(g.waitMs, 29);
    // The next slot follows the grants: one interval after A's (t0 + 329).
    assert.deepEqual(g.next, {
      granted: true,
      grantedNow: false,
      delayMs: 129,
      usedToday: 4,
      pausedForMs: 0,
    });
  });

  it("widens the gap after another process's grant by the caller's learnt jitter margin", async () => {
    const a = store();
    const b = createDatabaseRateLimitStore(other, { now: () => t });
    const t0 = t;
    await a.reserve('jitter', BURST_1); // granted at t0
    assert.equal(delayOf(await b.reserve('jitter', BURST_1)), 100);
    t = t0 + 100;
    // B's requests were refused for arriving too close after A's: it asks for 8 ms more.
    const g = await b.grant('jitter', { ...BURST_1, minGapMs: 107, reserveNext: false });
    assert.equal(g.waitMs, 7);
  });

  it('a pause holds every slot until one interval after its end, and never shortens', async () => {
    const s = store();
    await s.reserve('p', BURST_1);
    await s.pause('p', { pauseMs: 2000, intervalMs: 100 });
    await s.pause('p', { pauseMs: 500, intervalMs: 100 });
    const r = await createDatabaseRateLimitStore(other, { now: () => t }).reserve('p', BURST_1);
    assert.deepEqual(r, {
      granted: true,
      grantedNow: false,
      delayMs: 2100,
      usedToday: 2,
      pausedForMs: 2000,
    });
    await s.pause('fresh', { pauseMs: 300, intervalMs: 100 });
    assert.equal(delayOf(await s.reserve('fresh', BURST_1)), 400, 'a pause may create the row');
  });

  it('a slot reserved before a pause is granted after it', async () => {
    const s = store();
    await s.reserve('q', BURST_1);
    assert.equal(delayOf(await s.reserve('q', BURST_1)), 100);
    await s.pause('q', { pauseMs: 1000, intervalMs: 100 });
    t += 100;
    const g = await s.grant('q', { ...BURST_1, reserveNext: false });
    assert.equal(g.waitMs, 1000);
  });

  it('counts the UTC day across handles: refused at tpd until midnight, then counts again', async () => {
    t = Date.parse('2026-11-27T23:00:00Z');
    const a = store();
    const b = createDatabaseRateLimitStore(other, { now: () => t });
    const request = { ...BURST_1, tpd: 3 };
    await a.reserve('day', request);
    await b.reserve('day', request);
    assert.equal((await a.reserve('day', request)).usedToday, 3);
    const refused = await b.reserve('day', request);
    assert.deepEqual(refused, { granted: false, usedToday: 3, retryAfterMs: 3_600_000 });
    const before = await ctx
      .database()
      .db.selectFrom('rate_limits')
      .selectAll()
      .where('key', '=', 'day')
      .executeTakeFirstOrThrow();
    assert.equal(before.slot_ms, null, 'a refusal reserves nothing');
    const exhausted = await a.grant('day', { ...request, reserveNext: true });
    assert.deepEqual(exhausted.next, { granted: false, usedToday: 3, retryAfterMs: 3_600_000 });
    t += 3_600_000;
    const next = await a.reserve('day', request);
    assert.ok(next.granted);
    assert.equal(next.usedToday, 1);
  });

  it('is atomic under concurrent reservations from two handles: distinct slots, exact count', async () => {
    const a = store();
    const b = createDatabaseRateLimitStore(other, { now: () => t });
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve('race', BURST_1)),
    );
    assert.equal(all.filter((r) => r.granted && r.grantedNow).length, 1, 'one granted at once');
    const delays = all.map(delayOf).sort((x, y) => x - y);
    assert.deepEqual(
      delays,
      Array.from({ length: 40 }, (_, i) => i * 100),
    );
    assert.deepEqual(
      all.map((r) => r.usedToday).sort((x, y) => x - y),
      delays.map((_, i) => i + 1),
    );
  });

  it("keeps time on the database's clock when given none", async () => {
    const s = createDatabaseRateLimitStore(ctx.database());
    // Bounds from this process's clock around the statements (same machine, so the same
    // clock; 1 ms for whole-millisecond readings), not from how fast they ran.
    const before = Date.now();
    const first = await s.reserve('clock', { ...BURST_1, intervalMs: 1000 });
    const second = await s.reserve('clock', { ...BURST_1, intervalMs: 1000 });
    const after = Date.now();
    assert.equal(delayOf(first), 0);
    // The second slot is one interval after the first, less the time between the statements.
    const d = delayOf(second);
    assert.ok(d >= 1000 - (after - before) - 1 && d <= 1000, `second delay ${d}`);
    const row = await ctx
      .database()
      .db.selectFrom('rate_limits')
      .selectAll()
      .where('key', '=', 'clock')
      .executeTakeFirstOrThrow();
    assert.ok(
      row.updated_ms >= before - 1 && row.updated_ms <= after + 1,
      `epoch milliseconds: ${row.updated_ms} in [${before}, ${after}]`,
    );
    assert.equal(row.day, Math.floor(row.updated_ms / 86_400_000));
  });

  it('fails when the database is unavailable (the limiter then sends nothing)', async () => {
    const closed = openDatabase(ctx.url());
    await sql`select 1`.execute(closed.db);
    await closed.close();
    await assert.rejects(createDatabaseRateLimitStore(closed).reserve('down', BURST_1));
  });
});
