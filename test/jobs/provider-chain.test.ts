import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseCode } from '../../src/codes/index.js';
import { loadConfig } from '../../src/config/env.js';
import type { ProviderName } from '../../src/config/provider-names.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJob } from '../../src/jobs/create-job.js';
import { JobError } from '../../src/jobs/errors.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import type { ProviderOutcome } from '../../src/jobs/provider-chain.js';
import { jobResultTable } from '../../src/jobs/result-export.js';
import { batchingOf } from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';

// Each provider's search by code sees a different third of the codes (the emulator catalog's
// `codeProtocols`), so a chain finds the union only if every step passes on what it did not find.

const FINDERS: ProviderName[] = ['spapi', 'creators', 'keepa'];
let emu: RunningEmulator;
/** Display code → [its ASIN, the only protocol whose code search finds it]. */
const owner = new Map<string, { asin: string; protocol: ProviderName; price: number | null }>();
let codes: string[] = [];

before(async () => {
  const catalog = generateCatalog(200, 11);
  const fr = catalog.marketplaces['www.amazon.fr'];
  assert.ok(fr);
  const byAsin = new Map(fr.products.map((p) => [p.asin, p]));
  const truth = (catalog.truth ?? []).filter((t) => t.case === 'exact_unique' && t.asin);
  assert.ok(truth.length >= 12, `only ${truth.length} exact codes in the catalog`);
  const picked = truth.slice(0, 12);
  for (const [i, t] of picked.entries()) {
    const product = byAsin.get(t.asin as string);
    assert.ok(product);
    const protocol = FINDERS[i % 3] as ProviderName;
    product.codeProtocols = [protocol];
    const code = display(t.code);
    owner.set(code, { asin: product.asin, protocol, price: product.price ?? null });
  }
  codes = [...owner.keys()];
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10, latencyMs: 0 });
});
after(async () => emu.close());

function display(code: string): string {
  const parsed = parseCode(code);
  assert.ok(parsed.valid);
  return parsed.code;
}

/** Settings with every provider's credentials, SP-API the configured one. */
function chainSettings(without: ProviderName[] = []) {
  const env: Record<string, string> = {
    ...emu.env('creators'),
    ...emu.env('keepa'),
    ...emu.env('spapi'),
    AMAZON_PROVIDER: 'spapi',
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    AMAZON_CHAIN_RATES: 'creators=50/10,keepa=50/10',
  };
  if (without.includes('keepa')) delete env.AMAZON_KEEPA_KEY;
  return loadConfig(env).amazon;
}

/** Requests of one protocol's code searches (or item lookups) as the emulator counted them. */
function requestsOf(protocol: string, operation: RegExp): number {
  let n = 0;
  for (const cred of Object.values(emu.stats().credentials)) {
    if (cred.kind !== protocol) continue;
    for (const [op, s] of Object.entries(cred.operations))
      if (operation.test(op)) n += s.requests - (s.status['429'] ?? 0);
  }
  return n;
}

const SEARCHES: Record<string, RegExp> = {
  spapi: /^searchCatalogItems$/,
  creators: /^searchItems$/i,
  keepa: /product/i,
};

async function runChain(ctx: JobsContext, options: Record<string, unknown>): Promise<Job> {
  const lookup = createAmazonLookup(chainSettings(), ctx.database.db);
  ctx.lookupBatching = () => batchingOf(lookup);
  ctx.providerInfo = (p) => lookup.providerInfo!(p);
  const created = await createJob(ctx, {
    owner: 'chain',
    options: { name: 'Chain', marketplaces: ['fr'], refresh: true, ...options },
    codes,
  });
  const worker = createWorker(ctx, {
    lookup,
    idlePollMs: 20,
    statusRefreshMs: 50,
    maintenanceMs: 200,
    jobIds: [created.id],
  });
  worker.start();
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const job = await getJob(ctx.database.db, created.id);
      if (job.status === 'completed') return job;
      assert.ok(Date.now() < deadline, `job stuck in ${job.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await worker.stop();
  }
}

forEachDatabase('provider chain', (db) => {
  it('spapi, creators, keepa each find their third: the union is found, each answer says who gave it', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const job = await runChain(ctx, { providers: FINDERS });
    assert.equal(job.counters.found, codes.length);
    const rows = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['code', 'status', 'asin', 'provider', 'provider_outcomes'])
      .where('job_id', '=', job.id)
      .execute();
    assert.equal(rows.length, codes.length);
    for (const row of rows) {
      const want = owner.get(row.code);
      assert.ok(want, row.code);
      assert.equal(row.asin, want.asin, row.code);
      assert.equal(row.provider, want.protocol, row.code);
      const outcomes = JSON.parse(String(row.provider_outcomes)) as ProviderOutcome[];
      const asked = FINDERS.slice(0, FINDERS.indexOf(want.protocol) + 1);
      assert.deepEqual(
        outcomes.map((o) => [o.provider, o.outcome]),
        asked.map((p) => [p, p === want.protocol ? 'found' : 'not_found']),
        row.code,
      );
    }
    // Each provider sent no more requests than the pre-flight's bound for it.
    const bounds = new Map((job.preflight?.providers ?? []).map((c) => [c.provider, c]));
    assert.deepEqual([...bounds.keys()], FINDERS);
    assert.equal(bounds.get('spapi')?.bound, 'all_pending');
    assert.equal(bounds.get('keepa')?.bound, 'upper_bound');
    for (const p of FINDERS) {
      const sent = requestsOf(p, SEARCHES[p] as RegExp);
      assert.ok(sent >= 1, `${p} was asked`);
      assert.ok(sent <= (bounds.get(p)?.requests ?? 0), `${p}: ${sent} requests`);
    }
    // The result file names the provider of each row and what each provider said.
    const table = await jobResultTable(ctx, job);
    const columns = table.extraColumns ?? [];
    assert.ok(columns.includes('provider_outcomes'));
    let shown = 0;
    for await (const row of table.rows) {
      const at = columns.indexOf('provider_outcomes');
      assert.match(String(row.extra?.[at]), /: found$/);
      shown += 1;
    }
    assert.equal(shown, codes.length);
  });

  it('enrich_with creators fills the prices of what spapi found, in getItems requests of up to 10', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const job = await runChain(ctx, { providers: ['spapi'], enrich_with: 'creators' });
    const rows = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['code', 'status', 'asin', 'product', 'provider', 'provider_outcomes'])
      .where('job_id', '=', job.id)
      .execute();
    const found = rows.filter((r) => r.status === 'found');
    const bySpapi = [...owner.values()].filter((o) => o.protocol === 'spapi');
    assert.equal(found.length, bySpapi.length);
    for (const row of found) {
      const want = owner.get(row.code);
      assert.ok(want);
      assert.equal(row.provider, 'spapi');
      const product = JSON.parse(String(row.product)) as { price: number | null };
      assert.equal(product.price, want.price, `${row.code}: the catalog's price`);
      const outcomes = JSON.parse(String(row.provider_outcomes)) as ProviderOutcome[];
      assert.deepEqual(
        outcomes.map((o) => [o.provider, o.outcome]),
        [
          ['spapi', 'found'],
          ['creators', want.price === null ? 'no_offer' : 'enriched'],
        ],
      );
    }
    const getItems = requestsOf('creators', /^getItems$/i);
    assert.ok(getItems >= 1 && getItems <= Math.ceil(found.length / 10), `${getItems} getItems`);
    assert.equal(requestsOf('creators', /^searchItems$/i), 0, 'creators only enriched');
    const enrich = job.preflight?.providers?.find((c) => c.role === 'enrich');
    assert.equal(enrich?.provider, 'creators');
    assert.ok(getItems <= (enrich?.requests ?? 0));
  });

  it('a chain naming a provider that is not configured is refused, naming the field and the configured ones', async () => {
    const ctx = createTestJobsContext(db.database());
    const lookup = createAmazonLookup(chainSettings(['keepa']), ctx.database.db);
    ctx.providerInfo = (p) => lookup.providerInfo!(p);
    const before = await ctx.database.db
      .selectFrom('code2asin_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await assert.rejects(
      createJob(ctx, {
        owner: 'chain',
        options: { name: 'Bad', marketplaces: ['fr'], providers: ['spapi', 'keepa'] },
        codes,
      }),
      (e: unknown) => {
        assert.ok(e instanceof JobError);
        assert.equal(e.code, 'invalid_options');
        assert.match(e.message, /providers: keepa is not configured \(set AMAZON_KEEPA_KEY\)/);
        assert.match(e.message, /Configured providers: [a-z, ]*spapi/);
        return true;
      },
    );
    await assert.rejects(
      createJob(ctx, {
        owner: 'chain',
        options: { name: 'Bad', marketplaces: ['fr'], providers: ['spapi', 'amazon'] },
        codes,
      }),
      /providers\.1: unknown provider; use one of creators, paapi, spapi, keepa/,
    );
    const afterCount = await ctx.database.db
      .selectFrom('code2asin_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n), 'nothing stored');
  });
});
