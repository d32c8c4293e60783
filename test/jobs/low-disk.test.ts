import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatStartupReport, startupDisk } from '../../src/cli/startup-report.js';
import { loadConfig } from '../../src/config/env.js';
import { amazonReadiness } from '../../src/amazon/readiness.js';
import { measureVolumes } from '../../src/db/disk-space.js';
import { sqliteAdapter } from '../../src/db/dialect.js';
import { createJob } from '../../src/jobs/create-job.js';
import type {
  LookupResult,
  LookupUnit,
  UnitLookup,
  UnitOutcome,
} from '../../src/jobs/unit-lookup.js';
import { createWorker } from '../../src/jobs/worker.js';
import { createTestApp } from '../http/http-helpers.js';
import { createTestDatabase, forEachDatabase } from '../helpers/database.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestJobsContext } from '../helpers/jobs.js';
import { tmpdir } from 'node:os';

const CODES = ['4006381333931', '9780306406157', '5901234123457'];

/** A lookup that counts its calls and answers "not found". */
function countingLookup(): UnitLookup & { calls: number } {
  const lookup = {
    calls: 0,
    async lookupMany(units: readonly LookupUnit[]): Promise<UnitOutcome[]> {
      lookup.calls += 1;
      const result = { asin: null, match_type: 'none', confidence: 0 } as unknown as LookupResult;
      return units.map(() => ({ ok: true, result }));
    },
  };
  return lookup;
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} did not happen`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** More than any volume of this machine holds free: every watched volume counts as low. */
const HUGE_MB = 1024 * 1024 * 1024;

forEachDatabase('low disk space', (db) => {
  it('the worker claims nothing below CODE2ASIN_MIN_FREE_DISK_MB and the job log says why', async () => {
    const ctx = createTestJobsContext(db.database());
    const job = await createJob(ctx, {
      owner: 'a',
      options: { name: 'Low disk', marketplaces: ['fr'], refresh: true },
      codes: CODES,
    });
    const lookup = countingLookup();
    const worker = createWorker(ctx, {
      lookup,
      idlePollMs: 20,
      jobIds: [job.id],
      lowDisk: { volumes: [{ volume: 'images', path: tmpdir() }], minFreeMb: HUGE_MB },
    });
    worker.start();
    try {
      await eventually('the job log says why the job does not move', async () => {
        const logs = await db
          .database()
          .db.selectFrom('code2asin_logs')
          .select(['message', 'details'])
          .where('job_id', '=', job.id)
          .where('level', '=', 'WARNING')
          .execute();
        return logs.some((l) =>
          /Paused claiming: .* MB free on .*CODE2ASIN_MIN_FREE_DISK_MB/.test(l.message),
        );
      });
      assert.equal(lookup.calls, 0, 'no unit was looked up');
      const claimed = await db
        .database()
        .db.selectFrom('code2asin_results')
        .select('id')
        .where('job_id', '=', job.id)
        .where('status', '=', 'claimed')
        .execute();
      assert.equal(claimed.length, 0);
    } finally {
      await worker.stop();
    }
  });

  it('/health says degraded (low_disk) with the free space of each volume', async () => {
    const t = await createTestApp(db.database(), {
      env: { CODE2ASIN_MIN_FREE_DISK_MB: String(HUGE_MB), CODE2ASIN_IMAGE_DIR: tmpdir() },
    });
    try {
      const res = await t.call({ method: 'GET', url: '/health', token: null });
      assert.equal(res.statusCode, 503);
      const body = res.json();
      assert.equal(body.status, 'degraded');
      assert.equal(body.reason, 'low_disk');
      assert.match(body.message, /CODE2ASIN_MIN_FREE_DISK_MB/);
      const images = body.disk.find((v: { volume: string }) => v.volume === 'images');
      assert.equal(images.path, tmpdir());
      assert.ok(images.free_mb >= 0 && images.total_mb >= images.free_mb);
      assert.equal(images.low, true);
    } finally {
      await t.close();
    }
    const ok = await createTestApp(db.database(), { env: { CODE2ASIN_MIN_FREE_DISK_MB: '0' } });
    try {
      const res = await ok.call({ method: 'GET', url: '/health', token: null });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'ok');
    } finally {
      await ok.close();
    }
  });
});

it('the start-up block shows the free space of each volume and warns when it is low', async () => {
  const config = loadConfig({
    CODE2ASIN_MIN_FREE_DISK_MB: String(HUGE_MB),
    CODE2ASIN_IMAGE_DIR: tmpdir(),
  });
  const disk = await startupDisk(config, {
    dataDir: tmpdir(),
    dialect: sqliteAdapter,
  } as Parameters<typeof startupDisk>[1]);
  const text = formatStartupReport({
    command: 'worker',
    databaseUrl: 'sqlite:./data/c2a.db',
    workerMode: 'worker w1',
    amazon: amazonReadiness(config.amazon, config.amazonSource),
    disk,
  });
  assert.match(
    text,
    /Disk\s+database \S+: \d+ MB free of \d+ MB — LOW: under CODE2ASIN_MIN_FREE_DISK_MB/,
  );
  assert.match(text, /\n\s+images \S+: \d+ MB free/);
  const [measured] = await measureVolumes([{ volume: 'database', path: tmpdir() }], 0);
  assert.equal(measured?.low, false, 'a threshold of 0 never counts as low');
});

it("the start-up block on PostgreSQL tells its size and that its server's volume is not watched [postgres]", async () => {
  const fresh = await createTestDatabase('postgres');
  const database = openDatabase(fresh.url);
  try {
    const config = loadConfig({ CODE2ASIN_IMAGE_DIR: tmpdir() });
    const disk = await startupDisk(config, database);
    assert.deepEqual(
      disk.volumes.map((v) => v.volume),
      ['images'],
      'no free space is claimed for PostgreSQL',
    );
    const text = formatStartupReport({
      command: 'worker',
      databaseUrl: fresh.url,
      workerMode: 'worker w1',
      amazon: amazonReadiness(config.amazon, config.amazonSource),
      disk,
    });
    assert.match(
      text,
      /database \(PostgreSQL\): [\d.]+ MB used \(pg_database_size\); its server's free space is not measured here/,
    );
  } finally {
    await database.close();
    await fresh.drop();
  }
});
