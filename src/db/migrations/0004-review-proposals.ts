import type { Kysely } from 'kysely';

/**
 * Issue 19: `asin` holds only what the product stands behind; a candidate that needs a person
 * is a proposal. Results and cached mappings get `proposed_asin` (the unit's status is then
 * `to_review`), and jobs count those units apart in `to_review_count`.
 */
export function reviewProposalsMigration() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('code2asin_results')
        .addColumn('proposed_asin', 'varchar(10)')
        .execute();
      await db.schema
        .alterTable('amazon_mappings')
        .addColumn('proposed_asin', 'varchar(10)')
        .execute();
      await db.schema
        .alterTable('code2asin_jobs')
        .addColumn('to_review_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
