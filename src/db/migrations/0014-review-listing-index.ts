import { sql, type Kysely } from 'kysely';

/**
 * Repeating a review decision on the other codes that propose the same listing looks results up
 * by `proposed_asin` within a job; only results waiting for a person have one, so the partial
 * index stays small and costs the worker's bulk writes nothing.
 */
export function reviewListingIndexMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('code2asin_results_proposed')
        .on('code2asin_results')
        .columns(['job_id', 'proposed_asin'])
        .where(sql.ref('proposed_asin'), 'is not', null)
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('code2asin_results_proposed').execute();
    },
  };
}
