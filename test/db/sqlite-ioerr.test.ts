import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { classifyDatabaseFault } from '../../src/db/db-fault.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { probeDatabaseWrite } from '../../src/db/write-probe.js';
import { createSqliteHandle, ManagedSqliteDialect } from '../../src/db/sqlite-driver.js';

/**
 * Real I/O errors on every file write of this process: its RLIMIT_FSIZE soft limit set to 0
 * (prlimit, util-linux). The kernel then refuses any write to a regular file with EFBIG (Node
 * ignores SIGXFSZ), and SQLite reports a write that fails with anything but ENOSPC as
 * SQLITE_IOERR_WRITE: the error a failing disk or a lost network volume gives. Reads go on.
 * Writes to pipes (the test reporter) are not limited.
 */
function failFileWrites(): void {
  execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=0:unlimited']);
}

function allowFileWrites(): void {
  execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited:unlimited']);
}

/** Runs `write` while file writes fail; resolves to its error (it must fail). */
async function failingWrite(write: () => Promise<unknown>): Promise<Error & { code?: string }> {
  failFileWrites();
  try {
    const error = await write().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error, 'the write failed');
    return error as Error & { code?: string };
  } finally {
    allowFileWrites();
  }
}

function job(name: string) {
  const now = new Date().toISOString();
  return {
    id: `${name}-${Math.random().toString(36).slice(2)}`,
    owner: 'a',
    name,
    status: 'pending',
    marketplaces: '["www.amazon.fr"]',
    options: JSON.stringify({ padding: 'x'.repeat(50_000) }),
    created_at: now,
    updated_at: now,
  };
}

describe('SQLite after an I/O error (SQLITE_IOERR) [sqlite]', () => {
  let dir: string;
  let database: Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c2a-ioerr-'));
    database = openDatabase(`sqlite:${join(dir, 'c2a.db')}`);
    await migrateToLatest(database);
  });
  after(async () => {
    allowFileWrites();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction failing with SQLITE_IOERR is a database fault; reads go on, and the next write succeeds once writes do', async () => {
    const kept = job('kept');
    await database.db
      .insertInto('code2asin_jobs')
      .values(kept as never)
      .execute();
    const error = await failingWrite(() =>
      database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 20; i += 1)
          await trx
            .insertInto('code2asin_jobs')
            .values(job(`lost ${i}`) as never)
            .execute();
      }),
    );
    assert.match(String(error.code), /^SQLITE_IOERR/, String(error));
    assert.equal(classifyDatabaseFault(error), 'database_unavailable');
    assert.equal(database.faults.current()?.code, 'database_unavailable');

    const names = async () =>
      (await database.db.selectFrom('code2asin_jobs').select('name').execute()).map((r) => r.name);
    assert.deepEqual(await names(), ['kept'], 'nothing of the failed transaction was kept');
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('code2asin_jobs')
        .values(job('after') as never)
        .execute();
    });
    assert.deepEqual((await names()).sort(), ['after', 'kept']);
    const deadline = Date.now() + 120_000;
    while (database.faults.current()) {
      assert.ok(Date.now() < deadline, 'the fault never cleared');
      await probeDatabaseWrite(database);
      await new Promise((r) => setTimeout(r, 100));
    }
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
      database.db,
    );
    assert.equal(check.rows[0]?.integrity_check, 'ok');
  });

  it('the handle is closed and opened again after SQLITE_IOERR, before the next statement', async () => {
    const handle = createSqliteHandle(join(dir, 'handle.db'), (db) => {
      db.pragma('journal_mode = WAL');
    });
    const db = new Kysely<{ t: { v: string } }>({ dialect: new ManagedSqliteDialect(handle) });
    try {
      await sql`create table t (v text)`.execute(db);
      await db.insertInto('t').values({ v: 'kept' }).execute();
      const before = handle.generation;
      const error = await failingWrite(() =>
        db
          .insertInto('t')
          .values({ v: 'y'.repeat(100_000) })
          .execute(),
      );
      assert.match(String(error.code), /^SQLITE_IOERR/, String(error));
      assert.equal(handle.generation, before, 'not reopened while nothing else ran');
      await db.insertInto('t').values({ v: 'after' }).execute();
      assert.equal(handle.generation, before + 1, 'reopened before the next statement');
      const rows = await db.selectFrom('t').select('v').execute();
      assert.deepEqual(
        rows.map((r) => r.v),
        ['kept', 'after'],
      );
    } finally {
      await db.destroy();
    }
  });
});
