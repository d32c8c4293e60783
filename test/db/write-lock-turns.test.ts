import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Pace } from '../../src/amazon/rate-limit-store.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { waitForRateLimiterSlots } from '../../src/db/rate-limit-slots.js';
import { createDatabaseRateLimitStore } from '../../src/db/rate-limit-store.js';
import { forEachDatabase } from '../helpers/database.js';

describe('SQLite write lock held by another connection', () => {
  let dir: string;
  let database: Database;
  let holder: BetterSqlite3.Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c2a-lock-'));
    database = openDatabase(`sqlite:${join(dir, 'lock.db')}`);
    await migrateToLatest(database);
    // Another process, as far as SQLite can tell: a connection of its own on the same file.
    holder = new BetterSqlite3(join(dir, 'lock.db'));
  });
  after(async () => {
    holder.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is waited for without stopping the event loop; the write goes through once it is free', async () => {
    holder.exec('begin immediate');
    const events: string[] = [];
    const write = database.db
      .insertInto('code2asin_logs')
      .values({ job_id: null, level: 'INFO', message: 'after the lock', created_at: '2026-12-05' })
      .execute()
      .then(() => events.push('written'));
    // With the wait inside the call (busy_timeout), this timer could not fire before the write
    // gave up (SQLITE_BUSY after 5 s, the lock still held).
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.push('timer fired');
    holder.exec('commit');
    await write;
    assert.deepEqual(events, ['timer fired', 'written']);
    const rows = await database.db
      .selectFrom('code2asin_logs')
      .select('message')
      .where('message', '=', 'after the lock')
      .execute();
    assert.equal(rows.length, 1);
  });

  it('a transaction waits for it the same way, and commits', async () => {
    holder.exec('begin immediate');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    try {
      const done = database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('code2asin_logs')
          .values({ job_id: null, level: 'INFO', message: 'in a transaction', created_at: 'x' })
          .execute();
      });
      while (ticks < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      holder.exec('commit');
      await done;
    } finally {
      clearInterval(ticker);
    }
    const row = holder
      .prepare("select count(*) as n from code2asin_logs where message = 'in a transaction'")
      .get() as { n: number };
    assert.equal(row.n, 1);
  });
});

const PACE: Pace = {
  intervalMs: 60_000,
  marginMs: 1,
  minGapMs: 59_999,
  burst: 1,
  tpd: 1000,
  startMarginMs: 0,
};

forEachDatabase('long writers wait for the rate limiters\u2019 slots', (ctx) => {
  const dbNow = async (): Promise<number> => {
    const query =
      ctx.kind === 'postgres'
        ? sql<{ t: number }>`select extract(epoch from clock_timestamp()) * 1000 as t`
        : sql<{ t: number }>`select unixepoch('subsec') * 1000.0 as t`;
    return Number((await query.execute(ctx.database().db)).rows[0]?.t);
  };
  const slotOf = async (key: string): Promise<number> => {
    const row = await ctx
      .database()
      .db.selectFrom('rate_limits')
      .select('slot_ms')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    return Number(row.slot_ms);
  };

  it('start at once when no slot falls within the hold (a minute away, or none)', async () => {
    await waitForRateLimiterSlots(ctx.database(), 100_000);
    const store = createDatabaseRateLimitStore(ctx.database());
    await store.reserve('far', PACE); // granted now
    await store.reserve('far', PACE); // the next slot, a minute on, not granted yet
    const slot = await slotOf('far');
    await waitForRateLimiterSlots(ctx.database(), 100);
    assert.ok((await dbNow()) < slot, 'returned without waiting for a slot a minute away');
    if (ctx.kind === 'postgres') {
      // Row locks only: a slot within the hold is no reason to wait there.
      await waitForRateLimiterSlots(ctx.database(), 100_000);
      assert.ok((await dbNow()) < slot);
    }
  });

  // SQLite only: PostgreSQL's case, no wait, is the test above.
  if (ctx.kind === 'sqlite')
    it('on SQLite, a writer whose hold would cover a slot starts after it', async () => {
      const store = createDatabaseRateLimitStore(ctx.database());
      const near = { ...PACE, intervalMs: 300, minGapMs: 299 };
      await store.reserve('near', near);
      await store.reserve('near', near);
      const slot = await slotOf('near');
      await waitForRateLimiterSlots(ctx.database(), 1000);
      assert.ok((await dbNow()) >= slot, 'the hold would have covered the slot: waited past it');
    });
});
