import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * Scale-out (issue 23). `rate_limit_members`: the processes that want a share of a credential's
 * rate now, with a heartbeat. `rate_limit_shares`: one row per credential saying who holds which
 * share from when (the list in force and the one before, each with the time it starts, so
 * every process switches at the same instant). `code2asin_workers`: the live worker processes
 * and the units they hold (`code2asin workers`). Times are epoch ms on the database's clock;
 * member lists are JSON arrays of member ids.
 */
export function rateSharesMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('rate_limit_members')
        .addColumn('key', 'varchar(200)', (c) => c.notNull())
        .addColumn('member_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('host', 'varchar(200)', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('heartbeat_ms', d.realType, (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limit_members_pk', ['key', 'member_id'])
        .execute();
      await db.schema
        .createTable('rate_limit_shares')
        .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('members', 'text', (c) => c.notNull())
        .addColumn('since_ms', d.realType, (c) => c.notNull())
        .addColumn('interval_ms', d.realType, (c) => c.notNull())
        .addColumn('previous', 'text', (c) => c.notNull())
        .addColumn('previous_since_ms', d.realType, (c) => c.notNull())
        .addColumn('previous_interval_ms', d.realType, (c) => c.notNull())
        .addColumn('paused_until_ms', d.realType, (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('day_count', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('code2asin_workers')
        .addColumn('id', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('host', 'varchar(200)', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_ms', d.realType, (c) => c.notNull())
        .addColumn('heartbeat_ms', d.realType, (c) => c.notNull())
        .addColumn('expires_ms', d.realType, (c) => c.notNull())
        .addColumn('claimed_units', 'integer', (c) => c.notNull())
        .addColumn('concurrency', 'integer', (c) => c.notNull())
        .execute();
    },
  };
}
