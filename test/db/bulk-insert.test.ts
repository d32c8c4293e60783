import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BulkRow, BulkTable } from '../../src/db/bulk-insert.js';
import { fromJson } from '../../src/db/dialect.js';
import { forEachDatabase } from '../helpers/database.js';

const MAPPINGS: BulkTable = {
  name: 'amazon_mappings',
  columns: [
    { name: 'marketplace', type: 'text' },
    { name: 'gtin', type: 'text' },
    { name: 'asin', type: 'text' },
    { name: 'confidence', type: 'real' },
    { name: 'reasons', type: 'json' },
    { name: 'fetched_at', type: 'timestamp' },
  ],
  onConflictDoNothing: ['marketplace', 'gtin'],
};

const LOGS: BulkTable = {
  name: 'code2asin_logs',
  columns: [
    { name: 'job_id', type: 'text' },
    { name: 'level', type: 'text' },
    { name: 'message', type: 'text' },
    { name: 'details', type: 'json' },
    { name: 'created_at', type: 'timestamp' },
  ],
};

const AT = '2026-11-27T10:00:00.000Z';
const gtin = (i: number) => String(i).padStart(14, '0');

forEachDatabase('bulk writers', (ctx) => {
  it('inserts chunks of any size in order, shared and varying columns alike', async () => {
    const { db, createBulkWriter } = ctx.database();
    // 237 rows: statements of 100, 10 and 1 on SQLite; one column varies in the first chunk only.
    const rows: BulkRow[] = Array.from({ length: 237 }, (_, i) => [
      null,
      'INFO',
      `line ${i}`,
      i < 150 ? JSON.stringify({ i, text: 'quote " and \\ backslash, {braces}' }) : null,
      AT,
    ]);
    const inserted = await db.transaction().execute(async (trx) => {
      const writer = createBulkWriter(trx, LOGS);
      await writer.write(rows.slice(0, 150));
      await writer.write(rows.slice(150, 151));
      await writer.write([]);
      await writer.write(rows.slice(151));
      return writer.finish();
    });
    assert.equal(inserted, 237);
    const stored = await db.selectFrom('code2asin_logs').selectAll().orderBy('id').execute();
    assert.deepEqual(
      stored.map((r) => r.message),
      rows.map((r) => r[2]),
    );
    assert.deepEqual(fromJson(stored[3]?.details), {
      i: 3,
      text: 'quote " and \\ backslash, {braces}',
    });
    assert.equal(stored[200]?.details, null);
    assert.equal(stored[0]?.job_id, null);
    assert.equal(stored[236]?.created_at, AT);
  });

  it('skips rows whose key is there, the first of a chunk winning, and counts only inserts', async () => {
    const { db, createBulkWriter } = ctx.database();
    const row = (i: number, asin: string | null): BulkRow => [
      'www.amazon.fr',
      gtin(i),
      asin,
      asin ? 0.5 + i / 1000 : null,
      JSON.stringify([`r${i}`]),
      AT,
    ];
    const first = Array.from({ length: 120 }, (_, i) =>
      row(i % 100, i < 100 ? 'B000000001' : 'B0LATER001'),
    );
    const second = [row(5, 'B0SECOND01'), row(500, null)];
    const inserted = await db.transaction().execute(async (trx) => {
      const writer = createBulkWriter(trx, MAPPINGS);
      await writer.write(first);
      await writer.write(second);
      return writer.finish();
    });
    assert.equal(inserted, 101);
    const stored = await db.selectFrom('amazon_mappings').selectAll().orderBy('gtin').execute();
    assert.equal(stored.length, 101);
    assert.ok(stored.slice(0, 100).every((m) => m.asin === 'B000000001'));
    assert.equal(stored[7]?.confidence, 0.507);
    assert.deepEqual(fromJson(stored[7]?.reasons), ['r7']);
    assert.equal(stored[100]?.asin, null);
    assert.equal(stored[100]?.gtin, gtin(500));
  });

  it('rows alike in every column are all inserted', async () => {
    const { db, createBulkWriter } = ctx.database();
    await db.deleteFrom('code2asin_logs').execute();
    const same: BulkRow = [null, 'WARN', 'same', null, AT];
    const inserted = await db.transaction().execute(async (trx) => {
      const writer = createBulkWriter(trx, LOGS);
      await writer.write(Array.from({ length: 12 }, () => same));
      await writer.write([same]);
      return writer.finish();
    });
    assert.equal(inserted, 13);
    const n = await db
      .selectFrom('code2asin_logs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message', '=', 'same')
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 13);
  });

  it('a failing chunk fails the transaction: nothing of it is kept', async () => {
    const { db, createBulkWriter } = ctx.database();
    await db.deleteFrom('code2asin_logs').execute();
    const good: BulkRow[] = Array.from({ length: 30 }, (_, i) => [
      null,
      'INFO',
      `ok ${i}`,
      null,
      AT,
    ]);
    const bad: BulkRow[] = [[null, 'INFO', null, null, AT]]; // message is NOT NULL
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        const writer = createBulkWriter(trx, LOGS);
        await writer.write(good);
        await writer.write(bad);
        await writer.write(good);
        return writer.finish();
      }),
    );
    const left = await db.selectFrom('code2asin_logs').select('id').execute();
    assert.equal(left.length, 0);
  });
});
