import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createIngestionPool, type IngestionPool } from '../../src/jobs/ingestion-pool.js';
import { createCapturingLogger } from '../helpers/capture-logger.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small-volume.js';
import { createTestApp, errorOf, type TestApp } from '../http/http-helpers.js';
import { BASE, SAMPLE_CODES, createByJson, jobId, upload } from '../http/jobs-helpers.js';

/** "Eventually": generous, the machine may be loaded; nothing here measures speed. */
const EVENTUALLY_MS = 180_000;

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + EVENTUALLY_MS;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A valid EAN-13 (check digit computed), distinct for each n. */
function ean13(n: number): string {
  const body = String(300_000_000_000 + n * 7);
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return body + String((10 - (sum % 10)) % 10);
}

/** A CSV of `count` codes. 20,000 take about 10 MB in the database: two ingestion transactions. */
function codesCsv(count: number): string {
  return `EAN\n${Array.from({ length: count }, (_, i) => ean13(i)).join('\n')}\n`;
}

/** Uploads stay pending (deletable; no worker here). */
const NOT_STARTED: [string, string][] = [['options', '{"auto_start":false}']];

interface Counts {
  jobs: number;
  rows: number;
  results: number;
}

async function counts(database: Database): Promise<Counts> {
  const n = async (table: 'code2asin_jobs' | 'code2asin_rows' | 'code2asin_results') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    jobs: await n('code2asin_jobs'),
    rows: await n('code2asin_rows'),
    results: await n('code2asin_results'),
  };
}

function assertRefusedForRoom(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 507, res.body);
  const error = errorOf(res);
  assert.equal(error.code, 'disk_full');
  assert.match(error.message, /free space/);
  assert.ok(Number(res.headers['retry-after']) >= 1);
}

describe('uploads on a full database volume [sqlite]', () => {
  let volume: SmallVolume;
  let database: Database;
  let pool: IngestionPool;
  let threaded: TestApp;
  let inline: TestApp;
  let other: { id: string; view: string };

  // A fresh volume and database for each test: the pages a deleted job leaves free inside the
  // file would hold the next upload, whatever room the volume has.
  beforeEach(async () => {
    volume = mountSmallVolume(40);
    const url = `sqlite:${volume.dir}/c2a.db`;
    database = openDatabase(url);
    await migrateToLatest(database);
    pool = createIngestionPool({
      threads: 1,
      queueLimit: 4,
      thread: {
        databaseUrl: url,
        logLevel: 'warn',
        secrets: [],
        quotaTps: 1,
        webhookAllowPrivate: false,
      },
      logger: createCapturingLogger({ level: 'warn' }).logger,
    });
    // The volume is always under the default 200 MB: the guard would hide nothing here, but keep
    // the settings those of a small disk that is not "low".
    const env = { CODE2ASIN_MIN_FREE_DISK_MB: '1' };
    threaded = await createTestApp(database, { ingestion: pool, env });
    inline = await createTestApp(database, { env });
    const id = await jobId(inline, {
      name: 'kept',
      codes: SAMPLE_CODES,
      options: { auto_start: false },
    });
    other = { id, view: await jobView(id) };
  });
  afterEach(async () => {
    await threaded?.close();
    await inline?.close();
    await pool?.close();
    await database?.close();
    volume?.dispose();
  });

  /** The other job as the API shows it: it must not change whatever happens to the uploads. */
  async function jobView(id: string): Promise<string> {
    const res = await inline.call({ method: 'GET', url: `${BASE}/jobs/${id}` });
    assert.equal(res.statusCode, 200, res.body);
    const job = res.json() as Record<string, unknown>;
    return JSON.stringify([job.status, job.counters, job.preflight]);
  }

  async function deleteJob(app: TestApp, res: LightMyRequestResponse): Promise<void> {
    const id = (res.json() as { id: string }).id;
    const deleted = await app.call({ method: 'DELETE', url: `${BASE}/jobs/${id}` });
    assert.ok(deleted.statusCode < 300, deleted.body);
  }

  for (const path of ['thread', 'in-request'] as const) {
    const app = () => (path === 'thread' ? threaded : inline);

    it(`${path}: a full volume refuses the upload before storing anything (507), and takes it once freed`, async () => {
      const before = await counts(database);
      const csv = codesCsv(200);
      volume.fill();
      try {
        assertRefusedForRoom(
          await upload(app(), NOT_STARTED, [{ name: 'full.csv', content: csv }]),
        );
        assertRefusedForRoom(
          await createByJson(app(), { name: 'json', codes: SAMPLE_CODES, marketplaces: ['fr'] }),
        );
        assert.deepEqual(await counts(database), before, 'no job, row or unit was stored');
      } finally {
        volume.free();
      }
      const taken = await upload(app(), NOT_STARTED, [{ name: 'full.csv', content: csv }]);
      assert.equal(taken.statusCode, 201, taken.body);
      assert.equal(taken.json().job.counters.total_rows, 200);
      assert.equal(await jobView(other.id), other.view, 'the other job is intact');
      await deleteJob(app(), taken);
    });

    it(`${path}: an upload that fills the volume half-way is refused whole and removed, then taken once freed`, async () => {
      const before = await counts(database);
      const csv = codesCsv(20_000);
      // Room for the first of its two ingestion transactions, not for the second.
      volume.fill(6);
      let refused: LightMyRequestResponse;
      try {
        refused = await upload(app(), NOT_STARTED, [{ name: 'big.csv', content: csv }]);
      } finally {
        volume.free();
      }
      assertRefusedForRoom(refused);
      // What the ingestion stored before the disk filled is removed (at once, or as soon as the
      // database can be written again): no job, row or unit of it is left.
      await eventually('the half-read job removed', async () => {
        const now = await counts(database);
        return (
          now.jobs === before.jobs && now.rows === before.rows && now.results === before.results
        );
      });
      assert.equal(await jobView(other.id), other.view, 'the other job is intact');
      const taken = await upload(app(), NOT_STARTED, [{ name: 'big.csv', content: csv }]);
      assert.equal(taken.statusCode, 201, taken.body);
      assert.equal(taken.json().job.counters.total_rows, 20_000);
      assert.equal(taken.json().job.preflight.valid, 20_000);
      await deleteJob(app(), taken);
      assert.deepEqual(await counts(database), before);
    });
  }

  it('a full temporary folder refuses the upload as it is received (507 naming the folder)', async () => {
    const before = await counts(database);
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = volume.dir;
    volume.fill();
    try {
      const res = await upload(threaded, [], [{ name: 'tmp.csv', content: codesCsv(20_000) }]);
      assertRefusedForRoom(res);
      assert.equal(errorOf(res).details.volume, 'temp');
      assert.match(errorOf(res).message, /TMPDIR/);
    } finally {
      volume.free();
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    assert.deepEqual(await counts(database), before);
  });
});
