import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { fromJson, nowIso, sqliteAdapter, toJson } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { sweepExpiredLeases } from '../../src/db/work-queue.js';
import { createMigrations } from '../../src/db/migrations/index.js';
import { deleteJobData } from '../../src/jobs/jobs-repository.js';
import { forEachDatabase } from '../helpers/database.js';

/** Every migration, in order (0001-initial first). */
const MIGRATIONS = Object.keys(createMigrations(sqliteAdapter)).sort();

const TABLES = [
  'amazon_mappings',
  'api_tokens',
  'code2asin_decisions',
  'code2asin_job_progress',
  'code2asin_job_tiles',
  'code2asin_jobs',
  'code2asin_logs',
  'code2asin_refused_providers',
  'code2asin_results',
  'code2asin_rows',
  'code2asin_workers',
  'matching_rules',
  'provider_settings',
  'quota_status',
  'quota_usage',
  'rate_limit_members',
  'rate_limit_shares',
  'rate_limits',
  'service_write_probe',
  'web_sessions',
];

forEachDatabase(
  'migrations',
  (ctx) => {
    it('creates every table of the schema from an empty database', async () => {
      const report = await migrateToLatest(ctx.database());
      assert.deepEqual(report.applied, MIGRATIONS);
      const tables = await ctx.database().db.introspection.getTables();
      const names = tables.map((t) => t.name).filter((n) => !n.startsWith('code2asin_migrations'));
      assert.deepEqual(names.sort(), TABLES);
    });

    it('is a no-op when run again', async () => {
      const report = await migrateToLatest(ctx.database());
      assert.deepEqual(report.applied, []);
      assert.equal(report.total, MIGRATIONS.length);
    });
  },
  { migrate: false },
);

forEachDatabase(
  'a migration numbered below the latest one applied',
  (ctx) => {
    it('is applied to a database already past it (0011 after 0013 and 0014 landed)', async () => {
      const database = ctx.database();
      const { '0011-refused-providers': _missing, ...landed } = createMigrations(database.dialect);
      const earlier = await new Migrator({
        db: database.db,
        provider: { getMigrations: async () => landed },
        migrationTableName: 'code2asin_migrations',
        migrationLockTableName: 'code2asin_migrations_lock',
      }).migrateToLatest();
      assert.equal(earlier.error, undefined);
      assert.ok(earlier.results?.some((r) => r.migrationName === '0014-review-listing-index'));
      const report = await migrateToLatest(database);
      assert.deepEqual(report.applied, ['0011-refused-providers']);
      const tables = await database.db.introspection.getTables();
      assert.ok(tables.some((t) => t.name === 'code2asin_refused_providers'));
    });
  },
  { migrate: false },
);

forEachDatabase(
  'migration 0003 on a database in use',
  (ctx) => {
    it('keeps the rows and results of existing jobs and sweeps leases through the new index', async () => {
      const database = ctx.database();
      const { db } = database;
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => createMigrations(database.dialect) },
        migrationTableName: 'code2asin_migrations',
        migrationLockTableName: 'code2asin_migrations_lock',
      });
      const upTo0002 = await migrator.migrateTo('0002-shared-rate-limits');
      assert.equal(upTo0002.error, undefined);
      const now = nowIso();
      const expired = new Date(Date.now() - 60_000).toISOString();
      const id = '5d0c9a1e-2b3c-4d5e-8f60-718293a4b5c6';
      await sql`insert into code2asin_jobs (id, owner, name, status, marketplaces, options, created_at, updated_at)
        values (${id}, 'alice', 'old', 'processing', '[]', '{}', ${now}, ${now})`.execute(db);
      for (const n of [2, 3])
        await sql`insert into code2asin_rows (job_id, row_number, raw_code, gtin, code, code_type, valid, cells)
          values (${id}, ${n}, ${`code ${n}`}, null, null, null, 0, ${toJson([`code ${n}`])})`.execute(
          db,
        );
      await sql`insert into code2asin_results (job_id, marketplace, gtin, code, status, claimed_by, lease_until, created_at, updated_at)
        values (${id}, 'www.amazon.fr', '03017620422003', '3017620422003', 'claimed', 'w1', ${expired}, ${now}, ${now})`.execute(
        db,
      );
      const report = await migrateToLatest(database);
      assert.deepEqual(
        report.applied,
        MIGRATIONS.filter((m) => m > '0002-shared-rate-limits'),
      );
      const rows = await db
        .selectFrom('code2asin_rows')
        .select(['row_number', 'raw_code', 'cells'])
        .where('job_id', '=', id)
        .orderBy('row_number')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.row_number, r.raw_code, fromJson(r.cells)]),
        [
          [2, 'code 2', ['code 2']],
          [3, 'code 3', ['code 3']],
        ],
      );
      assert.equal(await sweepExpiredLeases(database), 1);
      const unit = await db
        .selectFrom('code2asin_results')
        .select(['status', 'lease_until'])
        .executeTakeFirstOrThrow();
      assert.deepEqual(unit, { status: 'pending', lease_until: null });
    });
  },
  { migrate: false },
);

forEachDatabase('schema round trips', (ctx) => {
  const jobId = '6f1c1a52-5a43-4d7e-9a57-0b6a3d2f1e11';

  it('stores and reads back JSON, timestamps and counters in portable shapes', async () => {
    const { db } = ctx.database();
    const created = nowIso();
    const options = { refresh: true, nested: { list: [1, 'deux', null], é: 'ü' } };
    await db
      .insertInto('code2asin_jobs')
      .values({
        id: jobId,
        owner: 'alice',
        name: 'Mapping Janvier 2026',
        supplier_code: null,
        status: 'pending',
        marketplaces: toJson(['www.amazon.fr', 'www.amazon.de']),
        options: toJson(options),
        created_at: created,
        updated_at: created,
      })
      .execute();
    const row = await db
      .selectFrom('code2asin_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(fromJson(row.options), options);
    assert.deepEqual(fromJson(row.marketplaces), ['www.amazon.fr', 'www.amazon.de']);
    assert.equal(row.created_at, created);
    assert.equal(row.total_rows, 0);
    assert.equal(typeof row.total_rows, 'number');
  });

  it('keys rows by job and row number; deleting a job removes its rows, results and logs only', async () => {
    const { db } = ctx.database();
    const now = nowIso();
    const other = '0b8e2d6c-1f3a-4c5b-8d7e-9f0a1b2c3d4e';
    await db
      .insertInto('code2asin_jobs')
      .values({
        id: other,
        owner: 'alice',
        name: 'other',
        status: 'pending',
        marketplaces: '[]',
        options: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const row = (job: string) => ({
      job_id: job,
      row_number: 2,
      raw_code: '3017620422003',
      gtin: '03017620422003',
      code: '3017620422003',
      code_type: 'EAN-13',
      valid: 1,
      reason: null,
      flags: null,
      cells: toJson(['3017620422003', 'Nutella']),
    });
    await db.insertInto('code2asin_rows').values(row(jobId)).execute();
    await db.insertInto('code2asin_rows').values(row(other)).execute();
    await assert.rejects(db.insertInto('code2asin_rows').values(row(jobId)).execute());
    for (const job of [jobId, other]) {
      const inserted = await db
        .insertInto('code2asin_results')
        .values({
          job_id: job,
          marketplace: 'www.amazon.fr',
          gtin: '03017620422003',
          code: '3017620422003',
          status: 'pending',
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.equal(typeof inserted.id, 'number');
      await db
        .insertInto('code2asin_logs')
        .values({ job_id: job, level: 'INFO', message: 'm', details: null, created_at: now })
        .execute();
    }
    assert.equal(await deleteJobData(db, jobId), true);
    assert.equal(await deleteJobData(db, jobId), false);
    for (const table of ['code2asin_rows', 'code2asin_results', 'code2asin_logs'] as const) {
      const left = await db.selectFrom(table).select('job_id').execute();
      assert.deepEqual(
        left.map((r) => r.job_id),
        [other],
        table,
      );
    }
    assert.equal(await deleteJobData(db, other), true);
  });

  it('refuses a second unit of work for the same job, marketplace and GTIN', async () => {
    const { db } = ctx.database();
    const now = nowIso();
    const id = '11111111-2222-4333-8444-555555555555';
    await db
      .insertInto('code2asin_jobs')
      .values({
        id,
        owner: 'bob',
        name: 'n',
        supplier_code: null,
        status: 'pending',
        marketplaces: '[]',
        options: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const unit = {
      job_id: id,
      marketplace: 'www.amazon.fr',
      gtin: '00049000028911',
      code: '0049000028911',
      status: 'pending',
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('code2asin_results').values(unit).execute();
    await assert.rejects(db.insertInto('code2asin_results').values(unit).execute());
  });

  it('keeps timestamps in UTC and comparable', async () => {
    const { db } = ctx.database();
    const earlier = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 5)).toISOString();
    const later = nowIso();
    await db
      .insertInto('code2asin_logs')
      .values({ job_id: null, level: 'INFO', message: 'a', details: null, created_at: earlier })
      .execute();
    await db
      .insertInto('code2asin_logs')
      .values({ job_id: null, level: 'INFO', message: 'b', details: null, created_at: later })
      .execute();
    const rows = await db
      .selectFrom('code2asin_logs')
      .select(['message', 'created_at'])
      .where('created_at', '>', earlier)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.message),
      ['b'],
    );
    const first = await db
      .selectFrom('code2asin_logs')
      .select('created_at')
      .where('message', '=', 'a')
      .executeTakeFirstOrThrow();
    assert.equal(first.created_at, earlier);
  });
});
