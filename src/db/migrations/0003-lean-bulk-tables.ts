import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * The two tables a job's ingestion fills a row per input row and per unit, made cheaper to fill
 * (issue 6: a million rows in seconds):
 *
 * - `code2asin_rows` is keyed by (job_id, row_number): its serial `id` was never read, and on
 *   PostgreSQL it was one more index to maintain per row.
 * - On PostgreSQL, rows and results no longer carry a foreign key to `code2asin_jobs`: its check
 *   runs once per inserted row (COPY of a million rows: 8.7 s with it, 4.8 s without). Ingestion
 *   instead locks the job row once per transaction (`for key share`) and stops if the job is
 *   gone, and deleting a job deletes its rows, results and logs itself (`deleteJobData`). On
 *   SQLite the check costs nothing measurable and the foreign keys stay.
 * - Results are listed in unit order through (job_id, id): with only the claim index
 *   (job_id, status, id), `where job_id = ? order by id limit 50` sorted every unit of the job
 *   (65 ms a page for 900,000 units on SQLite, whatever the page) and now reads 50 entries.
 * - The lease index holds only claimed units (`where status = 'claimed'`), the only ones the
 *   sweep looks for: at ingestion every unit is pending and skipped it.
 */
export function leanBulkTablesMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (d.kind === 'postgres') {
        const foreignKeys = await sql<{ table: string; name: string }>`
          select conrelid::regclass::text as "table", conname as name
            from pg_constraint
           where contype = 'f'
             and conrelid in ('code2asin_rows'::regclass, 'code2asin_results'::regclass)`.execute(
          db,
        );
        for (const fk of foreignKeys.rows)
          await sql`alter table ${sql.table(fk.table)} drop constraint ${sql.ref(fk.name)}`.execute(
            db,
          );
        await sql`alter table code2asin_rows drop column id`.execute(db);
        await sql`alter table code2asin_rows
          add constraint code2asin_rows_pkey primary key using index code2asin_rows_job_row`.execute(
          db,
        );
      } else {
        await db.schema
          .createTable('code2asin_rows_0003')
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
          .addPrimaryKeyConstraint('code2asin_rows_pkey', ['job_id', 'row_number'])
          .execute();
        await sql`insert into code2asin_rows_0003
          select job_id, row_number, raw_code, gtin, code, code_type, valid, reason, flags, cells
            from code2asin_rows`.execute(db);
        await db.schema.dropTable('code2asin_rows').execute();
        await sql`alter table code2asin_rows_0003 rename to code2asin_rows`.execute(db);
      }
      await db.schema
        .createIndex('code2asin_results_job_order')
        .on('code2asin_results')
        .columns(['job_id', 'id'])
        .execute();
      await db.schema.dropIndex('code2asin_results_lease').execute();
      await db.schema
        .createIndex('code2asin_results_lease')
        .on('code2asin_results')
        .column('lease_until')
        .where(sql.ref('status'), '=', sql.lit('claimed'))
        .execute();
    },
  };
}
