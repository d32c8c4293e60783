import { FileLimitError } from './file-error.js';
import type { FileLimits } from './file-limits.js';
import type { TableRow } from './table-row.js';

/**
 * A check run on every batch of rows, in file order, failing on the first row over the row,
 * column or cell-length limit.
 */
export function createRowLimitCheck(limits: FileLimits): (batch: readonly TableRow[]) => void {
  let count = 0;
  return (batch) => {
    for (const row of batch) {
      count += 1;
      // The first row may be the header.
      if (count > limits.maxRows + 1) throw tooManyRows(limits.maxRows, row);
      if (row.cells.length > limits.maxColumns) throw tooManyColumns(limits.maxColumns, row);
      checkCells(row, limits.maxCellLength);
    }
  };
}

function tooManyRows(limit: number, row: TableRow): FileLimitError {
  return new FileLimitError(
    'too_many_rows',
    `The file has more than ${limit.toLocaleString('en-US')} rows, the limit (maxRows). Split it into smaller files.`,
    { limit, actual: limit + 1, option: 'maxRows', row: row.rowNumber },
  );
}

function tooManyColumns(limit: number, row: TableRow): FileLimitError {
  return new FileLimitError(
    'too_many_columns',
    `Row ${row.rowNumber} has ${row.cells.length.toLocaleString('en-US')} columns; the limit is ${limit.toLocaleString('en-US')} (maxColumns). Remove the columns you do not need, or check the delimiter.`,
    { limit, actual: row.cells.length, option: 'maxColumns', row: row.rowNumber },
  );
}

/**
 * The `too_many_columns` error of a reader that meets a value beyond the limit while the row is
 * still being read (an XLSX row), so the row is never held whole.
 */
export function valueBeyondColumnLimit(
  limit: number,
  column: number,
  rowNumber: number,
): FileLimitError {
  return new FileLimitError(
    'too_many_columns',
    `Row ${rowNumber} has a value in column ${column.toLocaleString('en-US')}; the limit is ${limit.toLocaleString('en-US')} columns (maxColumns). Remove the columns you do not need.`,
    { limit, actual: column, option: 'maxColumns', row: rowNumber, column },
  );
}

function checkCells(row: TableRow, max: number): void {
  for (let i = 0; i < row.cells.length; i += 1) {
    const cell = row.cells[i];
    if (typeof cell === 'string' && cell.length > max) {
      throw cellTooLong(max, cell.length, row.rowNumber, i + 1);
    }
  }
}

/** The `cell_too_long` error; readers that meet an over-long cell before it is a row throw it too. */
export function cellTooLong(
  limit: number,
  actual: number,
  rowNumber: number,
  column: number,
): FileLimitError {
  return new FileLimitError(
    'cell_too_long',
    `The cell in row ${rowNumber}, column ${column} holds ${actual.toLocaleString('en-US')} characters; the limit is ${limit.toLocaleString('en-US')} (maxCellLength). Shorten it, or check for a quote that is never closed.`,
    { limit, actual, option: 'maxCellLength', row: rowNumber, column },
  );
}
