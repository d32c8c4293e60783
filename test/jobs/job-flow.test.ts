import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createJob } from '../../src/jobs/create-job.js';
import { JobError } from '../../src/jobs/errors.js';
import { getJob, listJobs } from '../../src/jobs/jobs-repository.js';
import { applyJobAction, deleteJob } from '../../src/jobs/lifecycle.js';
import { writeJobResults } from '../../src/jobs/result-export.js';
import { forEachDatabase } from '../helpers/database.js';
import {
  createTestJobsContext,
  emulatorSettings,
  runWorkerUntilSettled,
  searchRequests,
  startTestEmulator,
} from '../helpers/jobs.js';

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator();
});
after(async () => emu.close());

/** Codes of the generated catalog with a known product, and some with none. */
function truthCodes(n: number): string[] {
  return emu.catalog
    .truth!.filter((t) => t.asin !== null)
    .slice(0, n)
    .map((t) => t.code);
}

async function readResults(
  ctx: ReturnType<typeof createTestJobsContext>,
  jobId: string,
  format: 'csv' | 'jsonl' = 'jsonl',
): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeJobResults(ctx, jobId, format, out);
  return Buffer.concat(chunks).toString('utf8');
}

forEachDatabase('job flow against the emulator', (db) => {
  it('maps codes end to end: pre-flight, worker, counters, result file; no request for invalid or duplicate codes', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = truthCodes(12);
    const input = [...codes, codes[0]!, codes[1]!, '1234567890123', 'not a code', ''];
    emu.resetStats();
    const created = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Flow', marketplaces: ['fr'] },
      codes: input,
    });
    assert.equal(created.status, 'processing');
    assert.equal(created.preflight?.rows, 17);
    assert.equal(created.preflight?.valid, 14);
    assert.equal(created.preflight?.duplicates, 2);
    assert.equal(created.preflight?.distinct_codes, 12);
    assert.equal(created.preflight?.to_query, 12);
    assert.equal(created.preflight?.requests, 12);
    assert.deepEqual(Object.keys(created.preflight?.invalid_by_reason ?? {}).sort(), [
      'bad_check_digit',
      'empty',
      'non_numeric',
    ]);

    const { jobs } = await runWorkerUntilSettled(ctx, emu, [created.id]);
    const job = jobs[0]!;
    assert.equal(job.status, 'completed');
    assert.equal(job.counters.done, 12);
    assert.equal(job.counters.found + job.counters.to_review + job.counters.not_found, 12);
    assert.ok(job.counters.found >= 10, `found ${job.counters.found}`);
    // One search per distinct valid code, plus page 2 for a code with more than 10 hits whose
    // product is not on page 1; never one for an invalid or duplicate row.
    const paged = emu.catalog.truth!.filter(
      (t) => codes.includes(t.code) && t.case === 'many_hits',
    ).length;
    assert.ok(
      searchRequests(emu) >= 12 && searchRequests(emu) <= 12 + paged,
      `searches: ${searchRequests(emu)}`,
    );
    assert.equal(ctx.ended.length, 1);

    const lines = (await readResults(ctx, job.id))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 17, 'every input row, in order');
    assert.equal(lines[0]!.code, codes[0]);
    assert.equal(lines[12]!.asin, lines[0]!.asin, 'a duplicate row carries its code result');
    assert.equal(lines[14]!.status, 'invalid');
    assert.match(String(lines[14]!.error), /check digit/);
    const truth = new Map(emu.catalog.truth!.map((t) => [t.code, t.asin]));
    for (const line of lines.slice(0, 12)) {
      if (line.status === 'found')
        assert.equal(
          line.asin,
          truth.get(String(line.code)),
          `right ASIN for ${String(line.code)}`,
        );
    }
  });

  it('a second job with the same codes sends zero requests (cache)', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const job = await createJob(ctx, {
      owner: 'bob',
      options: { name: 'Again', marketplaces: ['www.amazon.fr'] },
      codes: truthCodes(12),
    });
    assert.equal(job.preflight?.cached, 12);
    assert.equal(job.preflight?.requests, 0);
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    assert.equal(jobs[0]!.status, 'completed');
    assert.equal(searchRequests(emu), 0);
    const refreshed = await createJob(ctx, {
      owner: 'bob',
      options: { name: 'Refresh', marketplaces: ['fr'], refresh: true },
      codes: truthCodes(3),
    });
    assert.equal(refreshed.preflight?.to_query, 3);
  });

  it('several marketplaces give one unit and one result column set per marketplace', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const codes = emu.catalog
      .truth!.filter((t) => t.asin !== null)
      .slice(20, 24)
      .map((t) => t.code);
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Multi', marketplaces: ['fr', 'de'] },
      codes,
    });
    assert.equal(job.preflight?.to_query, 8);
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    assert.equal(jobs[0]!.status, 'completed');
    assert.equal(searchRequests(emu), 8);
    const first = JSON.parse((await readResults(ctx, job.id)).split('\n')[0]!) as Record<
      string,
      unknown
    >;
    assert.ok('asin_fr' in first && 'asin_de' in first, Object.keys(first).join(','));
    assert.equal(first.asin_fr, first.asin_de);
  });

  it('direct import: code,ASIN rows are stored without any request, bad ASINs flagged', async () => {
    const ctx = createTestJobsContext(db.database());
    emu.resetStats();
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'c2a-import-')), 'map.csv');
    writeFileSync(file, 'EAN;ASIN\n3017620422003;B000EXAMPL\n4006381333931;not-an-asin\n');
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Import', marketplaces: ['fr'], use_amazon_api: false },
      file: { path: file, name: 'map.csv' },
    });
    assert.equal(job.preflight?.imported, 2);
    assert.equal(job.preflight?.requests, 0);
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    assert.equal(jobs[0]!.status, 'completed');
    assert.equal(jobs[0]!.counters.found, 1);
    assert.equal(jobs[0]!.counters.errors, 1);
    assert.equal(searchRequests(emu), 0);
    const csv = await readResults(ctx, job.id, 'csv');
    assert.match(csv, /^\uFEFFEAN;ASIN;status;asin;proposed_asin;match_type/);
    assert.match(csv, /3017620422003;B000EXAMPL;found;B000EXAMPL;;manual;1/);
    assert.match(csv, /not-an-asin;error;.*is not an ASIN/);
  });

  it('bad credentials pause the job with a message instead of failing every code', async () => {
    const ctx = createTestJobsContext(db.database());
    const job = await createJob(ctx, {
      owner: 'alice',
      options: { name: 'Bad creds', marketplaces: ['fr'], refresh: true },
      codes: truthCodes(5),
    });
    const settings = emulatorSettings(emu, {
      AMAZON_CREATORS_CREDENTIAL_SECRET: 'wrong-secret-value',
    });
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id], { settings });
    assert.equal(jobs[0]!.status, 'paused');
    assert.match(jobs[0]!.error_message ?? '', /credentials/i);
    assert.ok(!(jobs[0]!.error_message ?? '').includes('wrong-secret-value'));
    assert.equal(jobs[0]!.counters.errors, 0);
    const resumed = await applyJobAction(ctx, job.id, 'resume');
    assert.equal(resumed.status, 'processing');
    const { jobs: after } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    assert.equal(after[0]!.status, 'completed');
    assert.equal(after[0]!.counters.done, 5);
  });

  it('lifecycle: every refusal says what is allowed; cancel, retry, delete', async () => {
    const ctx = createTestJobsContext(db.database());
    const job = await createJob(ctx, {
      owner: 'carol',
      options: { name: 'Life', marketplaces: ['fr'], auto_start: false, refresh: true },
      codes: truthCodes(4),
    });
    assert.equal(job.status, 'pending');
    await assert.rejects(
      applyJobAction(ctx, job.id, 'resume'),
      (e: unknown) =>
        e instanceof JobError &&
        e.code === 'illegal_transition' &&
        /Allowed now: start, cancel, delete/.test(e.message),
    );
    await assert.rejects(applyJobAction(ctx, job.id, 'retry'), /Cannot retry job .* it is pending/);
    assert.equal((await applyJobAction(ctx, job.id, 'start')).status, 'processing');
    await assert.rejects(deleteJob(ctx, job.id), /Cannot delete job .* it is processing/);
    assert.equal((await applyJobAction(ctx, job.id, 'pause')).status, 'paused');
    assert.equal((await applyJobAction(ctx, job.id, 'cancel')).status, 'cancelled');
    assert.equal(ctx.ended.at(-1)?.status, 'cancelled');
    const retried = await applyJobAction(ctx, job.id, 'retry');
    assert.equal(retried.status, 'processing');
    assert.equal(retried.retry_count, 1);
    const { jobs } = await runWorkerUntilSettled(ctx, emu, [job.id]);
    assert.equal(jobs[0]!.status, 'completed');
    await assert.rejects(
      getJob(ctx.database.db, job.id, 'someone-else'),
      (e: unknown) => e instanceof JobError && e.code === 'job_not_found',
    );
    await deleteJob(ctx, job.id, 'carol');
    await assert.rejects(getJob(ctx.database.db, job.id), /not found/);
  });

  it('the retry counter stops at 5 unless reset', async () => {
    const ctx = createTestJobsContext(db.database());
    const job = await createJob(ctx, {
      owner: 'dave',
      options: { name: 'Retries', marketplaces: ['fr'], auto_start: false },
      codes: ['3017620422003'],
    });
    await ctx.database.db
      .updateTable('code2asin_jobs')
      .set({ status: 'failed', retry_count: 5 })
      .where('id', '=', job.id)
      .execute();
    await assert.rejects(
      applyJobAction(ctx, job.id, 'retry'),
      (e: unknown) => e instanceof JobError && e.code === 'retry_limit_reached',
    );
    const reset = await applyJobAction(ctx, job.id, 'retry', { resetRetryCounter: true });
    assert.equal(reset.retry_count, 1);
  });

  it('lists jobs with search taking % and _ literally', async () => {
    const ctx = createTestJobsContext(db.database());
    const opts = { marketplaces: ['fr'], auto_start: false };
    await createJob(ctx, {
      owner: 'lister',
      options: { ...opts, name: 'Promo 50% off' },
      codes: ['3017620422003'],
    });
    await createJob(ctx, {
      owner: 'lister',
      options: { ...opts, name: 'Promo 500 off' },
      codes: ['3017620422003'],
    });
    await createJob(ctx, {
      owner: 'lister',
      options: { ...opts, name: 'a_b', supplier_code: 'SUP_1' },
      codes: ['3017620422003'],
    });
    const found = await listJobs(ctx.database.db, { owner: 'lister', search: '50%' });
    assert.deepEqual(
      found.items.map((j) => j.name),
      ['Promo 50% off'],
    );
    assert.equal((await listJobs(ctx.database.db, { owner: 'lister', search: 'sup_' })).total, 1);
    assert.equal((await listJobs(ctx.database.db, { owner: 'lister', search: 'promo' })).total, 2);
  });

  it('refuses bad options naming the field', async () => {
    const ctx = createTestJobsContext(db.database());
    await assert.rejects(
      createJob(ctx, {
        owner: 'o',
        options: { name: '', marketplaces: ['fr'] },
        codes: ['3017620422003'],
      }),
      (e: unknown) =>
        e instanceof JobError && e.code === 'invalid_options' && /name/.test(e.message),
    );
    await assert.rejects(
      createJob(ctx, { owner: 'o', options: { name: 'x', marketplaces: ['zz'] }, codes: ['1'] }),
      /Unknown marketplace "zz"/,
    );
  });
});
