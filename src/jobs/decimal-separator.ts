import type { Kysely } from 'kysely';
import { fromJson } from '../db/dialect.js';
import type { DB } from '../db/schema.js';
import type { ResultRow, ResultTable, Cell } from '../files/index.js';

/** How decimals are written in a delimited result file. `auto` follows the input. */
export const DECIMAL_CHOICES = ['auto', 'comma', 'point'] as const;
export type DecimalChoice = (typeof DECIMAL_CHOICES)[number];

const COMMA_DECIMAL = /^[+-]?\d{1,3}(?:[ .\u00a0\u202f]?\d{3})*,\d+$|^[+-]?\d+,\d+$/;
const POINT_DECIMAL = /^[+-]?\d{1,3}(?:[ ,\u00a0\u202f]?\d{3})*\.\d+$|^[+-]?\d+\.\d+$/;

/** Rows of the input looked at: the first ones say how the file writes its numbers. */
const SAMPLE_ROWS = 200;

/**
 * The input's decimal separator, from its own cells: a French supplier file writes `4,29`, so
 * the added price and confidence columns are written `4,29` too (French Excel reads `4.29` as
 * text). Comma only when the input's decimals are mostly commas; a point otherwise.
 */
export async function inputDecimalSeparator(db: Kysely<DB>, jobId: string): Promise<',' | '.'> {
  const rows = await db
    .selectFrom('code2asin_rows')
    .select('cells')
    .where('job_id', '=', jobId)
    .orderBy('row_number')
    .limit(SAMPLE_ROWS)
    .execute();
  let comma = 0;
  let point = 0;
  for (const row of rows) {
    for (const cell of fromJson<Cell[]>(row.cells) ?? []) {
      if (typeof cell !== 'string') continue;
      const text = cell.trim();
      if (COMMA_DECIMAL.test(text)) comma += 1;
      else if (POINT_DECIMAL.test(text)) point += 1;
    }
  }
  return comma > point ? ',' : '.';
}

/** The table with the added columns' fractional numbers written with a decimal comma. */
export function withDecimalComma(table: ResultTable): ResultTable {
  async function* rows(): AsyncGenerator<ResultRow> {
    for await (const row of table.rows) {
      yield {
        ...row,
        extra: row.extra?.map((c) =>
          typeof c === 'number' && !Number.isInteger(c) ? String(c).replace('.', ',') : c,
        ),
      };
    }
  }
  return { ...table, rows: rows() };
}
