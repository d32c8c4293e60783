import type { Kysely } from 'kysely';

/**
 * One row each process may rewrite to learn whether the database takes writes again after a
 * fault (a full disk: reads still work, so only a write can tell that it cleared).
 */
export function writeProbeMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('service_write_probe')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('written_at', 'varchar(40)', (c) => c.notNull())
        .execute();
    },
  };
}
