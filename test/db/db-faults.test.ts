import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { classifyDatabaseFault } from '../../src/db/db-fault.js';
import { createDatabaseFaultMonitor } from '../../src/db/fault-monitor.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { probeDatabaseWrite } from '../../src/db/write-probe.js';
import { forEachDatabase } from '../helpers/database.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small-volume.js';

async function jobCount(database: Database): Promise<number> {
  const row = await database.db
    .selectFrom('code2asin_jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A job row with a large options text, so that a few of them take many pages. */
function bulkyJob(i: number) {
  const now = new Date().toISOString();
  return {
    id: `job-${i}-${Math.random().toString(36).slice(2)}`,
    owner: 'a',
    name: `bulky ${i}`,
    status: 'pending',
    marketplaces: '["www.amazon.fr"]',
    options: JSON.stringify({ padding: 'x'.repeat(200_000) }),
    created_at: now,
    updated_at: now,
  };
}

/** Writes go on succeeding until the monitor says the fault cleared (generous: a loaded machine). */
async function writesClearTheFault(database: Database): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (database.faults.current()) {
    assert.ok(Date.now() < deadline, 'the fault never cleared');
    await probeDatabaseWrite(database);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the fault monitor', () => {
  it('logs one line when a fault starts and one when it clears, not at every failure or success between', () => {
    let now = 0;
    const lines: string[] = [];
    const monitor = createDatabaseFaultMonitor(() => now);
    monitor.setLogger({ warn: (_o, m) => lines.push(m), info: (_o, m) => lines.push(m) });
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    for (let t = 0; t < 10_000; t += 500) {
      now = t;
      monitor.failed(full);
      monitor.succeeded('write'); // a small write fitting in room SQLite holds already
      monitor.succeeded('read');
    }
    assert.equal(monitor.current()?.code, 'disk_full');
    now += 500;
    monitor.succeeded('read');
    now += 5_000;
    monitor.succeeded('read');
    assert.equal(monitor.current()?.code, 'disk_full', 'reads never clear a full disk');
    monitor.succeeded('write');
    assert.equal(monitor.current(), null);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /database fault: disk_full/);
    assert.match(lines[1] ?? '', /database fault cleared/);
    assert.equal(monitor.failed(new Error('UNIQUE constraint failed')), null, 'not a fault');
  });
});

describe('SQLite on a full disk [sqlite]', () => {
  let volume: SmallVolume;
  let database: Database;
  before(async () => {
    volume = mountSmallVolume(8);
    database = openDatabase(`sqlite:${volume.dir}/c2a.db`);
    await migrateToLatest(database);
  });
  after(async () => {
    await database?.close();
    volume?.dispose();
  });

  it('a transaction that fails mid-way on SQLITE_FULL leaves the connection usable once space is freed', async () => {
    volume.fill();
    const before = await jobCount(database);
    const failed = await database.db
      .transaction()
      .execute(async (trx) => {
        for (let i = 0; i < 200; i += 1)
          await trx
            .insertInto('code2asin_jobs')
            .values(bulkyJob(i) as never)
            .execute();
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    // The real error, not Kysely's "cannot rollback - no transaction is active" over it.
    assert.equal(classifyDatabaseFault(failed), 'disk_full', String(failed));
    assert.equal(database.faults.current()?.code, 'disk_full');
    // Reads are served while the disk is full; nothing of the transaction was kept.
    assert.equal(await jobCount(database), before);
    volume.free();
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('code2asin_jobs')
        .values(bulkyJob(0) as never)
        .execute();
    });
    assert.equal(await jobCount(database), before + 1);
    await writesClearTheFault(database);
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
      database.db,
    );
    assert.equal(check.rows[0]?.integrity_check, 'ok');
  });
});

forEachDatabase('a failed statement inside a transaction', (ctx) => {
  it('rolls the transaction back and the next call on the database succeeds', async () => {
    const database = ctx.database();
    const before = await jobCount(database);
    const failure = await database.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('code2asin_jobs')
          .values(bulkyJob(1) as never)
          .execute();
        if (ctx.kind === 'postgres')
          // The connection dies under the transaction (as on a server restart).
          await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
        else await sql`insert into no_such_table values (1)`.execute(trx);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    assert.ok(failure instanceof Error);
    if (ctx.kind === 'postgres')
      assert.equal(classifyDatabaseFault(failure), 'database_unavailable');
    assert.equal(await jobCount(database), before, 'nothing of the transaction was kept');
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('code2asin_jobs')
        .values(bulkyJob(2) as never)
        .execute();
    });
    await probeDatabaseWrite(database);
    assert.equal(await jobCount(database), before + 1);
    await writesClearTheFault(database);
  });
});
