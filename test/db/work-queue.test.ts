import assert from 'node:assert/strict';
import { it } from 'node:test';
import { nowIso } from '../../src/db/dialect.js';
import { openDatabase } from '../../src/db/database.js';
import { claimUnits, releaseUnits, sweepExpiredLeases } from '../../src/db/work-queue.js';
import { forEachDatabase } from '../helpers/database.js';

forEachDatabase('work queue (claim, release, lease sweep)', (ctx) => {
  const jobId = '5a5a5a5a-1111-4222-8333-444444444444';

  it('concurrent claimers never take the same unit nor more than their limit', async () => {
    const { db } = ctx.database();
    const now = nowIso();
    await db
      .insertInto('code2asin_jobs')
      .values({
        id: jobId,
        owner: 'o',
        name: 'q',
        supplier_code: null,
        status: 'processing',
        marketplaces: '[]',
        options: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const units = Array.from({ length: 120 }, (_, i) => ({
      job_id: jobId,
      marketplace: 'www.amazon.fr',
      gtin: String(i).padStart(14, '0'),
      code: String(i),
      status: 'pending',
      created_at: now,
      updated_at: now,
    }));
    await db.insertInto('code2asin_results').values(units).execute();
    // Several connections, as several worker processes would have.
    const others = Array.from({ length: 4 }, () => openDatabase(ctx.url()));
    try {
      const seen = new Map<number, string>();
      let rounds = 0;
      for (;;) {
        const batches = await Promise.all(
          others.map((d, i) =>
            claimUnits(d, { jobId, workerId: `w${i}`, limit: 7, leaseMs: 60_000 }),
          ),
        );
        rounds += 1;
        for (const [i, batch] of batches.entries()) {
          assert.ok(batch.length <= 7, `claim of ${batch.length} > limit`);
          for (const u of batch) {
            assert.ok(!seen.has(u.id), `unit ${u.id} claimed twice`);
            seen.set(u.id, `w${i}`);
            assert.equal(u.status, 'claimed');
            assert.equal(u.claimed_by, `w${i}`);
          }
        }
        if (batches.every((b) => b.length === 0)) break;
        assert.ok(rounds < 50);
      }
      assert.equal(seen.size, 120);
    } finally {
      await Promise.all(others.map((d) => d.close()));
    }
  });

  it('release hands back only the releasing worker’s units; the sweep returns expired leases', async () => {
    const { db } = ctx.database();
    const database = ctx.database();
    const held = await db
      .selectFrom('code2asin_results')
      .select('id')
      .where('claimed_by', '=', 'w0')
      .execute();
    const ids = held.map((h) => h.id);
    assert.equal(await releaseUnits(database, 'w1', ids), 0);
    assert.equal(await releaseUnits(database, 'w0', ids), ids.length);
    await db
      .updateTable('code2asin_results')
      .set({ lease_until: nowIso(-1000) })
      .where('claimed_by', '=', 'w1')
      .execute();
    const expired = await db
      .selectFrom('code2asin_results')
      .select('id')
      .where('claimed_by', '=', 'w1')
      .execute();
    assert.equal(await sweepExpiredLeases(database), expired.length);
    const pending = await db
      .selectFrom('code2asin_results')
      .select('id')
      .where('status', '=', 'pending')
      .execute();
    assert.equal(pending.length, ids.length + expired.length);
  });
});
