import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { errorStatistics, jobStatistics } from '../../src/jobs/statistics.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import type { UnitLookup } from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, emulatorSettings, startTestEmulator } from '../helpers/jobs.js';

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ tps: 20, burst: 1, count: 200 });
});
after(async () => emu.close());

forEachDatabase('worker fairness and statistics', (db) => {
  it('a small job started after a large one is not stuck behind it', async () => {
    const ctx = createTestJobsContext(db.database(), 20);
    const truth = emu.catalog.truth!.map((t) => t.code);
    const big = await createJob(ctx, {
      owner: 'a',
      options: { name: 'Big', marketplaces: ['fr'], refresh: true },
      codes: truth.slice(0, 60),
    });
    const small = await createJob(ctx, {
      owner: 'b',
      options: { name: 'Small', marketplaces: ['fr'], refresh: true },
      codes: truth.slice(60, 63),
    });
    const lookup = createAmazonLookup(
      emulatorSettings(emu, { AMAZON_TPS: '20', AMAZON_BURST: '1' }),
      ctx.database.db,
    );
    const worker = createWorker(ctx, {
      lookup,
      concurrency: 2,
      idlePollMs: 20,
      statusRefreshMs: 50,
      jobIds: [big.id, small.id],
    });
    worker.start();
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const s = await getJob(ctx.database.db, small.id);
        if (s.status === 'completed') break;
        assert.ok(Date.now() < deadline, 'small job finished in time');
        await new Promise((r) => setTimeout(r, 20));
      }
      const b = await getJob(ctx.database.db, big.id);
      assert.ok(
        b.counters.done < 30,
        `the big job had done ${b.counters.done} of 60 when the small one completed`,
      );
    } finally {
      await worker.stop();
    }
  });

  it('tiles and error statistics', async () => {
    const ctx = createTestJobsContext(db.database(), 20);
    const truth = emu.catalog.truth!;
    const job = await createJob(ctx, {
      owner: 'stats',
      options: { name: 'Stats', marketplaces: ['fr'] },
      codes: truth.slice(0, 10).map((t) => t.code),
    });
    const lookup = createAmazonLookup(emulatorSettings(emu), ctx.database.db);
    const worker = createWorker(ctx, { lookup, idlePollMs: 20, jobIds: [job.id] });
    worker.start();
    while ((await getJob(ctx.database.db, job.id)).status !== 'completed')
      await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    const tiles = await jobStatistics(ctx.database.db, job.id);
    const done = await getJob(ctx.database.db, job.id);
    assert.equal(tiles.total_codes, 10);
    assert.equal(tiles.with_asin, done.counters.found);
    assert.equal(
      tiles.exact_matches + tiles.partial_matches + tiles.fuzzy_matches + tiles.manual_matches,
      tiles.with_asin,
    );
    assert.ok(tiles.with_price > 0 && tiles.with_price <= tiles.with_asin);
    assert.ok(tiles.average_confidence !== null && tiles.average_confidence > 0.5);
    await ctx.database.db
      .updateTable('code2asin_results')
      .set({ status: 'error', error_class: 'network' })
      .where('job_id', '=', job.id)
      .where('status', '=', 'not_found')
      .execute();
    const errors = await errorStatistics(ctx.database.db, 7, 'stats');
    assert.equal(errors.total, done.counters.not_found);
    if (errors.total > 0) assert.equal(errors.by_class.network, errors.total);
    assert.equal((await errorStatistics(ctx.database.db, 7, 'nobody')).total, 0);
  });

  it('a unit held longer than its lease stays with its worker: one request, not two', async () => {
    const ctx = createTestJobsContext(db.database(), 20);
    const job = await createJob(ctx, {
      owner: 'lease',
      options: { name: 'Slow', marketplaces: ['fr'], refresh: true },
      codes: [emu.catalog.truth![0]!.code],
    });
    const real = createAmazonLookup(emulatorSettings(emu), ctx.database.db);
    const calls: string[] = [];
    const counting = (name: string, delayMs: number): UnitLookup => ({
      async lookup(unit, signal) {
        calls.push(name);
        await new Promise((r) => setTimeout(r, delayMs));
        return real.lookup(unit, signal);
      },
    });
    // A's request takes four leases; B sweeps expired leases when it finds nothing to claim.
    const options = { leaseMs: 300, idlePollMs: 20, concurrency: 1, jobIds: [job.id] };
    const a = createWorker(ctx, { ...options, workerId: 'a', lookup: counting('a', 1200) });
    const b = createWorker(ctx, { ...options, workerId: 'b', lookup: counting('b', 0) });
    a.start();
    try {
      while (calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 600));
      b.start();
      while ((await getJob(ctx.database.db, job.id)).status !== 'completed')
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    assert.deepEqual(calls, ['a']);
    assert.equal((await getJob(ctx.database.db, job.id)).counters.done, 1);
  });
});
