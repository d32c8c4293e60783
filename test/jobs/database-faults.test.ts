import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { createAmazonLookup } from '../../src/jobs/amazon-lookup.js';
import { createJob } from '../../src/jobs/create-job.js';
import { getJob, type Job } from '../../src/jobs/jobs-repository.js';
import { createWorker, type Worker } from '../../src/jobs/worker.js';
import { createTestApp, type TestApp } from '../http/http-helpers.js';
import { BASE } from '../http/jobs-helpers.js';
import { createTestJobsContext, emulatorSettings, startTestEmulator } from '../helpers/jobs.js';
import {
  startRestartablePostgres,
  type RestartablePostgres,
} from '../helpers/restartable-postgres.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small-volume.js';

/** "Eventually": generous, the machine may be loaded; nothing here measures speed. */
const EVENTUALLY_MS = 120_000;

async function eventually<T>(what: string, check: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  database: Database;
  app: TestApp;
  emu: RunningEmulator;
  worker: Worker;
  job: Job;
  codes: string[];
}

/** A job of `count` codes running under an in-process worker, with the HTTP app on the same database. */
async function startJob(database: Database, count: number): Promise<Running> {
  const emu = await startTestEmulator({ tps: 20, burst: 5, count: count + 20 });
  const ctx = createTestJobsContext(database);
  // The 12 MB volume is always under the default 200 MB: low_disk would hide the rest.
  const app = await createTestApp(database, { env: { CODE2ASIN_MIN_FREE_DISK_MB: '1' } });
  database.faults.setLogger(app.logs.logger);
  const codes = (emu.catalog.truth ?? []).slice(0, count).map((t) => t.code);
  const job = await createJob(ctx, {
    owner: 'admin',
    options: { name: 'through a fault', marketplaces: ['fr'], refresh: true },
    codes,
  });
  const lookup = createAmazonLookup(emulatorSettings(emu), database.db);
  const worker = createWorker(ctx, {
    lookup,
    idlePollMs: 50,
    statusRefreshMs: 50,
    maintenanceMs: 500,
    leaseMs: 5_000,
    jobIds: [job.id],
  });
  worker.start();
  return { database, app, emu, worker, job, codes };
}

async function jobAnswer(r: Running): Promise<LightMyRequestResponse> {
  return r.app.call({ method: 'GET', url: `${BASE}/jobs/${r.job.id}` });
}

/** Every code has exactly one result, none left pending or claimed, none failed. */
async function assertEveryRowResolvedOnce(r: Running): Promise<void> {
  const rows = await r.database.db
    .selectFrom('code2asin_results')
    .select(['code', 'status'])
    .where('job_id', '=', r.job.id)
    .execute();
  assert.equal(rows.length, r.codes.length);
  assert.equal(new Set(rows.map((x) => x.code)).size, r.codes.length, 'one result per code');
  const open = rows.filter((x) => ['pending', 'claimed', 'error'].includes(x.status));
  assert.deepEqual(open, [], 'no unit left open or failed');
  const job = await getJob(r.database.db, r.job.id);
  assert.equal(job.status, 'completed');
  assert.equal(job.counters.errors, 0, 'no unit failed because of the database');
  assert.equal(job.counters.done, r.codes.length);
}

function assertNoInternalErrors(r: Running): void {
  const internal = r.app.logs.lines
    .map((l) => JSON.parse(l) as { msg?: string })
    .filter((l) => l.msg === 'request failed');
  assert.deepEqual(internal, [], 'no request answered 500');
}

describe('SQLite on a volume that fills during a job, then is freed [sqlite]', () => {
  let volume: SmallVolume;
  let r: Running;
  before(async () => {
    volume = mountSmallVolume(12);
    const database = openDatabase(`sqlite:${volume.dir}/c2a.db`);
    await migrateToLatest(database);
    r = await startJob(database, 120);
  });
  after(async () => {
    await r?.worker.stop();
    await r?.app.close();
    await r?.emu.close();
    await r?.database.close();
    volume?.dispose();
  });

  it('answers 503 disk_full while full, serves reads, and completes the job once space is freed', async () => {
    await eventually('some results stored', async () => {
      const job = await getJob(r.database.db, r.job.id);
      return job.counters.done >= 10;
    });
    volume.fill();
    const refused = await eventually('an upload refused for the full disk', async () => {
      const res = await r.app.call({
        method: 'POST',
        url: `${BASE}/jobs`,
        payload: { name: 'while full', codes: r.codes.slice(0, 3), marketplaces: ['fr'] },
      });
      assert.notEqual(res.statusCode, 500, res.body);
      return res.statusCode === 507 ? res : null;
    });
    assert.equal(refused.json().error.code, 'disk_full', 'an upload is refused with 507 disk_full');
    assert.match(refused.json().error.message, /free space/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);

    const read = await jobAnswer(r);
    assert.equal(read.statusCode, 200, 'a read is served while the disk is full');
    assert.equal(read.json().status, 'processing', 'the job is not failed by the fault');
    const health = await r.app.call({ method: 'GET', url: '/health', token: null });
    assert.equal(health.statusCode, 503);
    assert.equal(health.json().status, 'degraded');
    assert.equal(health.json().reason, 'disk_full');
    assert.ok(health.json().disk.some((v: { volume: string }) => v.volume === 'database'));

    volume.free();
    await eventually('the job completed', async () => {
      const job = await getJob(r.database.db, r.job.id);
      return ['completed', 'failed', 'cancelled', 'paused'].includes(job.status) ? job : null;
    });
    await assertEveryRowResolvedOnce(r);
    await eventually('/health ok again', async () => {
      const res = await r.app.call({ method: 'GET', url: '/health', token: null });
      return res.statusCode === 200;
    });
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
      r.database.db,
    );
    assert.equal(check.rows[0]?.integrity_check, 'ok');
    assertNoInternalErrors(r);
  });
});

describe('PostgreSQL stopped and restarted during a job [postgres]', () => {
  let server: RestartablePostgres;
  let r: Running;
  before(async () => {
    server = await startRestartablePostgres();
    const database = openDatabase(server.url, { connectionTimeoutMs: 10_000 });
    await migrateToLatest(database);
    r = await startJob(database, 60);
  });
  after(async () => {
    await r?.worker.stop();
    await r?.app.close();
    await r?.emu.close();
    await r?.database.close();
    await server?.dispose();
  });

  it('answers 503 database_unavailable while it is down, the worker holds, and the job completes', async () => {
    await eventually('some results stored', async () => {
      const job = await getJob(r.database.db, r.job.id);
      return job.counters.done >= 5;
    });
    await server.stop();
    const down = await eventually('a read answered 503', async () => {
      const res = await jobAnswer(r);
      assert.notEqual(res.statusCode, 500, res.body);
      return res.statusCode === 503 ? res : null;
    });
    assert.equal(down.json().error.code, 'database_unavailable');
    assert.ok(Number(down.headers['retry-after']) >= 1);
    const health = await r.app.call({ method: 'GET', url: '/health', token: null });
    assert.equal(health.statusCode, 503);
    assert.equal(health.json().reason, 'database_unavailable');

    await server.start();
    await eventually('the job completed', async () => {
      const job = await getJob(r.database.db, r.job.id).catch(() => null);
      return job && ['completed', 'failed', 'cancelled', 'paused'].includes(job.status)
        ? job
        : null;
    });
    await assertEveryRowResolvedOnce(r);
    assertNoInternalErrors(r);
  });
});
