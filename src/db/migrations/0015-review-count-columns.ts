import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect.js';

/**
 * "Needs a person" as one expression of a unit's own columns: not decided by a person, and
 * `to_review`, or found as fuzzy/partial or below the `medium` band (0.7), or not found with
 * candidates. The same text on both databases (`cast(jsonb as text)` of an empty array is `[]`).
 */
const NEEDS_REVIEW = `case when (match_type is null or match_type <> 'manual') and (
  status = 'to_review'
  or (status = 'found' and (match_type in ('fuzzy', 'partial') or confidence < 0.7))
  or (status = 'not_found' and candidates is not null and cast(candidates as text) <> '[]')
) then 1 else 0 end`;

/**
 * A product with at least one image / with a price. Nested `case`s: neither database promises
 * to stop at the first false term of an `and`, and SQLite's JSON functions fail on text that is
 * not JSON.
 */
const PRODUCT_FLAGS = {
  sqlite: {
    has_images: `case when json_valid(product) then (case when json_array_length(product, '$.images') > 0 then 1 else 0 end) else 0 end`,
    has_price: `case when json_valid(product) then (case when coalesce(json_type(product, '$.price'), 'null') <> 'null' then 1 else 0 end) else 0 end`,
  },
  postgres: {
    has_images: `case when jsonb_typeof(product -> 'images') = 'array' then (case when jsonb_array_length(product -> 'images') > 0 then 1 else 0 end) else 0 end`,
    has_price: `case when coalesce(jsonb_typeof(product -> 'price'), 'null') <> 'null' then 1 else 0 end`,
  },
} as const;

/**
 * The web UI on a job of 100,000 results (issue 14): the review queue counted every unit of the
 * job on each page (its predicate reads `candidates`, so no index served it), and the job page's
 * tiles read every unit's row and product JSON. Three columns the database computes from the unit
 * itself (no writer sets them, so none can forget to), and four indexes:
 * - `code2asin_results_review` (job, needs_review, id, then what the queue filters on): the queue's
 *   page is a range of it in id order and its count reads the units that need a person, not the
 *   job's every unit (filters are checked on the index entry before the row is read);
 * - `code2asin_results_tiles` (job, status, match type, confidence, asin, updated_at): the tiles
 *   and the progress chart read it alone, never the table;
 * - `code2asin_results_has_images` / `_has_price`, partial: the two product-flag tiles.
 * SQLite adds computed columns as VIRTUAL (values kept in the indexes only); PostgreSQL as STORED
 * (it indexes no virtual column) — the one table rewrite of this migration.
 */
export function reviewCountColumnsMigration(d: DialectAdapter) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const flags = PRODUCT_FLAGS[d.kind];
      const storage = d.kind === 'postgres' ? 'stored' : 'virtual';
      const columns = { needs_review: NEEDS_REVIEW, ...flags };
      if (d.kind === 'postgres') {
        // One statement: PostgreSQL rewrites the table once for the three columns.
        const adds = Object.entries(columns).map(
          ([name, expr]) =>
            `add column ${name} integer generated always as (${expr}) ${storage} not null`,
        );
        await sql.raw(`alter table code2asin_results ${adds.join(', ')}`).execute(db);
      } else {
        for (const [name, expr] of Object.entries(columns)) {
          await sql
            .raw(
              `alter table code2asin_results add column ${name} integer generated always as (${expr}) ${storage}`,
            )
            .execute(db);
        }
      }
      await db.schema
        .createIndex('code2asin_results_review')
        .on('code2asin_results')
        .columns(['job_id', 'needs_review', 'id', 'status', 'match_type', 'confidence'])
        .columns(['marketplace', 'code', 'gtin', 'asin'])
        .execute();
      await db.schema
        .createIndex('code2asin_results_tiles')
        .on('code2asin_results')
        .columns(['job_id', 'status', 'match_type', 'confidence', 'asin', 'updated_at'])
        .execute();
      // The two product-flag tiles: counted from a partial index of the units they count
      // (SQLite does not read a computed VIRTUAL column from an index that holds it).
      for (const flag of ['has_images', 'has_price'] as const) {
        await db.schema
          .createIndex(`code2asin_results_${flag}`)
          .on('code2asin_results')
          .column('job_id')
          .where(sql<boolean>`asin is not null and ${sql.ref(flag)} = 1`)
          .execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const name of ['has_price', 'has_images', 'tiles', 'review'])
        await db.schema.dropIndex(`code2asin_results_${name}`).execute();
      for (const name of ['has_price', 'has_images', 'needs_review'])
        await db.schema.alterTable('code2asin_results').dropColumn(name).execute();
    },
  };
}
