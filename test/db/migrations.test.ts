import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { fromJson, nowIso, sqliteAdapter, toJson } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createMigrations } from '../../src/db/migrations/index.js';
import { forEachDatabase } from '../helpers/database.js';

/** Every migration, in order (0001-initial first). */
const MIGRATIONS = Object.keys(createMigrations(sqliteAdapter)).sort();

const TABLES = [
  'amazon_mappings',
  'api_tokens',
  'code2asin_jobs',
  'code2asin_logs',
  'code2asin_results',
  'code2asin_rows',
  'matching_rules',
  'provider_settings',
  'rate_limits',
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

  it('gives auto-increment ids as numbers and cascades deletes from jobs', async () => {
    const { db } = ctx.database();
    const now = nowIso();
    const inserted = await db
      .insertInto('code2asin_rows')
      .values({
        job_id: jobId,
        row_number: 2,
        raw_code: '3017620422003',
        gtin: '03017620422003',
        code: '3017620422003',
        code_type: 'EAN-13',
        valid: 1,
        reason: null,
        flags: null,
        cells: toJson(['3017620422003', 'Nutella']),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.equal(typeof inserted.id, 'number');
    await db
      .insertInto('code2asin_results')
      .values({
        job_id: jobId,
        marketplace: 'www.amazon.fr',
        gtin: '03017620422003',
        code: '3017620422003',
        status: 'pending',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const count = await db
      .selectFrom('code2asin_results')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
    await db.deleteFrom('code2asin_jobs').where('id', '=', jobId).execute();
    const left = await db.selectFrom('code2asin_rows').select('id').execute();
    assert.equal(left.length, 0);
    const leftResults = await db.selectFrom('code2asin_results').select('id').execute();
    assert.equal(leftResults.length, 0);
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
