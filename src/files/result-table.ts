import type { Cell } from './table-row.js';

/** One output row: the user's cells, in their order, and the appended result cells. */
export interface ResultRow {
  cells: readonly Cell[];
  extra?: readonly Cell[];
}

/** What the result writers take: the user's columns, the appended ones, and the rows. */
export interface ResultTable {
  /** The user's column names (`detection.columnNames`). */
  columns: readonly string[];
  /** Names of the appended columns (asin, match, confidence, ...). */
  extraColumns?: readonly string[];
  rows: AsyncIterable<ResultRow> | Iterable<ResultRow>;
}

/** The cells of one output line: user cells padded to the column count, then the extra ones. */
export function outputCells(table: ResultTable, row: ResultRow): Cell[] {
  const width = Math.max(table.columns.length, row.cells.length);
  const cells: Cell[] = new Array<Cell>(width + (table.extraColumns?.length ?? 0)).fill(null);
  for (let i = 0; i < row.cells.length; i += 1) cells[i] = row.cells[i] ?? null;
  row.extra?.forEach((cell, i) => {
    cells[width + i] = cell ?? null;
  });
  return cells;
}

/** The header line: the user's column names then the extra ones. */
export function outputHeader(table: ResultTable): string[] {
  return [...table.columns, ...(table.extraColumns ?? [])];
}
