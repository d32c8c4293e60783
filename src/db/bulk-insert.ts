import { CompiledQuery, type Kysely } from 'kysely';
import type { DialectKind } from './dialect.js';

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

/**
 * Inserts many rows with few statements, skipping the query builder: building and compiling a
 * Kysely insert of 500 rows costs more than running it (measured: 27k rows/s on SQLite and 9k on
 * PostgreSQL through `insertInto().values()`, see docs/BENCHMARKS.md for the figures after). Column
 * names are code constants, never user input; values are always bound parameters.
 */
export async function bulkInsert(
  db: Kysely<unknown>,
  kind: DialectKind,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: { onConflictDoNothing?: readonly string[] } = {},
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values `;
  const tail = options.onConflictDoNothing
    ? ` on conflict (${options.onConflictDoNothing.map(quote).join(', ')}) do nothing`
    : '';
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const marks: string[] = [];
      for (const value of row) {
        params.push(value);
        marks.push(kind === 'postgres' ? `$${params.length}` : '?');
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    await db.executeQuery(CompiledQuery.raw(`${head}${tuples.join(', ')}${tail}`, params));
  }
}

function quote(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new Error(`Bad identifier ${identifier}`);
  return `"${identifier}"`;
}
