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
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await getJob(ctx.database.db, small.id);
        if (s.status === 'completed') break;
        assert.ok(Date.now() < deadline, 'small job finished in time');
        await new Promise((r) => setTimeout(r, 20));
      }
      // Counted from the stored times, not from when this loop happened to look: on a busy
      // machine the loop may see the small job's completion late, while the worker went on.
      const { completed_at: smallEnd } = await ctx.database.db
        .selectFrom('code2asin_jobs')
        .select('completed_at')
        .where('id', '=', small.id)
        .executeTakeFirstOrThrow();
      const stored = await ctx.database.db
        .selectFrom('code2asin_results')
        .select(['status', 'updated_at'])
        .where('job_id', '=', big.id)
        .where('status', 'in', ['found', 'not_found'])
        .execute();
      const before = stored.filter(
        (r) => new Date(r.updated_at).getTime() <= new Date(smallEnd as string).getTime(),
      ).length;
      assert.ok(before < 30, `the big job had done ${before} of 60 when the small one completed`);
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
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const counting = (name: string, waitFor: Promise<void>): UnitLookup => ({
      async lookupMany(units, signal) {
        calls.push(name);
        await waitFor;
        return real.lookupMany(units, signal);
      },
    });
    // A's request outlasts several leases: it ends only when the test has seen A renew its
    // lease twice and B has started (B sweeps expired leases when it finds nothing to claim).
    const options = { leaseMs: 300, idlePollMs: 20, concurrency: 1, jobIds: [job.id] };
    const a = createWorker(ctx, { ...options, workerId: 'a', lookup: counting('a', gate) });
    const b = createWorker(ctx, { ...options, workerId: 'b', lookup: counting('b', gate) });
    const leaseOf = async () =>
      (
        await ctx.database.db
          .selectFrom('code2asin_results')
          .select('lease_until')
          .where('job_id', '=', job.id)
          .executeTakeFirstOrThrow()
      ).lease_until;
    a.start();
    try {
      while (calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      const leases = new Set([await leaseOf()]);
      while (leases.size < 3) {
        leases.add(await leaseOf());
        await new Promise((r) => setTimeout(r, 20));
      }
      b.start();
      await new Promise((r) => setTimeout(r, 600));
      release();
      while ((await getJob(ctx.database.db, job.id)).status !== 'completed')
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    // On an idle machine B finds A's lease renewed and never looks the code up. On a busy one
    // A's renewal may come after the lease ran out (a stall over 300 ms): B may then take the
    // unit, and A's answer is refused as lease_lost. Either way the code is stored once.
    if (calls.length > 1) {
      assert.deepEqual(calls, ['a', 'b']);
      const logs = await ctx.database.db
        .selectFrom('code2asin_logs')
        .select('details')
        .where('job_id', '=', job.id)
        .where('message', '=', 'Code looked up')
        .execute();
      assert.equal(logs.filter((l) => String(l.details).includes('lease_lost')).length, 1);
    } else assert.deepEqual(calls, ['a']);
    assert.equal((await getJob(ctx.database.db, job.id)).counters.done, 1);
  });
});
