import type { Kysely } from 'kysely';

/**
 * The provider a job runs on (`creators`, `paapi`) and what it points at (`amazon` or
 * `emulator`), so a demo job and its result file say they came from the emulator.
 */
export function jobProviderMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('code2asin_jobs').addColumn('provider', 'varchar(20)').execute();
      await db.schema
        .alterTable('code2asin_jobs')
        .addColumn('provider_source', 'varchar(20)')
        .execute();
    },
  };
}
