import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseCode } from '../../src/codes/index.js';
import { loadConfig } from '../../src/config/env.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { batchingOf } from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

// Issue 16: a later step of a provider chain gets its codes one at a time from the step before
// it (Creators answers one code per request). Sent as they came, Keepa (100 codes a request, a
// token even for a request that finds nothing) got one code per request. Now they wait for a
// fuller request while the steps before are still working on the job, at most
// `chainBatchWaitMs`; once those steps are done, what waits goes at once.

const KEEPA_KEY = 'chain-batching-keepa-key-0000000000000000000000000000000000000';
const BOOK_ISBN = '9780306406157';
/** Codes only Keepa finds: Creators passes every one of them on. */
let codes: string[] = [];
let emu: RunningEmulator;

before(async () => {
  const catalog = generateCatalog(300, 21);
  const products = catalog.marketplaces['www.amazon.fr']?.products ?? [];
  const truth = new Map<string, string>();
  for (const t of catalog.truth ?? []) {
    const p = parseCode(t.code);
    if (t.case === 'exact_unique' && t.asin && p.valid && p.type === 'EAN-13')
      truth.set(p.code, t.asin);
  }
  // 29 EAN-13 and an ISBN-13: Keepa looks both up in one request (no search index to split by).
  codes = [...[...truth.keys()].slice(0, 29), BOOK_ISBN];
  assert.equal(codes.length, 30, 'enough exact EAN-13 codes in the catalog');
  const asins = new Set(codes.map((c) => truth.get(c)));
  for (const product of products) if (asins.has(product.asin)) product.codeProtocols = ['keepa'];
  products.push({
    asin: 'B0BOOK0001',
    title: 'A book',
    eans: [BOOK_ISBN],
    codeProtocols: ['keepa'],
  });
  catalog.keepaKeys = [{ key: KEEPA_KEY, refillRate: 6000, tokens: 6000, label: 'test' }];
  emu = await startEmulator({ port: 0, catalog, tps: 100, burst: 10, latencyMs: 0 });
});
after(async () => emu.close());

function settings(creatorsUrl: string) {
  return loadConfig({
    ...emu.env('creators'),
    ...emu.env('keepa'),
    AMAZON_CREATORS_API_URL: creatorsUrl,
    AMAZON_KEEPA_KEY: KEEPA_KEY,
    AMAZON_PROVIDER: 'creators',
    AMAZON_TPS: '40',
    AMAZON_BURST: '5',
    AMAZON_CHAIN_RATES: 'keepa=40/5',
  }).amazon;
}

/** Keepa's code searches as the emulator counted them, and the codes they carried. */
function keepaSearches(): number {
  const s = emu.stats();
  return Object.entries(s.credentials)
    .filter(([k]) => k.startsWith('keepa-'))
    .reduce((n, [, c]) => n + (c.operations.product?.requests ?? 0), 0);
}

type Ctx = ReturnType<typeof createTestJobsContext>;

/** A `creators,keepa` job of the test's codes (stats reset). */
async function chainJob(ctx: Ctx, owner: string): Promise<Job> {
  emu.resetStats();
  return createJob(ctx, {
    owner,
    options: { name: owner, marketplaces: ['fr'], refresh: true, providers: ['creators', 'keepa'] },
    codes,
  });
}

/** A worker on `jobId` only, its Creators requests sent to `creatorsUrl`. */
function chainWorker(
  ctx: Ctx,
  jobId: string,
  creatorsUrl: string,
  options: Partial<Parameters<typeof createWorker>[1]>,
) {
  const lookup = createAmazonLookup(settings(creatorsUrl), ctx.database.db);
  ctx.lookupBatching = () => batchingOf(lookup);
  ctx.providerInfo = (p) => lookup.providerInfo!(p);
  return createWorker(ctx, {
    lookup,
    statusRefreshMs: 50,
    maintenanceMs: 200,
    jobIds: [jobId],
    ...options,
  });
}

async function run(
  ctx: Ctx,
  jobId: string,
  creatorsUrl: string,
  chainBatchWaitMs: number,
  done: (j: Job) => Promise<boolean>,
): Promise<void> {
  const worker = chainWorker(ctx, jobId, creatorsUrl, {
    concurrency: 3,
    idlePollMs: 20,
    chainBatchWaitMs,
  });
  worker.start();
  try {
    const deadline = Date.now() + 300_000;
    while (!(await done(await getJob(ctx.database.db, jobId)))) {
      assert.ok(Date.now() < deadline, `job ${jobId} did not get there`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await worker.stop();
  }
}

async function foundCount(ctx: Ctx, jobId: string) {
  const rows = await ctx.database.db
    .selectFrom('code2asin_results')
    .select('code')
    .where('job_id', '=', jobId)
    .where('status', '=', 'found')
    .execute();
  return rows.length;
}

forEachDatabase('a later chain step waits for a fuller request', (db) => {
  it('Keepa gets the 30 codes Creators passed on in one request, not one each', async () => {
    const ctx = createTestJobsContext(db.database());
    const created = await chainJob(ctx, 'batching');
    // A wait far longer than any run: the codes go when Creators is done with the job.
    await run(ctx, created.id, emu.url, 600_000, async (j) => j.status === 'completed');
    assert.equal(await foundCount(ctx, created.id), codes.length, 'Keepa found every code');
    assert.equal(keepaSearches(), 1, 'one Keepa request for 30 codes, the ISBN with the EANs');
  });

  it('does not wait past its bound while an earlier step still holds a code', async () => {
    const ctx = createTestJobsContext(db.database());
    const created = await chainJob(ctx, 'bounded');
    // Creators' 3rd search never comes back, so the step before Keepa is never done with the
    // job; Keepa still looks up the codes passed on once they have waited 300 ms.
    const proxy: RecordingProxy = await startRecordingProxy(emu.url, {
      protocol: 'creators',
      at: 3,
    });
    try {
      await run(ctx, created.id, proxy.url, 300, async () => {
        return (await foundCount(ctx, created.id)) >= codes.length - 1;
      });
      const held = await proxy.held;
      assert.equal(held.protocol, 'creators', 'a Creators search was held all along');
    } finally {
      await proxy.close();
    }
    assert.ok(keepaSearches() >= 1, 'Keepa was asked while Creators still held a code');
  });
});

forEachDatabase('a later chain step polls once per poll, not once per lane', (db) => {
  it('while Keepa waits for codes Creators still holds, its 42 lanes claim about once per poll', async () => {
    const ctx = createTestJobsContext(db.database());
    const created = await chainJob(ctx, 'polling');
    // Creators' 3rd search never comes back: the step before Keepa keeps a code of the job, so
    // Keepa's codes wait (far below its bound) and its lanes poll for more.
    const proxy: RecordingProxy = await startRecordingProxy(emu.url, {
      protocol: 'creators',
      at: 3,
    });
    const idlePollMs = 100;
    // No concurrency given: each route gets ceil(rate) + 2 lanes, 42 for Keepa at 40/s.
    const worker = chainWorker(ctx, created.id, proxy.url, {
      idlePollMs,
      chainBatchWaitMs: 600_000,
    });
    worker.start();
    try {
      const deadline = Date.now() + 60_000;
      const waitingForKeepa = async () =>
        (
          await ctx.database.db
            .selectFrom('code2asin_results')
            .select('id')
            .where('job_id', '=', created.id)
            .where('chain_step', '=', 1)
            .where('status', 'in', ['pending', 'claimed'])
            .execute()
        ).length;
      while ((await waitingForKeepa()) < codes.length - 1) {
        assert.ok(Date.now() < deadline, 'Creators passed its codes on to Keepa');
        await new Promise((r) => setTimeout(r, 25));
      }
      const windowMs = 2_000;
      const before = worker.stats.claims;
      await new Promise((r) => setTimeout(r, windowMs));
      const claims = worker.stats.claims - before;
      // One claim per poll for Keepa's route and one for the Creators route's own polls, with
      // slack; one per lane and poll would be 42 times Keepa's.
      const polls = windowMs / idlePollMs;
      assert.ok(claims <= 3 * polls, `${claims} claims in ${windowMs} ms (at most ${3 * polls})`);
      assert.ok(claims >= 1, 'the worker still polls');
      assert.equal(keepaSearches(), 0, 'Keepa still waits for a fuller request');
    } finally {
      await worker.stop();
      await proxy.close();
    }
  });
});
