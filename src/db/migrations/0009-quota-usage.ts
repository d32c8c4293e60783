import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * What the quota dashboard reads besides `rate_limits`: requests, 429s and tokens spent per
 * credential and minute (`quota_usage`, kept two days), and per credential the pace it is allowed
 * and the last token status a provider reported (`quota_status`: Keepa's `tokensLeft`,
 * `refillRate`, next refill, and when the provider gave it, `observed_ms`). `key` is the shared limiter's key (`provider:sha256`, no secret).
 */
export function quotaUsageMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('quota_usage')
        .addColumn('key', 'varchar(200)', (c) => c.notNull())
        .addColumn('minute', 'integer', (c) => c.notNull())
        .addColumn('requests', 'integer', (c) => c.notNull())
        .addColumn('throttles', 'integer', (c) => c.notNull())
        .addColumn('tokens', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('quota_usage_pk', ['key', 'minute'])
        .execute();
      await db.schema
        .createTable('quota_status')
        .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('provider', 'varchar(40)', (c) => c.notNull())
        .addColumn('credential', 'varchar(200)')
        .addColumn('tps', d.realType, (c) => c.notNull())
        .addColumn('tpd', 'integer', (c) => c.notNull())
        .addColumn('tokens_left', d.realType)
        .addColumn('refill_rate', d.realType)
        .addColumn('refill_at_ms', d.realType)
        .addColumn('observed_ms', d.realType)
        .addColumn('updated_ms', d.realType, (c) => c.notNull())
        .execute();
    },
  };
}
