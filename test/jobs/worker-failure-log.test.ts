import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/db/database.js';
import { DatabaseFaultError } from '../../src/db/db-fault.js';
import type { JobsContext } from '../../src/jobs/context.js';
import { createJob } from '../../src/jobs/create-job.js';
import { createFailureLog, errorCodeOf, type FailureLog } from '../../src/jobs/failure-log.js';
import type { UnitLookup, UnitOutcome } from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { startWorkerPresence } from '../../src/jobs/worker-presence.js';
import { ManualClock } from '../amazon/manual-clock.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { forEachDatabase } from '../helpers/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';

const CODES = ['4006381333931', '9780306406157', '5901234123457'];

interface LogLine {
  level: string;
  msg: string;
  failure?: string;
  worker_id?: string;
  job_id?: string;
  units?: number;
  error_code?: string;
  left_out?: number;
}

function linesOf(lines: string[], failure: string): LogLine[] {
  return lines.map((l) => JSON.parse(l) as LogLine).filter((l) => l.failure === failure);
}

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The password of a database URL (none for SQLite): it must never reach a log line. */
function passwordOf(url: string): string {
  return url.startsWith('postgres') ? decodeURIComponent(new URL(url).password) : '';
}

describe('the failure log', () => {
  it('logs a kind of failure once a minute at most, then says how many were left out', () => {
    const { logger, lines } = createCapturingLogger();
    let now = 1_000_000;
    const failures = createFailureLog(logger, { now: () => now });
    const fault = new DatabaseFaultError('database_unavailable', 'gone');
    for (let i = 0; i < 50; i += 1) failures.failed('heartbeat', 'not written', fault, { n: i });
    failures.failed('release', 'not released', new Error('x'), {});
    now += 59_999;
    failures.failed('heartbeat', 'not written', fault, {});
    assert.equal(linesOf(lines, 'heartbeat').length, 1, 'one line for 51 failures in a minute');
    now += 1;
    failures.failed('heartbeat', 'not written', fault, { n: 'late' });
    const beats = linesOf(lines, 'heartbeat');
    assert.deepEqual(
      beats.map((l) => [l.level, l.error_code, l.left_out]),
      [
        ['warn', 'database_unavailable', 0],
        ['warn', 'database_unavailable', 50],
      ],
    );
    assert.equal(linesOf(lines, 'release').length, 1, 'another kind is counted apart');
  });

  it('names the error by its database fault, else its own code, else its class', () => {
    const busy = Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' });
    const constraint = Object.assign(new Error('dup'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    assert.equal(errorCodeOf(busy), 'database_unavailable');
    assert.equal(errorCodeOf(new DatabaseFaultError('disk_full', 'full')), 'disk_full');
    assert.equal(errorCodeOf(constraint), 'SQLITE_CONSTRAINT_UNIQUE');
    assert.equal(errorCodeOf(new TypeError('bad')), 'TypeError');
    assert.equal(errorCodeOf('text'), 'unknown');
  });
});

/** A jobs context on its own handle of the test database (closed by the test), logging to `lines`. */
function contextOn(handle: Database): { ctx: JobsContext; lines: string[] } {
  const { logger, lines } = createCapturingLogger({ level: 'warn' });
  return { ctx: { ...createTestJobsContext(handle), logger }, lines };
}

forEachDatabase('worker failures that change nothing are logged', (db) => {
  it('a release after a database fault that fails (database closed) is logged with its ids, and the units stay leased', async () => {
    const main = db.database();
    const job = await createJob(createTestJobsContext(main), {
      owner: 'a',
      options: { name: 'Release fails', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    const handle = openDatabase(db.url());
    const { ctx, lines } = contextOn(handle);
    let lookups = 0;
    // The lookup meets a database fault, and by then the worker's database is closed: the
    // release that follows fails for real.
    const lookup: UnitLookup = {
      async lookupMany(units): Promise<UnitOutcome[]> {
        lookups += 1;
        await handle.close();
        const fault = new DatabaseFaultError('database_unavailable', 'the database went away');
        return units.map(() => ({ ok: false, error: fault }));
      },
    };
    const worker = createWorker(ctx, {
      lookup,
      concurrency: 1,
      idlePollMs: 20,
      statusRefreshMs: 20,
      leaseMs: 600_000,
      clock: new ManualClock(),
      jobIds: [job.id],
    });
    worker.start();
    try {
      await eventually('the failed release logged', () => linesOf(lines, 'release').length > 0);
    } finally {
      await worker.stop();
    }
    const [line, ...more] = linesOf(lines, 'release');
    assert.deepEqual(more, [], 'one line');
    assert.equal(line?.level, 'warn');
    assert.match(line?.msg ?? '', /lease ends/);
    assert.equal(line?.worker_id, worker.id);
    assert.equal(line?.job_id, job.id);
    assert.equal(line?.units, 1);
    assert.equal(typeof line?.error_code, 'string');
    assert.equal(lookups, 1);
    const password = passwordOf(db.url());
    if (password) assert.ok(!lines.join('\n').includes(password), 'no secret in the log');
    // What happens next is unchanged: the unit is still this worker's until its lease ends.
    const claimed = await main.db
      .selectFrom('code2asin_results')
      .select(['status', 'claimed_by'])
      .where('job_id', '=', job.id)
      .where('status', '=', 'claimed')
      .execute();
    assert.deepEqual(claimed, [{ status: 'claimed', claimed_by: worker.id }]);
  });

  it('a lane count that cannot be read (database closed: live workers not counted) is logged once', async () => {
    const handle = openDatabase(db.url());
    const { ctx, lines } = contextOn(handle);
    // Used once, then closed (Kysely ignores the close of a handle that never ran a query).
    await handle.db.selectFrom('code2asin_workers').select('id').execute();
    await handle.close();
    const lookup: UnitLookup = {
      lookupMany: (units) =>
        Promise.resolve(units.map(() => ({ ok: false, error: new Error('unused') }))),
    };
    // Automatic lanes: the pace counts the live workers in the database at start.
    const worker = createWorker(ctx, {
      lookup,
      idlePollMs: 20,
      clock: new ManualClock(),
      jobIds: ['no-such-job'],
    });
    worker.start();
    try {
      await eventually('the failed pace logged', () => linesOf(lines, 'lane_pace').length > 0);
      await eventually('the failed heartbeat logged', () => linesOf(lines, 'heartbeat').length > 0);
    } finally {
      await worker.stop();
    }
    const [pace, ...more] = linesOf(lines, 'lane_pace');
    assert.deepEqual(more, [], 'one line');
    assert.equal(pace?.worker_id, worker.id);
    assert.equal(typeof (pace as { lanes?: unknown } | undefined)?.lanes, 'number');
    assert.equal(linesOf(lines, 'heartbeat').length, 1);
  });

  it('failed heartbeats (database closed) give one line a minute, counting the ones left out', async () => {
    const main = db.database();
    const handle = openDatabase(db.url());
    const { logger, lines } = createCapturingLogger({ level: 'warn' });
    let now = 0;
    const log = createFailureLog(logger, { now: () => now });
    const calls: string[] = [];
    const failures: FailureLog = {
      failed(kind, ...rest) {
        calls.push(kind);
        log.failed(kind, ...rest);
      },
    };
    const id = `presence-${db.kind}`;
    const presence = startWorkerPresence(handle, {
      id,
      lanes: () => 2,
      heldUnits: () => 0,
      periodMs: 10,
      failures,
    });
    const row = () =>
      main.db.selectFrom('code2asin_workers').selectAll().where('id', '=', id).executeTakeFirst();
    await eventually('the first heartbeat written', async () => (await row()) !== undefined);
    await handle.close();
    const beats = () => calls.filter((k) => k === 'heartbeat').length;
    await eventually('five failed heartbeats', () => beats() >= 5);
    assert.equal(linesOf(lines, 'heartbeat').length, 1, 'one line for every failed beat');
    now += 60_000;
    const before = beats();
    await eventually('a failed heartbeat a minute later', () => beats() > before);
    await presence.stop();
    const logged = linesOf(lines, 'heartbeat');
    assert.equal(logged.length, 2);
    assert.equal(logged[0]?.worker_id, id);
    assert.equal(logged[0]?.left_out, 0);
    assert.ok((logged[1]?.left_out ?? 0) >= 4, `left out: ${logged[1]?.left_out}`);
    assert.equal(linesOf(lines, 'presence_removal').length, 1, 'the removal at stop failed too');
    // The row stays until it expires, as before: `code2asin workers` stops listing it then.
    assert.ok(await row());
  });
});
