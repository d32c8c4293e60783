import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/** The whole schema of ARCHITECTURE.md, with the indexes that claiming and listing need. */
export function initialMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('code2asin_jobs')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('name', 'varchar(500)', (c) => c.notNull())
        .addColumn('supplier_code', 'varchar(200)')
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('marketplaces', d.jsonType, (c) => c.notNull())
        .addColumn('options', d.jsonType, (c) => c.notNull())
        .addColumn('source_file_name', 'varchar(500)')
        .addColumn('source_format', 'varchar(20)')
        .addColumn('detected_columns', d.jsonType)
        .addColumn('preflight', d.jsonType)
        .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('valid_rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('invalid_rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('duplicate_rows', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cached_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('to_query', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('done_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('found_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('not_found_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_retry_at', d.timestampType)
        .addColumn('error_message', 'text')
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addColumn('updated_at', d.timestampType, (c) => c.notNull())
        .addColumn('started_at', d.timestampType)
        .addColumn('completed_at', d.timestampType)
        .addColumn('last_claimed_at', d.timestampType)
        .addColumn('source_sha256', 'varchar(64)')
        .execute();
      await db.schema
        .createIndex('code2asin_jobs_owner_created')
        .on('code2asin_jobs')
        .columns(['owner', 'created_at'])
        .execute();
      await db.schema
        .createIndex('code2asin_jobs_status')
        .on('code2asin_jobs')
        .columns(['status', 'next_retry_at'])
        .execute();

      await db.schema
        .createTable('code2asin_rows')
        .addColumn('id', 'integer', (c) => d.autoIncrementPrimaryKey(c))
        .addColumn('job_id', 'varchar(36)', (c) =>
          c.notNull().references('code2asin_jobs.id').onDelete('cascade'),
        )
        .addColumn('row_number', 'integer', (c) => c.notNull())
        .addColumn('raw_code', 'text')
        .addColumn('gtin', 'varchar(14)')
        .addColumn('code', 'varchar(20)')
        .addColumn('code_type', 'varchar(20)')
        .addColumn('valid', 'integer', (c) => c.notNull())
        .addColumn('reason', 'varchar(40)')
        .addColumn('flags', d.jsonType)
        .addColumn('cells', d.jsonType, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('code2asin_rows_job_row')
        .unique()
        .on('code2asin_rows')
        .columns(['job_id', 'row_number'])
        .execute();

      await db.schema
        .createTable('code2asin_results')
        .addColumn('id', 'integer', (c) => d.autoIncrementPrimaryKey(c))
        .addColumn('job_id', 'varchar(36)', (c) =>
          c.notNull().references('code2asin_jobs.id').onDelete('cascade'),
        )
        .addColumn('marketplace', 'varchar(40)', (c) => c.notNull())
        .addColumn('gtin', 'varchar(14)', (c) => c.notNull())
        .addColumn('code', 'varchar(20)', (c) => c.notNull())
        .addColumn('code_type', 'varchar(20)')
        .addColumn('context', d.jsonType)
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('claimed_by', 'varchar(100)')
        .addColumn('lease_until', d.timestampType)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', d.timestampType)
        .addColumn('source', 'varchar(20)')
        .addColumn('asin', 'varchar(10)')
        .addColumn('match_type', 'varchar(20)')
        .addColumn('confidence', d.realType)
        .addColumn('reasons', d.jsonType)
        .addColumn('candidates', d.jsonType)
        .addColumn('product', d.jsonType)
        .addColumn('error_class', 'varchar(40)')
        .addColumn('error_message', 'text')
        .addColumn('previous_asin', 'varchar(10)')
        .addColumn('request_id', 'varchar(200)')
        .addColumn('processing_ms', 'integer')
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addColumn('updated_at', d.timestampType, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('code2asin_results_unit')
        .unique()
        .on('code2asin_results')
        .columns(['job_id', 'marketplace', 'gtin'])
        .execute();
      // Claiming scans pending units of a job in id order; the lease sweep scans claimed ones.
      await db.schema
        .createIndex('code2asin_results_claim')
        .on('code2asin_results')
        .columns(['job_id', 'status', 'id'])
        .execute();
      await db.schema
        .createIndex('code2asin_results_lease')
        .on('code2asin_results')
        .columns(['status', 'lease_until'])
        .execute();

      await db.schema
        .createTable('code2asin_logs')
        .addColumn('id', 'integer', (c) => d.autoIncrementPrimaryKey(c))
        .addColumn('job_id', 'varchar(36)', (c) =>
          c.references('code2asin_jobs.id').onDelete('cascade'),
        )
        .addColumn('level', 'varchar(10)', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details', d.jsonType)
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('code2asin_logs_job')
        .on('code2asin_logs')
        .columns(['job_id', 'id'])
        .execute();
      await db.schema
        .createIndex('code2asin_logs_created')
        .on('code2asin_logs')
        .columns(['created_at'])
        .execute();

      await db.schema
        .createTable('amazon_mappings')
        .addColumn('marketplace', 'varchar(40)', (c) => c.notNull())
        .addColumn('gtin', 'varchar(14)', (c) => c.notNull())
        .addColumn('asin', 'varchar(10)')
        .addColumn('match_type', 'varchar(20)')
        .addColumn('confidence', d.realType)
        .addColumn('reasons', d.jsonType)
        .addColumn('candidates', d.jsonType)
        .addColumn('product', d.jsonType)
        .addColumn('request_id', 'varchar(200)')
        .addColumn('fetched_at', d.timestampType, (c) => c.notNull())
        .addPrimaryKeyConstraint('amazon_mappings_pk', ['marketplace', 'gtin'])
        .execute();

      await db.schema
        .createTable('matching_rules')
        .addColumn('id', 'integer', (c) => d.autoIncrementPrimaryKey(c))
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('gtin', 'varchar(14)', (c) => c.notNull())
        .addColumn('asin', 'varchar(10)', (c) => c.notNull())
        .addColumn('rule', 'varchar(10)', (c) => c.notNull())
        .addColumn('marketplace', 'varchar(40)', (c) => c.notNull().defaultTo('*'))
        .addColumn('note', 'text')
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('matching_rules_unique')
        .unique()
        .on('matching_rules')
        .columns(['owner', 'gtin', 'asin', 'marketplace'])
        .execute();

      await db.schema
        .createTable('provider_settings')
        .addColumn('provider', 'varchar(40)', (c) => c.notNull())
        .addColumn('key', 'varchar(100)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('is_secret', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', d.timestampType, (c) => c.notNull())
        .addPrimaryKeyConstraint('provider_settings_pk', ['provider', 'key'])
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('scopes', d.jsonType, (c) => c.notNull())
        .addColumn('token_hash', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('prefix', 'varchar(20)', (c) => c.notNull())
        .addColumn('created_at', d.timestampType, (c) => c.notNull())
        .addColumn('last_used_at', d.timestampType)
        .addColumn('revoked_at', d.timestampType)
        .execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('tokens', d.realType, (c) => c.notNull())
        .addColumn('refilled_at_ms', d.bigintType, (c) => c.notNull())
        .addColumn('day', 'varchar(10)', (c) => c.notNull())
        .addColumn('day_count', 'integer', (c) => c.notNull())
        .execute();
    },
  };
}
