import type BetterSqlite3 from 'better-sqlite3';
import {
  insertHead,
  onConflict,
  sharedColumns,
  type BulkRow,
  type BulkTable,
  type CreateBulkWriter,
} from './bulk-insert.js';

/**
 * Rows per statement, largest first: enough to bind the shared columns rarely, and a chunk's
 * remainder still goes ten rows at a time. A handful of statements per table, prepared once.
 */
const STATEMENT_ROWS = [100, 10, 1];
/** Prepared statements kept (per table, statement size and set of shared columns). */
const MAX_STATEMENTS = 64;

/**
 * SQLite writers: statements prepared once and reused, run on the connection's own handle.
 * Kysely's driver prepares every statement anew, and preparing a multi-row VALUES of 30,000
 * parameters cost more than running it (0.56 s of 2.8 s on 100,000 rows, CPU profile). Each
 * statement inserts up to 100 rows and binds the columns shared by the chunk once, as named
 * parameters: a million 16-column rows took 2.9 s bound one row at a time and 1.1 s so
 * (in-memory table, no index). better-sqlite3 is synchronous and Kysely holds the single
 * connection for the transaction, so these statements run inside `trx`, with nothing between.
 */
export function createSqliteBulkWriters(handle: {
  readonly current: BetterSqlite3.Database;
  readonly generation: number;
  failed(error: unknown): void;
}): CreateBulkWriter {
  const statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();
  let generation = handle.generation;
  const prepare = (table: BulkTable, shared: readonly boolean[], rows: number) => {
    // A replaced handle (after a fault) has none of the old one's statements.
    if (generation !== handle.generation) statements.clear();
    generation = handle.generation;
    const sqlite = handle.current;
    const key = `${table.name} ${rows} ${shared.map((s) => (s ? 1 : 0)).join('')}`;
    let statement = statements.get(key);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      const tuple = `(${shared.map((s, c) => (s ? `@c${c}` : '?')).join(', ')})`;
      const tuples = Array.from({ length: rows }, () => tuple).join(', ');
      statement = sqlite.prepare(`${insertHead(table)} values ${tuples}${onConflict(table)}`);
      statements.set(key, statement);
    }
    return statement;
  };
  return (_trx, table) => {
    let inserted = 0;
    return {
      write: async (rows) => {
        try {
          inserted += writeRows(rows);
        } catch (error) {
          handle.failed(error);
          throw error;
        }
      },
      finish: async () => inserted,
    };
    function writeRows(rows: readonly BulkRow[]): number {
      let written = 0;
      if (!handle.current.inTransaction)
        throw new Error(`Bulk insert into ${table.name} outside a transaction`);
      if (rows.length === 0) return 0;
      const shared = sharedColumns(table, rows);
      const named = namedValues(shared, rows[0] ?? []);
      let start = 0;
      for (const size of STATEMENT_ROWS) {
        if (rows.length - start < size) continue;
        const statement = prepare(table, shared, size);
        for (; start + size <= rows.length; start += size) {
          const values = ownValues(shared, rows, start, start + size);
          const result = named ? statement.run(named, ...values) : statement.run(...values);
          written += result.changes;
        }
      }
      return written;
    }
  };
}

/** The shared columns' values as named parameters (`c<column index>`), or null when none. */
function namedValues(shared: readonly boolean[], row: BulkRow): Record<string, unknown> | null {
  const named: Record<string, unknown> = {};
  let any = false;
  shared.forEach((s, c) => {
    if (!s) return;
    named[`c${c}`] = row[c] ?? null;
    any = true;
  });
  return any ? named : null;
}

/** The other columns' values of rows [from, to), row after row. */
function ownValues(
  shared: readonly boolean[],
  rows: readonly BulkRow[],
  from: number,
  to: number,
): unknown[] {
  const values: unknown[] = [];
  for (let r = from; r < to; r += 1) {
    const row = rows[r] ?? [];
    for (let c = 0; c < shared.length; c += 1) if (!shared[c]) values.push(row[c] ?? null);
  }
  return values;
}
