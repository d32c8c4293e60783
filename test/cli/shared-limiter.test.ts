import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, searchRequests, startTestEmulator } from '../helpers/jobs.js';

const TPS = 5;
const CODES = 30;

let emu: RunningEmulator;
before(async () => {
  // The workers keep to burst 1 (AMAZON_BURST=1); the emulator's bucket holds 2, a tolerance of
  // one interval for arrival jitter. The suite runs on shared, often loaded machines where a
  // request may reach the emulator tens of ms after its slot: with an emulator at burst 1 this
  // test saw one 429 in one run of six at load 5 on 2 cores (the in-process limiter of a single
  // worker sees them too). Two workers each pacing alone still send twice the quota and get
  // 429s (checked with CODE2ASIN_SHARED_RATE_LIMIT=false). The strict burst-1 figures are
  // measured by bench/shared-limiter.bench.ts.
  emu = await startTestEmulator({ tps: TPS, burst: 2, latencyMs: 50, count: 150 });
});
after(() => emu.close());

function throttled(): number {
  return Object.values(emu.stats().credentials).reduce((n, c) => n + c.status['429'], 0);
}

/** Most searches in any 1-second window (token requests are not counted against the quota). */
function busiestSecond(): number {
  return Math.max(
    0,
    ...Object.values(emu.stats().credentials).map(
      (c) => c.operations.searchItems?.maxPerSecond ?? 0,
    ),
  );
}

forEachDatabase('two worker processes, one credential', (db) => {
  it('share its quota through rate_limits: zero 429s, together close to the quota (not twice it)', async () => {
    const env = {
      ...emu.env('creators'),
      DATABASE_URL: db.url(),
      AMAZON_TPS: String(TPS),
      AMAZON_BURST: '1',
      CODE2ASIN_WORKER_CONCURRENCY: '4',
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
      const job = await createJob(ctx, {
        owner: 'alice',
        options: { name: 'Two workers', marketplaces: ['fr'] },
        codes,
      });
      // Who holds claims while the job runs: both workers must take part.
      const claimers = new Set<string>();
      let first = 0;
      let last = 0;
      let seen = 0;
      const deadline = Date.now() + 30_000;
      while ((await getJob(ctx.database.db, job.id)).status === 'processing') {
        assert.ok(Date.now() < deadline, 'the job ends in time');
        const rows = await ctx.database.db
          .selectFrom('code2asin_results')
          .select('claimed_by')
          .where('claimed_by', 'is not', null)
          .execute();
        for (const r of rows) claimers.add(r.claimed_by as string);
        const n = searchRequests(emu);
        if (n > 0 && first === 0) first = performance.now();
        if (n > seen) [seen, last] = [n, performance.now()];
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = await getJob(ctx.database.db, job.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.counters.done, codes.length);
      const workerIds = workers.map((w) => w.match[1]);
      assert.deepEqual([...claimers].sort(), workerIds.sort(), 'both workers looked codes up');
      assert.equal(throttled(), 0, 'no request refused');
      const requests = searchRequests(emu);
      const rate = (requests - 1) / ((last - first) / 1000);
      assert.ok(rate > 0.8 * TPS && rate <= 1.05 * TPS, `${rate.toFixed(2)} requests/s`);
      assert.ok(busiestSecond() <= TPS + 1, `busiest second ${busiestSecond()}`);
    } finally {
      await Promise.all(workers.map((w) => stopChild(w.child)));
    }
  });
});
