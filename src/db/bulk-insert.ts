import type { Transaction } from 'kysely';
import type { DB } from './schema.js';

/** Portable column types, mapped to each dialect's own where binding needs them. */
export type BulkColumnType = 'text' | 'integer' | 'real' | 'json' | 'timestamp';

/** A table written by a {@link BulkWriter}: code constants, never user input. */
export interface BulkTable {
  name: keyof DB;
  columns: readonly { name: string; type: BulkColumnType }[];
  /** Rows whose key is already there are skipped (the unique index decides). */
  onConflictDoNothing?: readonly string[];
}

/** Values of one row, in the order of `BulkTable.columns` (`null` for none). */
export type BulkRow = readonly unknown[];

/**
 * Inserts rows into one table inside one transaction, in order (ids follow it), the fastest way
 * the dialect allows (`sqlite-bulk-writer.ts`, `postgres-bulk-writer.ts`). Give it rows in chunks
 * of a few hundred to a few thousand.
 */
export interface BulkWriter {
  /** Inserts a chunk, or sends it; resolves when the writer is ready for the next chunk. */
  write(rows: readonly BulkRow[]): Promise<void>;
  /** Waits for every chunk; resolves to the rows inserted (rows skipped on conflict not counted). */
  finish(): Promise<number>;
}

export type CreateBulkWriter = (trx: Transaction<DB>, table: BulkTable) => BulkWriter;

/**
 * Which columns hold the same value in every row of a chunk (the job id, the timestamps, the
 * many nulls of a pending unit): the writers bind those once per statement instead of once per
 * row. Binding is most of the cost of a row on both dialects (measured in the writers).
 */
export function sharedColumns(table: BulkTable, rows: readonly BulkRow[]): boolean[] {
  const first = rows[0];
  return table.columns.map((_, c) => {
    if (!first) return false;
    const value = first[c] ?? null;
    return rows.every((row) => (row[c] ?? null) === value);
  });
}

/** `insert into "t" ("a", "b", …)`. */
export function insertHead(table: BulkTable): string {
  return `insert into ${quote(table.name)} (${table.columns.map((c) => quote(c.name)).join(', ')})`;
}

/** ` on conflict (…) do nothing`, or nothing. */
export function onConflict(table: BulkTable): string {
  const key = table.onConflictDoNothing;
  return key ? ` on conflict (${key.map(quote).join(', ')}) do nothing` : '';
}

function quote(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new Error(`Bad identifier ${identifier}`);
  return `"${identifier}"`;
}
