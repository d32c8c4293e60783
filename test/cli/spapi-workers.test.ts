import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCode } from '../../src/codes/index.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { createWorker } from '../../src/jobs/worker.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { createTestDatabase, forEachDatabase, type TestDatabase } from '../helpers/database.js';
import { startHoldingProxy } from '../helpers/holding-proxy.js';
import { createTestJobsContext, emulatorSettings, startTestEmulator } from '../helpers/jobs.js';

// Real `code2asin worker` processes with the SP-API provider (20 codes per request) against the
// emulator. Only what holds however loaded the machine is gets asserted: counts of codes, results
// and requests, and the emulator's own verdicts; never a duration or a rate.

/** Cases answered with at most one item: 20 codes never need a second page. */
const ONE_ITEM = ['exact_unique', 'not_found', 'noise_only', 'title_only', 'noisy_search'];
const SECRET = 'ab'.repeat(32);
const DEADLINE_MS = 300_000;

/** EAN-13 truth codes of one-item cases: one SP-API identifier type, so one batch key. */
function eanCodes(emu: RunningEmulator): string[] {
  return (emu.catalog.truth ?? [])
    .filter((t) => ONE_ITEM.includes(t.case))
    .map((t) => parseCode(t.code))
    .flatMap((p) => (p.valid && p.type === 'EAN-13' ? [p.code] : []));
}

async function until(db: Database, jobId: string, done: (j: Job) => boolean): Promise<Job> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const job = await getJob(db.db, jobId);
    if (done(job)) return job;
    assert.ok(Date.now() < deadline, `job ${jobId} stuck in ${job.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stored results of a job (one row per code) and its "Code looked up" log lines (one per store). */
async function storedOf(db: Database, jobId: string) {
  const rows = await db.db
    .selectFrom('code2asin_results')
    .select(['code', 'status', 'claimed_by'])
    .where('job_id', '=', jobId)
    .execute();
  const logs = await db.db
    .selectFrom('code2asin_logs')
    .select('id')
    .where('job_id', '=', jobId)
    .where('message', '=', 'Code looked up')
    .execute();
  const done = rows.filter((r) => !['pending', 'claimed'].includes(r.status));
  return { rows, done: done.map((r) => r.code), logs: logs.length };
}

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ count: 1200, tps: 50, burst: 10 });
});
after(() => emu.close());

forEachDatabase('an SP-API worker process killed mid-batch', (db) => {
  it('SIGKILL with a 20-code request in flight: nothing lost, nothing stored twice', async () => {
    const ctx = createTestJobsContext(db.database());
    // Three full requests' worth: every request the worker sends has 20 codes, so the one the
    // proxy holds is full whichever lane's request reaches it second (their order is the
    // scheduler's; with 50 codes the short one sometimes came second).
    const codes = eanCodes(emu).slice(0, 60);
    assert.equal(codes.length, 60);
    // The proxy never answers the second search: the worker is killed with it in flight.
    const proxy = await startHoldingProxy(emu.url, 2);
    try {
      const job = await createJob(ctx, {
        owner: 'kill',
        options: { name: 'Kill', marketplaces: ['fr'], refresh: true },
        codes,
      });
      const worker = await startCli(
        ['worker'],
        {
          ...emu.env('spapi'),
          AMAZON_SPAPI_ENDPOINT: proxy.url,
          DATABASE_URL: db.url(),
          // Long enough that a starved worker still renews it (renewed every third of it): a
          // lapsed lease lets its own maintenance hand the held batch back to it before the kill.
          // The second worker waits for it to end.
          CODE2ASIN_LEASE_MS: '15000',
          AMAZON_TIMEOUT_MS: '300000',
          CODE2ASIN_SECRET_KEY: SECRET,
          CODE2ASIN_LOG_LEVEL: 'info',
        },
        /worker (\S+) started/,
      );
      const held = await Promise.race([
        proxy.held,
        new Promise<null>((resolve) => worker.child.once('exit', () => resolve(null))),
      ]);
      await stopChild(worker.child, 'SIGKILL');
      assert.ok(held, 'the worker sent its second request');
      assert.equal(held.identifiers.length, 20, 'a full 20-code request was in flight');
      const before = await storedOf(ctx.database, job.id);
      assert.ok(
        !held.identifiers.some((c) => before.done.includes(c)),
        'the held batch not stored',
      );

      // Another worker (in this process, through the same proxy): the killed claim comes back
      // when its lease ends, and each code is looked up and stored once.
      const settings = emulatorSettings(
        emu,
        { AMAZON_SPAPI_ENDPOINT: proxy.url, AMAZON_TIMEOUT_MS: '300000' },
        'spapi',
      );
      const second = createWorker(ctx, {
        lookup: createAmazonLookup(settings, ctx.database.db),
        idlePollMs: 20,
        maintenanceMs: 200,
        jobIds: [job.id],
      });
      second.start();
      let ended: Job;
      try {
        ended = await until(ctx.database, job.id, (j) => j.status === 'completed');
      } finally {
        await second.stop();
      }
      assert.equal(ended.counters.done, codes.length, 'no code lost');
      assert.equal(ended.counters.errors, 0);
      // The second worker's searches, told apart by its own access token: a request the killed
      // process wrote just before dying may still reach the proxy late.
      const afterKill = proxy.searches
        .filter((s) => s.token !== held.token)
        .flatMap((s) => s.identifiers);
      assert.equal(new Set(afterKill).size, afterKill.length, 'no code asked twice afterwards');
      for (const code of held.identifiers)
        assert.ok(afterKill.includes(code), `${code} of the killed request looked up again`);
      for (const code of before.done)
        assert.ok(!afterKill.includes(code), `${code}, stored before the kill, not asked again`);
      const final = await storedOf(ctx.database, job.id);
      assert.equal(final.rows.length, codes.length, 'one result per code');
      assert.deepEqual([...final.done].sort(), [...codes].sort());
      assert.equal(final.logs, codes.length, 'each code stored once');
    } finally {
      await proxy.close();
    }
  });
});

describe('two SP-API worker processes on PostgreSQL, one credential', () => {
  let pgTest: TestDatabase;
  let database: Database;
  let paced: RunningEmulator;
  before(async () => {
    pgTest = await createTestDatabase('postgres');
    database = openDatabase(pgTest.url);
    await migrateToLatest(database);
    // SP-API's 2 requests/s per client id. Burst 5 where Amazon's is 2: the emulator counts a
    // request when its handler runs, so a stalled test process bunches arrivals the workers
    // spaced; the tolerance keeps "no 429" about the workers, not the machine's load (as in
    // scale-out.test.ts). How close to 2/s a job gets: bench/spapi-throughput.bench.ts.
    paced = await startTestEmulator({ count: 1200, tps: 2, burst: 5, latencyMs: 50 });
  });
  after(async () => {
    await paced.close();
    await database.close();
    await pgTest.drop();
  });

  it('every code resolved once, every request within the emulator’s quota, both workers at work', async () => {
    const codes = eanCodes(paced).slice(0, 300);
    assert.equal(codes.length, 300);
    const proxy = await startHoldingProxy(paced.url, 0);
    const env = {
      ...paced.env('spapi'),
      AMAZON_SPAPI_ENDPOINT: proxy.url,
      DATABASE_URL: pgTest.url,
      CODE2ASIN_SECRET_KEY: SECRET,
      CODE2ASIN_LOG_LEVEL: 'info',
      // A second admission must mean a bug, never a timeout or lease lapsing on a starved machine.
      AMAZON_TIMEOUT_MS: '300000',
      CODE2ASIN_LEASE_MS: '900000',
    };
    const workers = await Promise.all(
      [1, 2].map(() => startCli(['worker'], env, /worker (\S+) started/)),
    );
    try {
      const ctx = createTestJobsContext(database, 2);
      paced.resetStats();
      const job = await createJob(ctx, {
        owner: 'pair',
        options: { name: 'Two SP-API workers', marketplaces: ['fr'] },
        codes,
      });
      const claimers = new Set<string>();
      const deadline = Date.now() + DEADLINE_MS;
      while ((await getJob(database.db, job.id)).status === 'processing') {
        assert.ok(Date.now() < deadline, 'the job ends in time');
        const held = await database.db
          .selectFrom('code2asin_results')
          .select('claimed_by')
          .where('claimed_by', 'is not', null)
          .execute();
        for (const r of held) claimers.add(r.claimed_by as string);
        await new Promise((r) => setTimeout(r, 20));
      }
      const ended = await getJob(database.db, job.id);
      assert.equal(ended.status, 'completed');
      assert.equal(ended.counters.done, codes.length);
      assert.equal(ended.counters.errors, 0);
      assert.deepEqual([...claimers].sort(), workers.map((w) => w.match[1]).sort());
      // Stopped before the log is read: a worker writes its job log lines in batches.
      for (const w of workers) assert.equal(await stopChild(w.child), 0);
      const stored = await storedOf(database, job.id);
      assert.equal(stored.rows.length, codes.length);
      assert.equal(stored.logs, codes.length, 'each code stored once');

      const stats = paced.stats().credentials[paced.env('spapi').AMAZON_SPAPI_CLIENT_ID as string];
      const search = stats?.operations.searchCatalogItems;
      assert.ok(search, 'the SP-API credential searched');
      assert.equal(search.status['429'], 0, 'no request over the quota as the emulator counts it');
      const asked = proxy.searches.flatMap((s) => s.identifiers);
      assert.deepEqual([...asked].sort(), [...codes].sort(), 'each code asked exactly once');
      // ⌈a/20⌉ + ⌈b/20⌉ for the a and b codes each worker held: a short request only when the
      // job has run dry, at most one per worker, so 15 or 16 for 300 codes.
      assert.ok(search.requests >= 15 && search.requests <= 16, `${search.requests} searches`);
      // One schedule for the credential: rate shares (the default on PostgreSQL at burst ≥ 2)
      // or the per-request schedule (`rate_limits`), whichever paces it.
      const limits = await database.db.selectFrom('rate_limits').select('key').execute();
      const shares = await database.db.selectFrom('rate_limit_shares').select('key').execute();
      assert.equal(limits.length + shares.length, 1, 'both processes paced by one shared schedule');
    } finally {
      const running = workers.filter((w) => w.child.exitCode === null && !w.child.signalCode);
      await Promise.all(running.map((w) => stopChild(w.child)));
      await proxy.close();
    }
  });
});
