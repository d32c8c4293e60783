import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * The providers of a job's chain that refused its requests for good (issue 16: 401/403, Keepa's
 * invalid key, 402), one row per job and provider. Every lane of every worker reads it before
 * asking that provider for the job, so the job's codes move on to the next provider without one
 * refused request per code. Cleared when the job is resumed or retried (the settings may be
 * fixed by then); deleted with the job.
 */
export function refusedProvidersMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('code2asin_refused_providers')
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('provider', 'varchar(40)', (c) => c.notNull())
        .addColumn('error_class', 'varchar(40)', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addPrimaryKeyConstraint('code2asin_refused_providers_pk', ['job_id', 'provider'])
        .execute();
    },
  };
}
