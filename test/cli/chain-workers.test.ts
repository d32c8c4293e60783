import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseCode } from '../../src/codes/index.js';
import { loadConfig } from '../../src/config/env.js';
import type { ProviderName } from '../../src/config/provider-names.js';
import type { Database } from '../../src/db/database.js';
import { generateCatalog, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import type { ProviderOutcome } from '../../src/jobs/provider-chain.js';
import { createWorker } from '../../src/jobs/worker.js';
import { startCli, stopChild } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';

// Issue 16 item 5, "a chain under SIGKILL (0 lost, 0 doubled)": a real `code2asin worker` runs a
// job with providers spapi, creators, keepa and is killed while a Creators request (the middle
// step) is in flight, held by a loopback proxy; a second worker finishes the job. Only counts and the
// stored outcomes are asserted, never a duration.

const CHAIN: ProviderName[] = ['spapi', 'creators', 'keepa'];
const HELD_STEP = 'creators' satisfies ProviderName;
const SECRET = 'ab'.repeat(32);
const DEADLINE_MS = 300_000;
let emu: RunningEmulator;
/** Code (EAN-13) → its ASIN and the one provider whose code search finds it. */
const owner = new Map<string, { asin: string; provider: ProviderName }>();
let codes: string[] = [];

before(async () => {
  const catalog = generateCatalog(600, 11);
  const fr = catalog.marketplaces['www.amazon.fr'];
  assert.ok(fr);
  const byAsin = new Map(fr.products.map((p) => [p.asin, p]));
  const picked = (catalog.truth ?? []).filter((t) => {
    const p = parseCode(t.code);
    return t.case === 'exact_unique' && t.asin && p.valid && p.type === 'EAN-13';
  });
  assert.ok(picked.length >= 60, `only ${picked.length} exact EAN-13 codes`);
  for (const [i, t] of picked.slice(0, 60).entries()) {
    const product = byAsin.get(t.asin as string);
    assert.ok(product);
    const provider = CHAIN[i % 3] as ProviderName;
    product.codeProtocols = [provider];
    const parsed = parseCode(t.code);
    assert.ok(parsed.valid, t.code);
    owner.set(parsed.code, { asin: product.asin, provider });
  }
  codes = [...owner.keys()];
  emu = await startEmulator({ port: 0, catalog, tps: 50, burst: 10, latencyMs: 0 });
});
after(async () => emu.close());

/** Every provider's credentials, each provider's API behind `proxyUrl`. */
function chainEnv(proxyUrl: string): Record<string, string> {
  return {
    ...(emu.env('creators') as Record<string, string>),
    ...(emu.env('keepa') as Record<string, string>),
    ...(emu.env('spapi') as Record<string, string>),
    AMAZON_PROVIDER: 'spapi',
    AMAZON_SPAPI_ENDPOINT: proxyUrl,
    AMAZON_CREATORS_API_URL: proxyUrl,
    AMAZON_KEEPA_API_URL: proxyUrl,
    AMAZON_TPS: '50',
    AMAZON_BURST: '10',
    AMAZON_CHAIN_RATES: 'creators=50/10,keepa=50/10',
    AMAZON_TIMEOUT_MS: '300000',
  };
}

/** Codes each provider was asked (first pages only), over the given proxies. */
/**
 * Codes a provider was asked, page 1. A search the emulator refused with 429 asked nothing (it cost
 * nothing, and the product sends it again by design): on a busy machine requests paced apart can
 * reach the emulator bunched, so such refusals happen whatever the worker does.
 */
function askedBy(proxies: RecordingProxy[], provider: ProviderName): string[] {
  return proxies
    .flatMap((p) => p.searches)
    .filter((s) => s.protocol === provider && s.page === 1 && s.status !== 429)
    .flatMap((s) => s.codes);
}

async function unitsOf(db: Database, jobId: string) {
  return db.db
    .selectFrom('code2asin_results')
    .select(['code', 'status', 'asin', 'provider', 'chain_step', 'provider_outcomes'])
    .where('job_id', '=', jobId)
    .execute();
}

/** "Code looked up" log lines of a job: one per stored answer. */
async function lookedUp(db: Database, jobId: string): Promise<number> {
  const logs = await db.db
    .selectFrom('code2asin_logs')
    .select('id')
    .where('job_id', '=', jobId)
    .where('message', '=', 'Code looked up')
    .execute();
  return logs.length;
}

async function until<T>(what: string, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    assert.ok(Date.now() < deadline, `${what} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachDatabase('a provider chain under SIGKILL', (db) => {
  it('worker killed with a request of the middle step in flight: every code once, no step asked twice', async () => {
    const ctx = createTestJobsContext(db.database());
    // The third Creators search (the middle step, one code per request) is never answered. Not a
    // Keepa request: the first one is the token budget's probe, and none goes while it is out.
    const killedProxy = await startRecordingProxy(emu.url, { protocol: HELD_STEP, at: 3 });
    const secondProxy = await startRecordingProxy(emu.url);
    try {
      const job = await createJob(ctx, {
        owner: 'kill',
        options: { name: 'Chain kill', marketplaces: ['fr'], refresh: true, providers: CHAIN },
        codes,
      });
      const worker = await startCli(
        ['worker'],
        {
          ...chainEnv(killedProxy.url),
          DATABASE_URL: db.url(),
          // Renewed every third of it: a starved worker keeps its claim until the kill.
          CODE2ASIN_LEASE_MS: '15000',
          CODE2ASIN_SECRET_KEY: SECRET,
          CODE2ASIN_LOG_LEVEL: 'info',
        },
        /worker (\S+) started/,
      );
      const held = await Promise.race([
        killedProxy.held,
        new Promise<null>((resolve) => worker.child.once('exit', () => resolve(null))),
      ]);
      assert.ok(held, 'the worker sent its third Creators search');
      // Killed once every other code is stored: the held request is then the only one in
      // flight, so no other request can be lost with the process (and asked again).
      const before = await until('every code but the held ones stored', async () => {
        const units = await unitsOf(ctx.database, job.id);
        const open = units.filter((u) => ['pending', 'claimed'].includes(u.status));
        if (!open.every((u) => held.codes.includes(u.code))) return null;
        // …and logged (a lane writes its log lines right after the store).
        return (await lookedUp(ctx.database, job.id)) === units.length - open.length ? units : null;
      }).finally(() => stopChild(worker.child, 'SIGKILL'));
      for (const code of held.codes) {
        const unit = before.find((u) => u.code === code);
        assert.equal(unit?.status, 'claimed', `${code} of the held request not stored`);
        assert.equal(unit?.chain_step, CHAIN.indexOf(HELD_STEP), `${code} waits for ${HELD_STEP}`);
      }

      // A second worker (in this process, through its own proxy): the killed claim comes back
      // when its lease ends; only the held codes are asked again, from the held step on.
      const settings = loadConfig(chainEnv(secondProxy.url)).amazon;
      const second = createWorker(ctx, {
        lookup: createAmazonLookup(settings, ctx.database.db),
        idlePollMs: 20,
        maintenanceMs: 200,
        jobIds: [job.id],
      });
      second.start();
      let ended: Job;
      try {
        ended = await until('the job completed', async () => {
          const j = await getJob(ctx.database.db, job.id);
          return j.status === 'completed' ? j : null;
        });
      } finally {
        await second.stop();
      }
      assert.equal(ended.counters.done, codes.length, 'no code lost');
      assert.equal(ended.counters.found, codes.length, 'the union found');
      assert.equal(ended.counters.errors, 0);

      const step = (p: ProviderName) => CHAIN.indexOf(p);
      for (const provider of CHAIN) {
        // The held codes, from the held step to the provider that finds each.
        const again: string[] = held.codes.filter((c) => {
          const finder = owner.get(c)?.provider as ProviderName;
          return step(provider) >= step(HELD_STEP) && step(provider) <= step(finder);
        });
        const second = askedBy([secondProxy], provider);
        assert.deepEqual([...second].sort(), [...again].sort(), `${provider} asked afterwards`);
        const asked = askedBy([killedProxy, secondProxy], provider);
        const twice = asked.filter((c, i) => asked.indexOf(c) !== i);
        const held2: string[] = provider === HELD_STEP ? held.codes : [];
        const seen = [killedProxy, secondProxy]
          .flatMap((p, i) =>
            p.searches.map((x) => ({ ...x, proxy: i === 0 ? 'killed' : 'second' })),
          )
          .filter((x) => x.protocol === provider && x.codes.some((c) => twice.includes(c)));
        assert.deepEqual(
          twice.sort(),
          [...held2].sort(),
          `${provider}: codes asked twice (${JSON.stringify(seen.map(({ proxy, codes: c, status, held: h }) => ({ proxy, c, status, h })))})`,
        );
      }

      // One result per code, found by its provider after the ones before it said not found.
      const units = await unitsOf(ctx.database, job.id);
      assert.equal(units.length, codes.length);
      for (const u of units) {
        const want = owner.get(u.code);
        assert.ok(want, u.code);
        assert.equal(u.status, 'found', u.code);
        assert.equal(u.asin, want.asin, u.code);
        assert.equal(u.provider, want.provider, u.code);
        const outcomes = JSON.parse(String(u.provider_outcomes)) as ProviderOutcome[];
        const steps = CHAIN.slice(0, CHAIN.indexOf(want.provider) + 1);
        assert.deepEqual(
          outcomes.map((o) => [o.provider, o.outcome]),
          steps.map((p) => [p, p === want.provider ? 'found' : 'not_found']),
          u.code,
        );
        assert.equal(u.chain_step, steps.length - 1, `${u.code}: the step that found it`);
      }
      assert.equal(await lookedUp(ctx.database, job.id), codes.length, 'each code stored once');
    } finally {
      await killedProxy.close();
      await secondProxy.close();
    }
  });
});
