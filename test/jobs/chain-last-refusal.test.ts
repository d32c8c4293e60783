import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseCode } from '../../src/codes/index.js';
import { loadConfig } from '../../src/config/env.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { applyJobAction } from '../../src/jobs/lifecycle.js';
import type { ProviderOutcome } from '../../src/jobs/provider-chain.js';
import { refusalOf } from '../../src/jobs/refused-providers.js';
import { batchingOf } from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';

// Issue 16: the LAST provider of a chain refuses the job (Keepa's key is wrong). The codes the
// providers before it found stand, the others end with status `error` naming Keepa and the
// setting to fix, the job ends `failed` (not paused, not retried on the schedule) and a retry
// once the key is fixed asks Keepa for those codes only. A chain of one pauses instead.

const WORKERS = 2;
const LANES = 2;
const WRONG_KEY = 'wrong-keepa-key-000000000000000000000000000000000000000000000';
let emu: RunningEmulator;
/** Codes SP-API finds (Keepa does not), and codes only Keepa finds. */
let bySpapi: string[] = [];
let byKeepa: string[] = [];
const truth = new Map<string, string>();

before(async () => {
  const catalog = generateCatalog(200, 12);
  const products = catalog.marketplaces['www.amazon.fr']?.products ?? [];
  for (const t of catalog.truth ?? []) {
    const p = parseCode(t.code);
    if (t.case === 'exact_unique' && t.asin && p.valid && p.type === 'EAN-13')
      truth.set(p.code, t.asin);
  }
  const codes = [...truth.keys()].slice(0, 24);
  assert.equal(codes.length, 24, 'enough exact EAN-13 codes in the catalog');
  bySpapi = codes.slice(0, 12);
  byKeepa = codes.slice(12);
  for (const product of products) {
    if (bySpapi.some((c) => truth.get(c) === product.asin)) product.codeProtocols = ['spapi'];
    if (byKeepa.some((c) => truth.get(c) === product.asin)) product.codeProtocols = ['keepa'];
  }
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10, latencyMs: 0 });
});
after(async () => emu.close());

function settings(keepaKey: string, overrides: Record<string, string> = {}) {
  return loadConfig({
    ...emu.env('spapi'),
    ...emu.env('keepa'),
    AMAZON_KEEPA_KEY: keepaKey,
    AMAZON_PROVIDER: 'spapi',
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    AMAZON_CHAIN_RATES: 'keepa=50/10',
    ...overrides,
  }).amazon;
}

/** Keepa requests the emulator refused for an unknown key, and SP-API code searches. */
function counts(): { keepaRefused: number; keepaAnswered: number; spapiSearches: number } {
  const s = emu.stats();
  const spapi = s.credentials[emu.env('spapi').AMAZON_SPAPI_CLIENT_ID as string];
  const keepa = Object.entries(s.credentials).filter(([k]) => k.startsWith('keepa-'));
  return {
    keepaRefused: s.credentials['-']?.operations.product?.requests ?? 0,
    keepaAnswered: keepa.reduce((n, [, c]) => n + (c.operations.product?.status['2xx'] ?? 0), 0),
    spapiSearches: spapi?.operations.searchCatalogItems?.requests ?? 0,
  };
}

/** Runs WORKERS workers of LANES lanes on the job until `done` holds. */
async function runWorkers(
  ctx: ReturnType<typeof createTestJobsContext>,
  jobId: string,
  keepaKey: string,
  done: (j: Job) => boolean,
  overrides: Record<string, string> = {},
): Promise<Job> {
  const lookups = Array.from({ length: WORKERS }, () =>
    createAmazonLookup(settings(keepaKey, overrides), ctx.database.db),
  );
  const first = lookups[0];
  assert.ok(first);
  ctx.lookupBatching = () => batchingOf(first);
  ctx.providerInfo = (p) => first.providerInfo!(p);
  const workers = lookups.map((lookup) =>
    createWorker(ctx, {
      lookup,
      concurrency: LANES,
      idlePollMs: 20,
      statusRefreshMs: 50,
      maintenanceMs: 200,
      jobIds: [jobId],
    }),
  );
  for (const w of workers) w.start();
  try {
    return await until(ctx, jobId, done);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

forEachDatabase('the last provider of a chain refusing the job', (db) => {
  it('ends the codes left with an error naming it, fails the job, and a retry asks it again', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const created = await createJob(ctx, {
      owner: 'last-refused',
      options: { name: 'Last', marketplaces: ['fr'], refresh: true, providers: ['spapi', 'keepa'] },
      codes: [...bySpapi, ...byKeepa],
    });
    const job = await runWorkers(ctx, created.id, WRONG_KEY, (j) => j.status !== 'processing');
    assert.equal(job.status, 'failed', job.error_message ?? '');
    assert.equal(job.counters.found, bySpapi.length);
    assert.equal(job.next_retry_at, null, 'a refusal is not retried on the schedule');
    assert.match(job.error_message ?? '', /^12 code\(s\) not looked up: Keepa \(keepa, auth\)/);
    assert.match(job.error_message ?? '', /AMAZON_KEEPA_KEY.*retry the job/);
    assert.ok(!(job.error_message ?? '').includes(WRONG_KEY), 'the key never shows');
    assert.ok(await refusalOf(ctx.database.db, created.id, 'keepa'), 'remembered');
    const first = counts();
    assert.ok(first.keepaRefused >= 1, 'Keepa was asked');
    assert.ok(first.keepaRefused <= WORKERS * LANES, `${first.keepaRefused} refused requests`);

    const rows = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['code', 'status', 'asin', 'error_class', 'error_message', 'provider_outcomes'])
      .where('job_id', '=', created.id)
      .execute();
    for (const row of rows) {
      const said = (JSON.parse(String(row.provider_outcomes)) as ProviderOutcome[]).map((o) =>
        [o.provider, o.outcome].join(':'),
      );
      if (bySpapi.includes(row.code)) {
        assert.deepEqual(
          [row.status, row.asin, said],
          ['found', truth.get(row.code), ['spapi:found']],
        );
        continue;
      }
      assert.deepEqual([row.status, row.error_class], ['error', 'auth'], row.code);
      assert.deepEqual(said, ['spapi:not_found', 'keepa:unusable'], row.code);
      assert.match(row.error_message ?? '', /AMAZON_KEEPA_KEY/, row.code);
    }
    const warnings = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select('message')
      .where('job_id', '=', created.id)
      .where('level', '=', 'WARNING')
      .execute();
    const notices = warnings.filter((w) => w.message.includes('refused this job'));
    assert.equal(notices.length, 1, JSON.stringify(warnings));
    assert.match(notices[0]?.message ?? '', /end with status error.*retry the job/);

    // The key fixed: a retry asks Keepa for the 12 codes only, SP-API for none.
    await applyJobAction(ctx, created.id, 'retry');
    const retried = await runWorkers(
      ctx,
      created.id,
      emu.env('keepa').AMAZON_KEEPA_KEY as string,
      (j) => ['completed', 'failed', 'paused'].includes(j.status),
    );
    assert.equal(retried.status, 'completed', retried.error_message ?? '');
    assert.equal(retried.counters.found, bySpapi.length + byKeepa.length);
    const second = counts();
    assert.equal(second.spapiSearches, first.spapiSearches, 'SP-API is not asked again');
    assert.ok(second.keepaAnswered >= 1 && second.keepaAnswered <= WORKERS * LANES);
    const found = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['code', 'asin', 'provider'])
      .where('job_id', '=', created.id)
      .where('code', 'in', byKeepa)
      .execute();
    for (const row of found)
      assert.deepEqual([row.asin, row.provider], [truth.get(row.code), 'keepa']);
  });

  it('a chain of one whose provider refuses pauses, names the setting and remembers it', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const created = await createJob(ctx, {
      owner: 'only-refused',
      options: { name: 'Only', marketplaces: ['fr'], refresh: true, providers: ['keepa'] },
      codes: byKeepa,
    });
    const job = await runWorkers(ctx, created.id, WRONG_KEY, (j) => j.status !== 'processing');
    assert.equal(job.status, 'paused');
    assert.match(
      job.error_message ?? '',
      /^Keepa \(keepa\) refused the credentials: Keepa rejected/,
    );
    assert.match(job.error_message ?? '', /AMAZON_KEEPA_KEY.*resume the job/);
    assert.ok(await refusalOf(ctx.database.db, created.id, 'keepa'), 'remembered');
    const { keepaRefused } = counts();
    assert.ok(keepaRefused >= 1 && keepaRefused <= WORKERS * LANES, `${keepaRefused} refused`);
    const errors = await ctx.database.db
      .selectFrom('code2asin_results')
      .select('code')
      .where('job_id', '=', created.id)
      .where('status', '=', 'error')
      .execute();
    assert.equal(errors.length, 0, 'no code ends: they wait for the resume');
  });

  it('a job without a chain whose configured provider refuses names that provider, not Amazon', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const created = await createJob(ctx, {
      owner: 'plain-refused',
      options: { name: 'Plain', marketplaces: ['fr'], refresh: true },
      codes: byKeepa,
    });
    const done = (j: Job) => j.status !== 'processing';
    const job = await runWorkers(ctx, created.id, WRONG_KEY, done, { AMAZON_PROVIDER: 'keepa' });
    assert.equal(job.status, 'paused', job.error_message ?? '');
    assert.match(
      job.error_message ?? '',
      /^Keepa \(keepa\) refused the credentials: Keepa rejected/,
    );
    assert.match(job.error_message ?? '', /AMAZON_KEEPA_KEY.*resume the job/);
    const logs = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select('message')
      .where('job_id', '=', created.id)
      .where('level', '=', 'ERROR')
      .execute();
    assert.ok(
      logs.some((l) => l.message === 'Job paused: Keepa refused access'),
      logs.map((l) => l.message).join(' | '),
    );
    assert.equal(counts().spapiSearches, 0, 'SP-API is not part of this job');
  });

  it('a chain whose every provider refuses pauses: nothing is left to find with', async () => {
    const ctx = createTestJobsContext(db.database());
    const created = await createJob(ctx, {
      owner: 'all-refused',
      options: { name: 'All', marketplaces: ['fr'], refresh: true, providers: ['spapi', 'keepa'] },
      codes: byKeepa,
    });
    const wrongSecret = { AMAZON_SPAPI_CLIENT_SECRET: 'not-the-secret-the-emulator-knows' };
    const done = (j: Job) => j.status !== 'processing';
    const job = await runWorkers(ctx, created.id, WRONG_KEY, done, wrongSecret);
    assert.equal(job.status, 'paused', job.error_message ?? '');
    assert.match(job.error_message ?? '', /AMAZON_KEEPA_KEY.*resume the job/);
    assert.ok(await refusalOf(ctx.database.db, created.id, 'spapi'), 'SP-API remembered');
    assert.ok(await refusalOf(ctx.database.db, created.id, 'keepa'), 'Keepa remembered');
    const ended = await ctx.database.db
      .selectFrom('code2asin_results')
      .select('code')
      .where('job_id', '=', created.id)
      .where('status', 'not in', ['pending', 'claimed'])
      .execute();
    assert.equal(ended.length, 0, 'no code ends: they wait for the resume');
  });
});

async function until(
  ctx: ReturnType<typeof createTestJobsContext>,
  jobId: string,
  done: (j: Job) => boolean,
): Promise<Job> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const job = await getJob(ctx.database.db, jobId);
    if (done(job)) return job;
    assert.ok(Date.now() < deadline, `job ${jobId} stuck in ${job.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
