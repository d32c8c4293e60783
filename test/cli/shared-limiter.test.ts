import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, startTestEmulator } from '../helpers/jobs.js';

const TPS = 5;
const CODES = 30;
const DAY_MS = 86_400_000;

let emu: RunningEmulator;
before(async () => {
  // Real processes on real time: the test asserts only what holds however loaded the machine is
  // (see the README's testing section). The emulator keeps Amazon's rule, burst 1 like the
  // workers; a request that reaches it late after the one before is refused (429) and retried.
  // How close to the quota two workers get, and how many 429s that costs on an idle machine, is
  // measured by bench/shared-limiter.bench.ts.
  emu = await startTestEmulator({ tps: TPS, burst: 1, latencyMs: 50, count: 150 });
});
after(() => emu.close());

/**
 * Search requests by answer class, every credential together. Admitted = let through by the
 * quota (any answer but 429: a code with no result is a 4xx the quota still counted).
 */
function searches(): { admitted: number; throttled: number; all: number } {
  let [admitted, throttled, all] = [0, 0, 0];
  for (const c of Object.values(emu.stats().credentials)) {
    const s = c.operations.searchItems;
    if (!s) continue;
    [admitted, throttled, all] = [
      admitted + s.requests - s.status['429'],
      throttled + s.status['429'],
      all + s.requests,
    ];
  }
  return { admitted, throttled, all };
}

forEachDatabase('two worker processes, one credential', (db) => {
  it('share its quota through rate_limits: every request paced by the shared schedule, each code looked up once', async () => {
    const env = {
      ...emu.env('creators'),
      DATABASE_URL: db.url(),
      AMAZON_TPS: String(TPS),
      AMAZON_BURST: '1',
      CODE2ASIN_WORKER_CONCURRENCY: '4',
      // "Each code admitted once" is about claiming and the shared schedule, not about a starved
      // machine: at load 37 a 10 s request timeout fired on answers the emulator had already
      // counted (32 admitted for 30 codes), and a 60 s lease can lapse the same way. Both are
      // set beyond anything a loaded run reaches, so a second admission can only be a real bug.
      AMAZON_TIMEOUT_MS: '300000',
      CODE2ASIN_LEASE_MS: '900000',
      CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
      CODE2ASIN_LOG_LEVEL: 'info',
    };
    const workers = await Promise.all(
      [1, 2].map(() => startCli(['worker'], env, /worker (\S+) started/)),
    );
    try {
      const ctx = createTestJobsContext(db.database(), TPS);
      const codes = (emu.catalog.truth ?? [])
        .filter((t) => t.case !== 'many_hits')
        .map((t) => t.code)
        .slice(0, CODES);
      emu.resetStats();
      const day = Math.floor(Date.now() / DAY_MS);
      const job = await createJob(ctx, {
        owner: 'alice',
        options: { name: 'Two workers', marketplaces: ['fr'] },
        codes,
      });
      // Who holds claims while the job runs: both workers must take part. (The job lasts at
      // least (CODES − 1) / TPS s, the emulator's own bucket sees to that; a "generous" deadline.)
      const claimers = new Set<string>();
      const deadline = Date.now() + 120_000;
      while ((await getJob(ctx.database.db, job.id)).status === 'processing') {
        assert.ok(Date.now() < deadline, 'the job ends in time');
        const rows = await ctx.database.db
          .selectFrom('code2asin_results')
          .select('claimed_by')
          .where('claimed_by', 'is not', null)
          .execute();
        for (const r of rows) claimers.add(r.claimed_by as string);
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = await getJob(ctx.database.db, job.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.counters.done, codes.length);
      assert.equal(done.counters.errors, 0, 'a refused request is retried, never a failed code');
      const workerIds = workers.map((w) => w.match[1]);
      assert.deepEqual([...claimers].sort(), workerIds.sort(), 'both workers looked codes up');
      const sent = searches();
      // Each code admitted once: no code looked up by both workers, no request wasted.
      assert.equal(sent.admitted, codes.length);
      assert.equal(sent.all, sent.admitted + sent.throttled);
      // Every request, refused ones included, took its slot from the one shared schedule (a
      // worker pacing alone would not count there). That schedule keeps both processes to one
      // rate: test/amazon/shared-rate-limiter.test.ts drives it on a manual clock.
      const limits = await ctx.database.db.selectFrom('rate_limits').selectAll().execute();
      assert.equal(limits.length, 1, 'one row: one credential');
      const row = limits[0] as (typeof limits)[number];
      if (Math.floor(Date.now() / DAY_MS) === day)
        assert.equal(Number(row.day_count), sent.all, 'every request counted in rate_limits');
    } finally {
      await Promise.all(workers.map((w) => stopChild(w.child)));
    }
  });
});
