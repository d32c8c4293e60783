import type { Kysely } from 'kysely';

/**
 * Which provider answered (`creators`, `paapi`…), on each result and each cache entry: with
 * several providers (a fallback chain, SP-API) a result must say where it came from, and a cached
 * answer keeps its origin when a later job reuses it. Null on rows stored before, and on results
 * no provider gave (a manual choice).
 */
export function answeringProviderMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('code2asin_results')
        .addColumn('provider', 'varchar(40)')
        .execute();
      await db.schema.alterTable('amazon_mappings').addColumn('provider', 'varchar(40)').execute();
    },
  };
}
