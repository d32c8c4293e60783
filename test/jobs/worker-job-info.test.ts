import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { JobInfoCache, type JobInfo } from '../../src/jobs/job-info-cache.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { applyJobAction, deleteJob } from '../../src/jobs/lifecycle.js';
import { createWorker, type Worker } from '../../src/jobs/worker.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext, emulatorSettings, startTestEmulator } from '../helpers/jobs.js';

/** "Eventually": generous, the machine may be loaded; nothing here measures speed. */
const EVENTUALLY_MS = 120_000;

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + EVENTUALLY_MS;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function info(owner: string): JobInfo {
  return { owner, options: {} as JobInfo['options'], marketplaces: ['www.amazon.fr'] };
}

describe('JobInfoCache', () => {
  it('keeps at most its limit, dropping the least recently used first', () => {
    const cache = new JobInfoCache(3);
    for (const id of ['a', 'b', 'c']) cache.set(id, info(id));
    assert.equal(cache.get('a')?.owner, 'a'); // a is now the most recently used
    cache.set('d', info('d'));
    assert.deepEqual(cache.jobIds(), ['c', 'a', 'd']);
    assert.equal(cache.get('b'), undefined, 'the least recently used went');
    cache.set('c', info('c2'));
    assert.equal(cache.size, 3, 'setting a cached job again does not grow it');
    cache.drop('a');
    assert.deepEqual(cache.jobIds(), ['d', 'c']);
    for (let i = 0; i < 1000; i++) cache.set(`job-${i}`, info('x'));
    assert.equal(cache.size, 3);
  });
});

let emu: RunningEmulator;
before(async () => {
  emu = await startTestEmulator({ tps: 50, burst: 10, count: 120 });
});
after(async () => emu.close());

forEachDatabase('a long-running worker keeps only the jobs still processing', (db) => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop();
    emu.setFaults({ hangRate: 0 });
  });

  it('drops a job once it is cancelled, paused or deleted, and holds none after many jobs completed', async () => {
    const ctx = createTestJobsContext(db.database());
    const codes = [...new Set((emu.catalog.truth ?? []).map((t) => t.code))];
    assert.ok(codes.length >= 70);
    const lookup = createAmazonLookup(emulatorSettings(emu), ctx.database.db);
    worker = createWorker(ctx, { lookup, idlePollMs: 50, statusRefreshMs: 50, leaseMs: 30_000 });
    worker.start();
    const w = worker;
    const claimed = async (jobId: string) =>
      (
        await ctx.database.db
          .selectFrom('code2asin_results')
          .select('id')
          .where('job_id', '=', jobId)
          .where('status', '=', 'claimed')
          .execute()
      ).length > 0;

    // Amazon never answers: a job's units stay claimed, so the job is held and stays processing.
    emu.setFaults({ hangRate: 1 });
    for (const [i, action] of (['cancel', 'pause'] as const).entries()) {
      const job = await createJob(ctx, {
        owner: 'alice',
        options: { name: `held, then ${action}`, marketplaces: ['fr'] },
        codes: codes.slice(i * 5, i * 5 + 5),
      });
      await eventually(`units of the job to ${action} claimed`, () => claimed(job.id));
      assert.equal(w.cachedJobs, 1, 'the running job is cached');
      await applyJobAction(ctx, job.id, action);
      await eventually(`the ${action}led job dropped`, () => w.cachedJobs === 0);
      if (action === 'pause') {
        await eventually(
          'the paused job handed its units back',
          async () => !(await claimed(job.id)),
        );
        await deleteJob(ctx, job.id);
        await assert.rejects(getJob(ctx.database.db, job.id));
        assert.equal(w.cachedJobs, 0, 'a deleted job is not read back');
      }
    }

    // Amazon answers again: many small jobs run to completion through the same worker.
    emu.setFaults({ hangRate: 0 });
    const many: Job[] = [];
    for (let i = 0; i < 30; i++) {
      many.push(
        await createJob(ctx, {
          owner: i % 2 === 0 ? 'alice' : 'bob',
          options: { name: `small ${i}`, marketplaces: ['fr'] },
          codes: codes.slice(10 + i * 2, 12 + i * 2),
        }),
      );
    }
    await eventually('every small job completed', async () => {
      const jobs = await Promise.all(many.map((j) => getJob(ctx.database.db, j.id)));
      return jobs.every((j) => j.status === 'completed');
    });
    await eventually('no completed job kept in memory', () => w.cachedJobs === 0);
  });
});
