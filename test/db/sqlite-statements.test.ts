import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { createSqliteHandle, ManagedSqliteDialect } from '../../src/db/sqlite-driver.js';

// The SQLite driver keeps statements prepared (preparing was most of a short statement's cost:
// the job worker's event loop stalled on it). What must hold: a statement is prepared once, a
// kept one sees schema changes, the number kept is bounded.

describe('SQLite driver: prepared statements are kept [sqlite]', () => {
  let dir: string;
  let handle: ReturnType<typeof createSqliteHandle>;
  let db: Kysely<{ t: { v: string; w?: number } }>;
  let prepares = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c2a-statements-'));
    handle = createSqliteHandle(join(dir, 's.db'), (d) => {
      d.pragma('journal_mode = WAL');
      const prepare = d.prepare.bind(d);
      d.prepare = ((source: string) => {
        prepares += 1;
        return prepare(source);
      }) as typeof d.prepare;
    });
    db = new Kysely({ dialect: new ManagedSqliteDialect(handle) });
    await sql`create table t (v text)`.execute(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the same statement 200 times on one preparation', async () => {
    const before = prepares;
    for (let i = 0; i < 200; i++)
      await db
        .insertInto('t')
        .values({ v: `v${i}` })
        .execute();
    const n = await db
      .selectFrom('t')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 200);
    assert.equal(prepares - before, 2, 'one insert and one count prepared');
  });

  it('a kept statement sees a column added after it was prepared', async () => {
    const first = await db.selectFrom('t').selectAll().limit(1).execute();
    assert.deepEqual(Object.keys(first[0] ?? {}), ['v']);
    await sql`alter table t add column w integer default 7`.execute(db);
    const again = await db.selectFrom('t').selectAll().limit(1).execute();
    assert.deepEqual(again[0], { v: 'v0', w: 7 });
  });

  it('keeps at most 500: the least recently used is prepared again', async () => {
    const query = (i: number) => sql`select ${sql.lit(i)} as i`.execute(db);
    await query(-1);
    for (let i = 0; i < 500; i++) await query(i);
    const before = prepares;
    await query(499); // still kept
    assert.equal(prepares, before, 'a recent statement is not prepared again');
    await query(-1); // the oldest, dropped
    assert.equal(prepares, before + 1, 'the least recently used was dropped');
  });
});
