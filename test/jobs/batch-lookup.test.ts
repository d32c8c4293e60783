import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { AmazonError } from '../../src/amazon/errors.js';
import { parseCode } from '../../src/codes/index.js';
import { claimUnits } from '../../src/db/work-queue.js';
import { fromJson } from '../../src/db/dialect.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { batchingOf } from '../../src/jobs/unit-lookup.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { storeBatch, type BatchEntry, type StoredEntry } from '../../src/jobs/store-outcome.js';
import { jobLogRow } from '../../src/jobs/job-log.js';
import { createWorker, type Worker } from '../../src/jobs/worker.js';
import { upsertRule } from '../../src/matching/matching-rules-repository.js';
import {
  createBatchTestClients,
  identifierTypeOf,
  type BatchLog,
} from '../helpers/batch-provider.js';
import { ROOT } from '../helpers/cli.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, emulatorSettings, startTestEmulator } from '../helpers/jobs.js';

// The provider used here is a test one (`test/helpers/batch-provider.ts`): up to 5 codes per
// request and one identifier type per request, as SP-API will be. It answers through the real
// Creators provider against the emulator over HTTP; one `searchByCodes` call is its request, and
// it takes one token of the credential's real limiter per call.

let emu: RunningEmulator;
let ean: string[];
let isbn: string[];
before(async () => {
  emu = await startTestEmulator({ count: 240 });
  const truth = emu.catalog.truth ?? [];
  ean = truth.filter((t) => t.case === 'exact_unique').map((t) => t.code);
  isbn = truth.filter((t) => identifierTypeOf(t.code) === 'ISBN').map((t) => t.code);
});
after(async () => emu.close());

const display = (code: string): string => {
  const parsed = parseCode(code);
  assert.ok(parsed.valid);
  return parsed.code;
};

async function runJob(
  ctx: JobsContext & { lookupBatching?: JobsContext['lookupBatching'] },
  codes: string[],
  options: {
    maxCodesPerCall?: number;
    refresh?: boolean;
    owner?: string;
    concurrency?: number;
  } & {
    beforeAnswer?: Parameters<typeof createBatchTestClients>[0] extends infer O
      ? O extends { beforeAnswer?: infer B }
        ? B
        : never
      : never;
  } = {},
): Promise<{ job: Job; log: BatchLog; worker: Worker }> {
  const { clients, log } = createBatchTestClients(options);
  const lookup = createAmazonLookup(emulatorSettings(emu), ctx.database.db, { clients });
  // As the jobs runtime does: the pre-flight counts requests with the provider's batch shape.
  ctx.lookupBatching = () => batchingOf(lookup);
  const created = await createJob(ctx, {
    owner: options.owner ?? 'batch',
    options: { name: 'Batch', marketplaces: ['fr'], refresh: options.refresh ?? true },
    codes,
  });
  const worker = createWorker(ctx, {
    lookup,
    idlePollMs: 20,
    statusRefreshMs: 50,
    maintenanceMs: 200,
    jobIds: [created.id],
    concurrency: options.concurrency,
  });
  worker.start();
  try {
    const job = await until(created.id, ctx, (j) => j.status === 'completed');
    return { job, log, worker };
  } finally {
    await worker.stop();
  }
}

async function until(jobId: string, ctx: JobsContext, done: (j: Job) => boolean): Promise<Job> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await getJob(ctx.database.db, jobId);
    if (done(job)) return job;
    assert.ok(Date.now() < deadline, `job ${jobId} stuck in ${job.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

forEachDatabase('batch lookups', (db) => {
  it('5 codes of one identifier type: one request, one limiter token, every code decided on its own', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = ean.slice(0, 5);
    const { job, log, worker } = await runJob(ctx, codes);
    assert.deepEqual(log.violations, []);
    assert.equal(log.calls.length, 1, JSON.stringify(log.calls));
    assert.deepEqual([...(log.calls[0] ?? [])].sort(), codes.map(display).sort());
    assert.equal(log.tokens, 1);
    assert.equal(worker.stats.requests, 1);
    assert.equal(job.counters.done, 5);
    const rows = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['code', 'status', 'asin', 'provider'])
      .where('job_id', '=', job.id)
      .execute();
    const truth = new Map((emu.catalog.truth ?? []).map((t) => [display(t.code), t.asin]));
    for (const row of rows) {
      assert.equal(row.status, 'found', row.code);
      assert.equal(row.asin, truth.get(row.code), `${row.code}: its own answer`);
      assert.equal(row.provider, 'creators');
    }
  });

  it("one request's outcomes and logs are stored in one transaction: a failure in the last rolls back the first four", async () => {
    const ctx = createTestJobsContext(db.database());
    const job = await createJob(ctx, {
      owner: 'trx',
      options: { name: 'Trx', marketplaces: ['fr'], refresh: true },
      codes: ean.slice(5, 10),
    });
    const units = await claimUnits(ctx.database, {
      jobId: job.id,
      workerId: 'w',
      limit: 5,
      leaseMs: 60_000,
    });
    assert.equal(units.length, 5);
    const result = (reasons: unknown[]) => ({
      status: 'not_found' as const,
      asin: null,
      proposed_asin: null,
      match_type: 'none',
      confidence: 0,
      reasons: reasons as string[],
      candidates: [],
      product: null,
      request_id: null,
    });
    const options = {
      maxAttempts: 5,
      backoffMs: () => 1000,
      processingMs: 1,
      log: (entry: BatchEntry, { outcome }: StoredEntry) =>
        jobLogRow(job.id, 'DEBUG', 'Code looked up', { code: entry.unit.code, outcome }),
    };
    const logs = async () =>
      ctx.database.db
        .selectFrom('code2asin_logs')
        .select('details')
        .where('job_id', '=', job.id)
        .where('message', '=', 'Code looked up')
        .orderBy('id')
        .execute();
    // A BigInt cannot be written as JSON: the fifth store throws inside the transaction.
    const broken: BatchEntry[] = units.map((unit, i) => ({
      unit,
      result: result(i === 4 ? [10n] : ['ok']),
    }));
    await assert.rejects(storeBatch(ctx.database, 'w', broken, options));
    const stored = async () =>
      ctx.database.db
        .selectFrom('code2asin_results')
        .select('status')
        .where('job_id', '=', job.id)
        .where('status', '=', 'claimed')
        .execute();
    assert.equal((await stored()).length, 5, 'nothing of the batch stored');
    assert.equal((await getJob(ctx.database.db, job.id)).counters.done, 0);
    assert.deepEqual(await logs(), [], 'no log of a batch not stored');
    const good: BatchEntry[] = units.map((unit) => ({ unit, result: result(['ok']) }));
    const outcomes = await storeBatch(ctx.database, 'w', good, options);
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      Array(5).fill('not_found'),
    );
    assert.equal((await stored()).length, 0);
    assert.equal((await getJob(ctx.database.db, job.id)).counters.done, 5);
    assert.deepEqual(
      (await logs()).map((r) => fromJson(r.details)),
      units.map((u) => ({ code: u.code, outcome: 'not_found' })),
      "each code's log, in the request's order",
    );
  });

  it('codes of different identifier types never share a request', async () => {
    const ctx = createTestJobsContext(db.database());
    const eans = ean.slice(10, 14);
    const isbns = isbn.slice(0, 4);
    // Interleaved: claims take them in id order, mixed.
    const codes = eans.flatMap((e, i) => [e, isbns[i] as string]);
    const { job, log } = await runJob(ctx, codes);
    assert.deepEqual(log.violations, []);
    assert.equal(log.calls.length, 2, JSON.stringify(log.calls));
    for (const call of log.calls) assert.equal(new Set(call.map(identifierTypeOf)).size, 1);
    assert.deepEqual(log.calls.flat().sort(), codes.map(display).sort());
    assert.equal(job.counters.done, 8);
  });

  it('the pre-flight counts the requests the worker then sends: ⌈codes / 5⌉ per identifier type', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = [...ean.slice(0, 7), ...isbn.slice(0, 3)];
    const { job, log } = await runJob(ctx, codes);
    assert.equal(job.preflight?.to_query, 10);
    assert.equal(job.preflight?.requests, 3, '⌈7/5⌉ EAN + ⌈3/5⌉ ISBN');
    // At the provider's pace (emulator settings: 50 requests per second).
    assert.equal(job.preflight?.eta_seconds, 1);
    assert.equal(log.calls.length, 3, JSON.stringify(log.calls));
  });

  it('types interleaved over more than one claim: ⌈codes / 5⌉ requests per type, one short request each at most', async () => {
    const ctx = createTestJobsContext(db.database());
    const eans = ean.slice(30, 48);
    const isbns = isbn.slice(8, 14);
    assert.equal(eans.length + isbns.length, 24, 'the catalog has the codes');
    // E E E I E E E I …: every claim of 5 (one lane × 5 codes) mixes both types. Sending what a
    // claim holds would cost 10 requests; claiming on until a request is full costs ⌈18/5⌉ + ⌈6/5⌉.
    const codes = isbns.flatMap((i, k) => [...eans.slice(k * 3, k * 3 + 3), i]);
    const { job, log } = await runJob(ctx, codes, { concurrency: 1 });
    assert.deepEqual(log.violations, []);
    assert.equal(job.preflight?.requests, 6);
    assert.equal(log.calls.length, 6, JSON.stringify(log.calls));
    for (const type of ['EAN', 'ISBN']) {
      const calls = log.calls.filter((c) => identifierTypeOf(c[0] as string) === type);
      assert.ok(calls.filter((c) => c.length < 5).length <= 1, `${type}: ${JSON.stringify(calls)}`);
    }
    assert.deepEqual(log.calls.flat().sort(), codes.map(display).sort());
    assert.equal(job.counters.done, 24);
  });

  it('a code known from the cache or an always rule, or repeated, never enters a request', async () => {
    const ctx = createTestJobsContext(db.database());
    const [cachedCode, ruledCode, c, d] = ean.slice(14, 18) as [string, string, string, string];
    await runJob(ctx, [cachedCode], { owner: 'known' });
    const ruled = parseCode(ruledCode);
    assert.ok(ruled.valid);
    await upsertRule(ctx.database.db, {
      owner: 'known',
      gtin: ruled.gtin14,
      asin: 'B0RULE0001',
      rule: 'always',
      marketplace: 'www.amazon.fr',
    });
    const { job, log } = await runJob(ctx, [cachedCode, ruledCode, c, d, c], {
      owner: 'known',
      refresh: false,
    });
    assert.deepEqual(log.calls.flat().sort(), [c, d].map(display).sort());
    assert.equal(log.calls.length, 1);
    assert.equal(job.counters.done, 4);
  });

  it('a throttled request is rescheduled whole without using an attempt', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = ean.slice(18, 21);
    const { job, log } = await runJob(ctx, codes, {
      beforeAnswer: (_codes, index) => {
        if (index === 0)
          throw new AmazonError('api_rate_limit', 'Too many requests.', {
            status: 429,
            retryAfterMs: 10,
          });
      },
    });
    assert.equal(log.calls.length, 2, JSON.stringify(log.calls));
    assert.deepEqual([...(log.calls[1] ?? [])].sort(), [...(log.calls[0] ?? [])].sort());
    const rows = await ctx.database.db
      .selectFrom('code2asin_results')
      .select(['status', 'attempts'])
      .where('job_id', '=', job.id)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.attempts),
      [0, 0, 0],
    );
    assert.ok(rows.every((r) => r.status === 'found'));
  });

  it('maxCodesPerCall = 1: one code per request and per token, as the Creators API', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = [...ean.slice(21, 24), ...isbn.slice(4, 6)];
    const { job, log, worker } = await runJob(ctx, codes, { maxCodesPerCall: 1 });
    assert.equal(log.calls.length, 5);
    assert.ok(log.calls.every((c) => c.length === 1));
    assert.equal(log.tokens, 5);
    assert.equal(worker.stats.requests, 5);
    assert.equal(job.counters.done, 5);
  });

  it('a worker killed with SIGKILL mid-batch loses nothing and doubles nothing', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = ean.slice(0, 12);
    const created = await createJob(ctx, {
      owner: 'kill',
      options: { name: 'Kill', marketplaces: ['fr'], refresh: true },
      codes,
    });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('../helpers/batch-worker-child.ts', import.meta.url)),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          C2A_DATABASE_URL: db.url(),
          C2A_SETTINGS: JSON.stringify(emulatorSettings(emu)),
          C2A_JOB_ID: created.id,
          // Renewed every third of it: long enough that a starved child keeps its claim until
          // it is killed; the second worker waits for it to end.
          C2A_LEASE_MS: '10000',
          C2A_HOLD_AT: '1',
        },
      },
    );
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const held = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child never sent its second request\n${out}`)),
        180_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /call 1 (\S+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve((m[1] as string).split(','));
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal(held.length, 5, 'the killed batch was a full request');
    const before = await getJob(ctx.database.db, created.id);
    assert.equal(before.counters.done, 5, 'the first request was stored, the second not');

    // A second worker: the killed batch comes back when its lease ends, and is looked up once.
    const { clients, log } = createBatchTestClients();
    const lookup = createAmazonLookup(emulatorSettings(emu), ctx.database.db, { clients });
    const worker = createWorker(ctx, {
      lookup,
      idlePollMs: 20,
      maintenanceMs: 200,
      jobIds: [created.id],
    });
    worker.start();
    let job: Job;
    try {
      job = await until(created.id, ctx, (j) => j.status === 'completed');
    } finally {
      await worker.stop();
    }
    assert.equal(job.counters.done, 12, 'each code stored exactly once');
    assert.equal(
      job.counters.found + job.counters.to_review + job.counters.not_found + job.counters.errors,
      12,
    );
    const again = log.calls.flat();
    assert.equal(new Set(again).size, again.length, 'no code asked twice by the second worker');
    for (const code of held)
      assert.ok(again.includes(code), `${code} of the killed batch looked up again`);
    assert.equal(again.length, 7, 'the killed batch and the two codes never claimed');
    const logs = await ctx.database.db
      .selectFrom('code2asin_logs')
      .select('details')
      .where('job_id', '=', created.id)
      .where('message', '=', 'Code looked up')
      .execute();
    assert.equal(logs.length, 12);
    assert.ok(logs.every((l) => !String(l.details).includes('lease_lost')));
  });
});
