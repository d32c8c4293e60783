import type { ColumnDataType, ColumnDefinitionBuilder } from 'kysely';

export type DialectKind = 'sqlite' | 'postgres';

/**
 * The one seam for SQLite/PostgreSQL differences. Every other module is dialect-agnostic and
 * asks this object when a difference matters (column types in migrations; later, claiming work).
 */
export interface DialectAdapter {
  readonly kind: DialectKind;
  /** Column type of JSON columns: `jsonb` on PostgreSQL, `text` on SQLite. */
  readonly jsonType: ColumnDataType;
  /** Column type of timestamps: `timestamptz` on PostgreSQL, ISO-8601 `text` on SQLite. */
  readonly timestampType: ColumnDataType;
  /** Column type of large integers (epoch milliseconds). */
  readonly bigintType: ColumnDataType;
  /** Column type of floating-point numbers. */
  readonly realType: ColumnDataType;
  /** Adds an auto-increment primary key to a column. */
  autoIncrementPrimaryKey(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

export const sqliteAdapter: DialectAdapter = Object.freeze({
  kind: 'sqlite',
  jsonType: 'text',
  timestampType: 'text',
  bigintType: 'integer',
  realType: 'real',
  autoIncrementPrimaryKey: (col: ColumnDefinitionBuilder) => col.primaryKey().autoIncrement(),
});

export const postgresAdapter: DialectAdapter = Object.freeze({
  kind: 'postgres',
  jsonType: 'jsonb',
  timestampType: 'timestamptz',
  bigintType: 'bigint',
  realType: 'double precision',
  autoIncrementPrimaryKey: (col: ColumnDefinitionBuilder) =>
    col.primaryKey().generatedByDefaultAsIdentity(),
});

/** JSON for a JSON column (both dialects take text). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Parses a JSON column as read back (text on both dialects). */
export function fromJson<T>(text: string | null | undefined): T | null {
  if (text === null || text === undefined) return null;
  return JSON.parse(text) as T;
}

/** The current time as stored: ISO-8601 UTC with milliseconds (sorts as text on SQLite). */
export function nowIso(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString();
}
