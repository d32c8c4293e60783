import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * What the web UI needs on the server (issue 14):
 * - `web_sessions`: a browser's sign-in, made from an API token. Only the SHA-256 of the session
 *   id is stored; the session dies with its token (joined on every request), when idle too long,
 *   at its absolute expiry, or at sign-out.
 * - `code2asin_decisions`: every review decision on a result, with the result's state before it,
 *   so a decision (or a bulk decision, one `batch_id`) can be undone later, after a reload too.
 */
export function webUiMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('token_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addColumn('last_seen_at', d.timestampType, (c) => c.notNull())
        .addColumn('expires_at', d.timestampType, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('web_sessions_token')
        .on('web_sessions')
        .column('token_id')
        .execute();

      await db.schema
        .createTable('code2asin_decisions')
        .addColumn('id', 'integer', (c) => d.autoIncrementPrimaryKey(c))
        .addColumn('job_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('batch_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('result_id', 'integer', (c) => c.notNull())
        .addColumn('action', 'varchar(20)', (c) => c.notNull())
        .addColumn('asin', 'varchar(20)')
        .addColumn('before', d.jsonType, (c) => c.notNull())
        .addColumn('rule_ids', d.jsonType)
        .addColumn('decided_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addColumn('undone_at', d.timestampType)
        .execute();
      await db.schema
        .createIndex('code2asin_decisions_job')
        .on('code2asin_decisions')
        .columns(['job_id', 'id'])
        .execute();
      await db.schema
        .createIndex('code2asin_decisions_batch')
        .on('code2asin_decisions')
        .columns(['job_id', 'batch_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('code2asin_decisions').execute();
      await db.schema.dropTable('web_sessions').execute();
    },
  };
}
