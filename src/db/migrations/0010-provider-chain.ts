import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * The provider chain of a job (`providers`, `enrich_with`; issue 16):
 * - `code2asin_results.chain_step`: which step of the job's chain a pending unit waits for (0 =
 *   the first provider; the number of providers = the enrichment step). A unit not found by one
 *   provider goes back to pending with the next step in the same transaction that records the
 *   answer, so a killed worker neither loses nor repeats a step.
 * - `provider_outcomes` (results and cache): what each provider asked said, in order (JSON).
 * - `amazon_mappings.not_found_by`: the providers that did not find the code, as `,a,b,`, so a
 *   cached "not found" only answers a job whose providers all said so.
 */
export function providerChainMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('code2asin_results')
        .addColumn('chain_step', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('code2asin_results')
        .addColumn('provider_outcomes', d.jsonType)
        .execute();
      await db.schema
        .alterTable('amazon_mappings')
        .addColumn('provider_outcomes', d.jsonType)
        .execute();
      await db.schema
        .alterTable('amazon_mappings')
        .addColumn('not_found_by', 'varchar(200)')
        .execute();
    },
  };
}
