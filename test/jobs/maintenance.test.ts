import assert from 'node:assert/strict';
import { it } from 'node:test';
import { nowIso } from '../../src/db/dialect.js';
import { claimUnits } from '../../src/db/work-queue.js';
import { completeIfDone } from '../../src/jobs/complete-job.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob } from '../../src/jobs/jobs-repository.js';
import type { LookupUnit, UnitLookup, UnitOutcome } from '../../src/jobs/unit-lookup.js';
import { createWorker, type Worker } from '../../src/jobs/worker.js';
import { ManualClock } from '../amazon/manual-clock.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';

const CODES = ['4006381333931', '9780306406157', '5901234123457', '4012345678901'];
const PERIOD_MS = 5_000;

/** A lookup that never answers until aborted: the worker stays busy for as long as the test runs. */
function createStuckLookup(): UnitLookup & { started: LookupUnit[] } {
  const started: LookupUnit[] = [];
  return {
    started,
    lookupMany(units, signal) {
      started.push(...units);
      return new Promise<UnitOutcome[]>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    },
  };
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A worker busy on a long job: its only lane waits on a lookup that never answers, so it claims
 * nothing more. Its maintenance is timed by `clock` and has run once when this resolves.
 */
async function startBusyWorker(
  ctx: JobsContext,
  jobIds: string[],
  clock: ManualClock,
): Promise<{ worker: Worker; lookup: ReturnType<typeof createStuckLookup> }> {
  const lookup = createStuckLookup();
  const worker = createWorker(ctx, {
    lookup,
    concurrency: 1,
    idlePollMs: 20,
    maintenanceMs: PERIOD_MS,
    clock,
    jobIds,
  });
  worker.start();
  await eventually('the busy worker started', async () => {
    return lookup.started.length === 1 && worker.maintenanceRuns >= 1;
  });
  return { worker, lookup };
}

async function unitStatuses(ctx: JobsContext, jobId: string): Promise<string[]> {
  const rows = await ctx.database.db
    .selectFrom('code2asin_results')
    .select('status')
    .where('job_id', '=', jobId)
    .execute();
  return rows.map((r) => r.status);
}

forEachDatabase('maintenance while the worker is busy', (db) => {
  it("a killed worker's units are claimable again within lease + one maintenance period", async () => {
    const ctx = createTestJobsContext(db.database());
    const long = await createJob(ctx, {
      owner: 'a',
      options: { name: 'Long', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    const other = await createJob(ctx, {
      owner: 'b',
      options: { name: 'Other', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    const clock = new ManualClock();
    const { worker, lookup } = await startBusyWorker(ctx, [long.id, other.id], clock);
    try {
      // A second worker claims the other job's units, then dies: its 1 ms lease is never renewed.
      const dead = await claimUnits(ctx.database, {
        jobId: other.id,
        workerId: 'killed-worker',
        limit: CODES.length,
        leaseMs: 1,
      });
      assert.equal(dead.length, CODES.length);
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(
        await unitStatuses(ctx, other.id),
        CODES.map(() => 'claimed'),
      );

      // One maintenance period later (the longest wait between runs), with the busy worker still
      // waiting on its first lookup, the expired leases are back in the queue.
      const runs = worker.maintenanceRuns;
      await clock.advance(PERIOD_MS);
      await eventually('the maintenance run', async () => worker.maintenanceRuns > runs);
      assert.deepEqual(
        await unitStatuses(ctx, other.id),
        CODES.map(() => 'pending'),
      );
      assert.equal(lookup.started.length, 1, 'the busy worker is still on its first lookup');

      const reclaimed = await claimUnits(ctx.database, {
        jobId: other.id,
        workerId: 'third-worker',
        limit: CODES.length,
        leaseMs: 60_000,
      });
      assert.deepEqual(
        reclaimed.map((u) => u.id),
        dead.map((u) => u.id),
      );
    } finally {
      await worker.stop();
    }
  });

  it('a job due for retry is retried within its schedule + one maintenance period', async () => {
    const ctx = createTestJobsContext(db.database());
    const long = await createJob(ctx, {
      owner: 'a',
      options: { name: 'Long', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    const failing = await createJob(ctx, {
      owner: 'b',
      options: { name: 'Failing', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    // Every code of the second job ended on a transient error: it fails with a retry scheduled.
    await ctx.database.db
      .updateTable('code2asin_results')
      .set({ status: 'error', error_class: 'network', error_message: 'connection reset' })
      .where('job_id', '=', failing.id)
      .execute();
    assert.ok(await completeIfDone(ctx, failing.id));
    const failed = await getJob(ctx.database.db, failing.id);
    assert.equal(failed.status, 'failed');
    assert.ok(failed.next_retry_at && failed.next_retry_at > nowIso(), 'retry scheduled later');

    const clock = new ManualClock();
    const { worker, lookup } = await startBusyWorker(ctx, [long.id, failing.id], clock);
    try {
      // The schedule comes due while the worker is busy.
      await ctx.database.db
        .updateTable('code2asin_jobs')
        .set({ next_retry_at: nowIso(-1) })
        .where('id', '=', failing.id)
        .execute();
      assert.equal((await getJob(ctx.database.db, failing.id)).status, 'failed');

      const runs = worker.maintenanceRuns;
      await clock.advance(PERIOD_MS);
      await eventually('the maintenance run', async () => worker.maintenanceRuns > runs);
      const retried = await getJob(ctx.database.db, failing.id);
      assert.equal(retried.status, 'processing');
      assert.equal(retried.retry_count, 1);
      assert.deepEqual(
        await unitStatuses(ctx, failing.id),
        CODES.map(() => 'pending'),
      );
      assert.equal(lookup.started.length, 1, 'the busy worker is still on its first lookup');
    } finally {
      await worker.stop();
    }
  });
});
