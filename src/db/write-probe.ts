import { sql } from 'kysely';
import type { Database } from './database.js';
import { nowIso } from './dialect.js';

/**
 * Rewrites the probe row: a real write (a WAL frame on SQLite, a tuple on PostgreSQL), so that
 * it fails while the disk is full and succeeds once it is not. Its success clears a fault in the
 * database's monitor, like any other write would.
 */
export async function probeDatabaseWrite(database: Database): Promise<void> {
  await sql`insert into service_write_probe (id, written_at) values (1, ${nowIso()})
    on conflict (id) do update set written_at = excluded.written_at`.execute(database.db);
}
