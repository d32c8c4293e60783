import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import { lanesFor } from '../../src/jobs/lane-plan.js';
import { listLiveWorkers } from '../../src/jobs/worker-presence.js';
import { runCli, startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, startTestEmulator } from '../helpers/jobs.js';

// Burst 5 at 2 requests/s: the emulator tolerates 2 s of requests bunched by a slow event loop
// (its own included: it counts a request when its handler runs), so "no 429" holds however
// loaded the machine is, while slots stay 500 ms apart: a process sending on another's slot
// would show. How close to the quota N workers get is measured by bench/scale-out.bench.ts.
const TPS = 2;
const BURST = 5;
const LEASE_MS = 2000;

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ tps: TPS, burst: BURST, latencyMs: 50, count: 150 });
});
after(() => emu.close());

function searches(): { admitted: number; throttled: number } {
  let [admitted, throttled] = [0, 0];
  for (const c of Object.values(emu.stats().credentials)) {
    const s = c.operations.searchItems;
    if (!s) continue;
    admitted += s.requests - s.status['429'];
    throttled += s.status['429'];
  }
  return { admitted, throttled };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachDatabase('worker processes sharing a credential by rate shares', (db) => {
  const env = () => ({
    ...emu.env('creators'),
    DATABASE_URL: db.url(),
    AMAZON_TPS: String(TPS),
    AMAZON_BURST: String(BURST),
    // Automatic lanes (from the rate, answer time and workers sharing it). Rate shares (the
    // default on PostgreSQL) with a short lease, on SQLite too: the per-request schedule lets a
    // burst of 5 out at once, which a starved emulator may count as bunched (no guarantee there).
    CODE2ASIN_SHARE_LEASE_MS: String(LEASE_MS),
    CODE2ASIN_LEASE_MS: '3000',
    CODE2ASIN_MAINTENANCE_MS: '500',
    CODE2ASIN_SECRET_KEY: 'ef'.repeat(32),
    CODE2ASIN_LOG_LEVEL: 'info',
  });
  const start = () => startCli(['worker'], env(), /worker (\S+) started/);

  it('workers join and one is SIGKILLed mid-job: no 429, every code stored once', async () => {
    // SQLite: one process (several processes on one SQLite file are not the scale-out case);
    // PostgreSQL: two at start, a third joins, one is killed.
    const multi = db.kind === 'postgres';
    const workers = [await start()];
    if (multi) workers.push(await start());
    try {
      const ctx = createTestJobsContext(db.database(), TPS);
      const codes = (emu.catalog.truth ?? [])
        .filter((t) => t.case !== 'many_hits')
        .map((t) => t.code)
        .slice(0, 24);
      emu.resetStats();
      const job = await createJob(ctx, {
        owner: 'alice',
        options: { name: 'Scale-out', marketplaces: ['fr'] },
        codes,
      });
      const progress = async () => (await getJob(ctx.database.db, job.id)).counters.done;
      const deadline = Date.now() + 150_000;
      const waitFor = async (done: number) => {
        while ((await progress()) < done) {
          assert.ok(Date.now() < deadline, `${done} codes done in time`);
          await sleep(50);
        }
      };
      if (multi) {
        await waitFor(4);
        workers.push(await start());
        await waitFor(10);
        // The third one's first heartbeat may still be on its way.
        while ((await listLiveWorkers(ctx.database)).length < 3) {
          assert.ok(Date.now() < deadline, 'code2asin workers lists the three');
          await sleep(100);
        }
        await stopChild(workers[0]!.child, 'SIGKILL');
      }
      while ((await getJob(ctx.database.db, job.id)).status === 'processing') {
        assert.ok(Date.now() < deadline, 'the job ends in time');
        await sleep(100);
      }
      const done = await getJob(ctx.database.db, job.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.counters.done, codes.length, 'no code lost');
      assert.equal(done.counters.errors, 0);
      const results = await ctx.database.db
        .selectFrom('code2asin_results')
        .select(['code', 'status'])
        .execute();
      assert.equal(results.length, codes.length, 'one result per code, none doubled');
      const sent = searches();
      assert.equal(sent.throttled, 0, 'no request over the quota as the emulator counts it');
      // A killed worker's lookups in flight are done again after its claim lease: at most its
      // lanes' worth more than one per code (the most lanes it could have: alone).
      const maxLanes = lanesFor({ requestsPerSecond: TPS, sharers: 1 });
      assert.ok(sent.admitted >= codes.length && sent.admitted <= codes.length + maxLanes);
      if (multi) {
        // The killed process's rows expire: it leaves the listing, and its share goes back to
        // the others (within one lease: the manual-clock test in share-limiter.test.ts).
        const killed = workers[0]!;
        const pid = killed.child.pid as number;
        for (;;) {
          const listed = await listLiveWorkers(ctx.database);
          const members = await ctx.database.db
            .selectFrom('rate_limit_shares')
            .selectAll()
            .execute();
          const holds = members.some((m) => m.members.includes(`:${pid}:`));
          if (!holds && !listed.some((w) => w.id === killed.match[1])) break;
          assert.ok(Date.now() < deadline, 'the killed worker is dropped in time');
          await sleep(200);
        }
        const out = await runCli(['workers', '--json'], env());
        assert.equal(out.code, 0, out.stderr);
        const listed = JSON.parse(out.stdout) as { pid: number }[];
        assert.ok(listed.length >= 1 && !listed.some((w) => w.pid === pid));
      }
    } finally {
      // A SIGKILLed child has exited (its exit code stays null: stopChild would wait for ever).
      const running = workers.filter((w) => w.child.signalCode === null);
      await Promise.all(running.map((w) => stopChild(w.child)));
    }
  });
});
