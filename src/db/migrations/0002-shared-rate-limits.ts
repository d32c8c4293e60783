import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * `rate_limits` as the shared limiter uses it: one row per credential holding the reservation
 * schedule and the schedule of actual grants (GCRA theoretical arrival times), the pause after a
 * 429 and the day's count. 0001's table (a token count) was never written, so it is replaced
 * rather than altered. Times are epoch milliseconds on the store's clock (the database
 * server's); `day` is the UTC day number.
 */
export function sharedRateLimitsMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('rate_limits').ifExists().execute();
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('tat_ms', d.realType, (c) => c.notNull())
        .addColumn('grant_tat_ms', d.realType, (c) => c.notNull())
        .addColumn('granted_ms', d.realType)
        .addColumn('slot_ms', d.realType)
        .addColumn('slot_granted', 'integer', (c) => c.notNull())
        .addColumn('paused_until_ms', d.realType, (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('day_count', 'integer', (c) => c.notNull())
        .addColumn('updated_ms', d.realType, (c) => c.notNull())
        .execute();
    },
  };
}
